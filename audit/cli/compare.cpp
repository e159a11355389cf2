// The compare subcommand: options to CompareOptions, run_compare, a writer.
#include "compare.hpp"

#include <filesystem>
#include <limits>
#include <sstream>

#include "metricaudit/audit/compare.hpp"
#include "metricaudit/audit/compare_writers.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit::cli {
namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, std::string>> parse_pairs(
    const std::vector<std::string>& specs) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& spec : specs) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      throw detail::UsageError("--pair: expected A_NAME=B_NAME (e.g. val_accuracy=val_acc), got '" +
                               spec + "'");
    }
    pairs.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  return pairs;
}

AuditOptions run_options(const CompareArgs& args, const std::string& path, const std::string& preds,
                         const CLI::Option* preds_option) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path + ": no such file or directory");
  AuditOptions o;
  o.path = path;
  if (preds_option->count() > 0) {
    if (!fs::is_directory(preds, ec)) throw InputError(preds + ": no such directory");
    o.preds = preds;
  }
  if (args.num_classes_option->count() > 0) o.num_classes = args.num_classes;
  if (args.eval_size_option->count() > 0) o.eval_size = args.eval_size;
  o.metric_kinds = detail::parse_metric_kinds(args.metrics);
  return o;
}

}  // namespace

CLI::App* add_compare_command(CLI::App& app, CompareArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "compare",
      "Compare two runs (e.g. a Keras run and its PyTorch port): both under one convention, "
      "and whether what is left of the gap is significant. Exit status: 0 no pair differs "
      "(real), 1 one does, 2 usage or input error.");
  sub->add_option("RUN_A", args.run_a, "the first run: a log file or a run directory")->required();
  sub->add_option("RUN_B", args.run_b, "the second run; differences are B - A")->required();
  args.preds_a_option = sub->add_option("--preds-a", args.preds_a,
                                        "RUN_A's dump folder (default: <RUN_A>/predictions)");
  args.preds_b_option = sub->add_option("--preds-b", args.preds_b,
                                        "RUN_B's dump folder (default: <RUN_B>/predictions)");
  sub->add_option("--pair", args.pairs,
                  "A_NAME=B_NAME: compare these two metrics (repeatable; default: every kind "
                  "and split both runs log)")
      ->type_size(1)
      ->allow_extra_args(false);
  sub->add_option("--metric", args.metrics,
                  "NAME=KIND: treat logged metric NAME as KIND (accuracy, loss, top<k>, "
                  "ignore) in both runs; repeatable")
      ->type_size(1)
      ->allow_extra_args(false);
  sub->add_option("--alpha", args.alpha, "significance level")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--min-effect", args.min_effect,
                  "a difference (on the metric's scale) too small to matter: a significant one "
                  "whose interval lies within +-D is judged negligible, not real (default 0: off)")
      ->capture_default_str();  // run_compare checks the value (>= 0, finite)
  sub->add_option("--convention", args.convention,
                  "a catalogue reading to compare under (e.g. accuracy.macro.exclude_unseen; "
                  "default: micro accuracy, each model's own cross-entropy)");
  sub->add_option("--epoch", args.epoch,
                  "the epoch to judge: last (the last one both runs logged), all, or a number")
      ->capture_default_str();
  args.eval_size_option =
      sub->add_option(
             "--eval-size", args.eval_size,
             "samples per evaluation, for runs without dumps (tests the logged accuracies)")
          ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
  detail::add_common(*sub, args, {"text", "json", "html"});
  return sub;
}

int run_compare_command(const CompareArgs& args, std::ostream& out, std::ostream& err,
                        const Terminal& t) {
  if (args.format == "html") detail::require_html_renderer(t);
  CompareOptions options;
  options.a = run_options(args, args.run_a, args.preds_a, args.preds_a_option);
  options.b = run_options(args, args.run_b, args.preds_b, args.preds_b_option);
  options.pairs = parse_pairs(args.pairs);
  options.alpha = args.alpha;
  options.min_effect = args.min_effect;
  options.convention = args.convention;
  if (args.epoch == "all") {
    options.all_epochs = true;
  } else if (args.epoch != "last") {
    std::size_t used = 0;
    long long e = -1;
    try {
      e = std::stoll(args.epoch, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != args.epoch.size() || e < 0) {
      throw detail::UsageError("--epoch: expected last, all or an epoch number >= 0, got '" +
                               args.epoch + "'");
    }
    options.epoch = e;
  }

  if (t.stderr_is_tty) err << "metricaudit: comparing ..." << std::flush;
  CompareReport report;
  try {
    report = run_compare(options);
  } catch (...) {
    if (t.stderr_is_tty) err << "\r\x1b[K" << std::flush;
    throw;
  }
  if (t.stderr_is_tty) err << "\r\x1b[K" << std::flush;

  std::ostringstream text;
  if (args.format == "json" || args.format == "html") {
    write_compare_json(report, text);
    if (args.format == "html") text.str(detail::render_html(t, "compare", text.str()));
  } else {
    write_compare_text(report, text, detail::use_colour(args, t));
  }
  detail::emit(text.str(), args, out);
  return report.exit_status();
}

}  // namespace metricaudit::audit::cli
