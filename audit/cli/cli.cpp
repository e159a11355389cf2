// The command line: parses arguments (CLI11), fills AuditOptions, runs the audit or
// the explain view, and writes the result. Exit status: 0 clean, 1 findings, 2 usage
// or input error, whatever CLI11's own codes would be.
#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "command_support.hpp"
#include "compare.hpp"
#include "explain.hpp"
#include "metricaudit/audit/audit.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "metricaudit/audit/report_writers.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/version.hpp"

namespace metricaudit::audit::cli {
namespace {

namespace fs = std::filesystem;
using detail::add_common;
using detail::Common;
using detail::emit;
using detail::parse_metric_kinds;
using detail::UsageError;
using detail::use_colour;

struct AuditArgs : Common {
  std::string path;
  std::string preds;
  std::string log_format = "auto";
  std::int64_t eval_size = 0;
  std::int64_t batch_size = 0;
  std::vector<std::string> metrics;
  bool summary = false;
  CLI::Option* preds_option = nullptr;
  CLI::Option* eval_size_option = nullptr;
  CLI::Option* batch_size_option = nullptr;
};

struct ExplainArgs : Common {
  std::string dump;
};

int run_audit_command(const AuditArgs& a, std::ostream& out, std::ostream& err, const Terminal& t) {
  if (a.format == "html") detail::require_html_renderer(t);
  std::error_code ec;
  if (!fs::exists(a.path, ec)) throw InputError(a.path + ": no such file or directory");
  AuditOptions options;
  options.path = a.path;
  if (a.preds_option->count() > 0) {
    if (!fs::is_directory(a.preds, ec)) throw InputError(a.preds + ": no such directory");
    options.preds = a.preds;
  }
  options.log_format = a.log_format;
  if (a.num_classes_option->count() > 0) options.num_classes = a.num_classes;
  if (a.eval_size_option->count() > 0) options.eval_size = a.eval_size;
  if (a.batch_size_option->count() > 0) options.batch_size = a.batch_size;
  options.metric_kinds = parse_metric_kinds(a.metrics);

  // Reading large logs and dumps takes a while; say what is happening, on a terminal
  // only (a log file or CI capture should not collect progress lines).
  if (t.stderr_is_tty) err << "metricaudit: auditing " << a.path << " ..." << std::flush;
  AuditReport report;
  try {
    report = run_audit(options);
  } catch (...) {
    if (t.stderr_is_tty) err << "\r\x1b[K" << std::flush;
    throw;
  }
  if (t.stderr_is_tty) err << "\r\x1b[K" << std::flush;

  std::ostringstream text;
  if (a.format == "json" || a.format == "html") {
    write_json(report, text);
    if (a.format == "html") text.str(detail::render_html(t, "audit", text.str()));
  } else if (a.format == "sarif") {
    write_sarif(report, text);
  } else {
    write_text(report, text, use_colour(a, t), /*points_table=*/!a.summary);
  }
  emit(text.str(), a, out);
  return report.exit_status();
}

int run_explain_command(const ExplainArgs& a, std::ostream& out, const Terminal& t) {
  std::optional<std::int64_t> num_classes;
  if (a.num_classes_option->count() > 0) num_classes = a.num_classes;
  const ExplainResult result = explain_dump(a.dump, num_classes);
  std::ostringstream text;
  if (a.format == "json") {
    write_explain_json(result, text);
  } else {
    write_explain_text(result, text, use_colour(a, t));
  }
  emit(text.str(), a, out);
  return 0;
}

}  // namespace

const char* version() {
  return kVersion;
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        const Terminal& terminal) {
  CLI::App app{
      "metricaudit: recompute the metrics a training log reports from saved predictions "
      "and name the convention behind each number.",
      "metricaudit"};
  app.set_version_flag("--version", std::string("metricaudit ") + kVersion);
  app.require_subcommand(1);
  app.footer("Exit status: 0 no findings, 1 findings (warning or error), 2 usage or input error.");

  AuditArgs audit_args;
  CLI::App* audit = app.add_subcommand(
      "audit", "Audit a training log (or a run directory) against its prediction dumps.");
  audit->add_option("PATH", audit_args.path, "a log file or a run directory")->required();
  audit_args.preds_option = audit->add_option(
      "--preds", audit_args.preds, "folder of prediction dumps (default: <run>/predictions)");
  std::vector<std::string> log_format_choices = {"auto"};
  for (const LogFormat& f : log_formats()) log_format_choices.emplace_back(f.name);
  audit->add_option("--log-format", audit_args.log_format, "log format")
      ->check(CLI::IsMember(std::move(log_format_choices)))
      ->capture_default_str();
  audit_args.eval_size_option =
      audit->add_option("--eval-size", audit_args.eval_size, "samples per evaluation N")
          ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
  audit_args.batch_size_option =
      audit->add_option("--batch-size", audit_args.batch_size, "training batch size B")
          ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
  // One NAME=KIND per occurrence, so a following PATH is never taken for a second value.
  audit
      ->add_option("--metric", audit_args.metrics,
                   "NAME=KIND: treat logged metric NAME as KIND (accuracy, loss); repeatable")
      ->type_size(1)
      ->allow_extra_args(false);
  audit->add_flag("--summary", audit_args.summary,
                  "text output: findings, undecided values, warnings and the summary line, "
                  "without the per-metric tables of logged and recomputed values");
  add_common(*audit, audit_args, {"text", "json", "sarif", "html"});

  ExplainArgs explain_args;
  CLI::App* explain = app.add_subcommand(
      "explain", "Show one prediction dump's value under every convention of the catalogue.");
  explain
      ->add_option("DUMP", explain_args.dump,
                   "a .npz dump, a <stem>.<role>.npy file of one, or the stem")
      ->required();
  add_common(*explain, explain_args, {"text", "json"});

  CompareArgs compare_args;
  CLI::App* compare = add_compare_command(app, compare_args);

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // --help and --version arrive as "errors" with exit code 0.
      if (e.get_exit_code() == 0) return app.exit(e, out, err);
      throw;
    }
    if (audit->parsed()) return run_audit_command(audit_args, out, err, terminal);
    if (compare->parsed()) return run_compare_command(compare_args, out, err, terminal);
    return run_explain_command(explain_args, out, terminal);
  } catch (const CLI::Error& e) {
    err << "metricaudit: error: " << e.what() << "\nRun 'metricaudit --help' for usage.\n";
    return 2;
  } catch (const UsageError& e) {
    err << "metricaudit: error: " << e.what() << "\nRun 'metricaudit --help' for usage.\n";
    return 2;
  } catch (const std::bad_alloc&) {
    err << "metricaudit: error: out of memory\n";
    return 2;
  } catch (const std::exception& e) {
    // metricaudit::Error (InputError "file:line: ...", InvalidArgument, ...) and anything
    // else: the message already says what and where.
    err << "metricaudit: error: " << e.what() << '\n';
    return 2;
  }
}

}  // namespace metricaudit::audit::cli
