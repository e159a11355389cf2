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

#include "explain.hpp"
#include "metricaudit/audit/audit.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "metricaudit/audit/report_writers.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/version.hpp"

namespace metricaudit::audit::cli {
namespace {

namespace fs = std::filesystem;

// A command-line mistake found after parsing (e.g. a malformed --metric): reported
// like CLI11's parse errors, with the usage hint.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Common {
  std::string format = "text";
  std::string output;
  std::string color = "auto";
  std::int64_t num_classes = 0;
  CLI::Option* num_classes_option = nullptr;
};

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

void add_common(CLI::App& sub, Common& c, std::vector<std::string> formats) {
  c.num_classes_option =
      sub.add_option("--num-classes", c.num_classes,
                     "number of classes C (default: from the scores' width)")
          ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
  sub.add_option("--format", c.format, "output format")
      ->check(CLI::IsMember(std::move(formats)))
      ->capture_default_str();
  sub.add_option("-o,--output", c.output, "write the report to FILE instead of stdout");
  sub.add_option("--color", c.color,
                 "ANSI colour in text output: auto (on a terminal, unless NO_COLOR is set), "
                 "always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

bool use_colour(const Common& c, const Terminal& t) {
  if (c.format != "text" || c.color == "never") return false;
  if (c.color == "always") return true;
  return c.output.empty() && t.stdout_is_tty && !t.no_color;
}

// The whole document is rendered first, so an error never leaves half a report in
// --output FILE.
void emit(const std::string& text, const Common& c, std::ostream& out) {
  if (c.output.empty()) {
    out << text << std::flush;
    return;
  }
  std::ofstream file(c.output, std::ios::binary | std::ios::trunc);
  if (!file) throw InputError(c.output + ": cannot open for writing");
  file << text;
  file.close();
  if (!file) throw InputError(c.output + ": write failed");
}

std::map<std::string, std::string> parse_metric_kinds(const std::vector<std::string>& specs) {
  std::map<std::string, std::string> kinds;
  for (const std::string& spec : specs) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      throw UsageError("--metric: expected NAME=KIND (e.g. val_acc=accuracy), got '" + spec + "'");
    }
    kinds[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  return kinds;
}

int run_audit_command(const AuditArgs& a, std::ostream& out, std::ostream& err, const Terminal& t) {
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
  if (a.format == "json") {
    write_json(report, text);
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
  add_common(*audit, audit_args, {"text", "json", "sarif"});

  ExplainArgs explain_args;
  CLI::App* explain = app.add_subcommand(
      "explain", "Show one prediction dump's value under every convention of the catalogue.");
  explain
      ->add_option("DUMP", explain_args.dump,
                   "a .npz dump, a <stem>.<role>.npy file of one, or the stem")
      ->required();
  add_common(*explain, explain_args, {"text", "json"});

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // --help and --version arrive as "errors" with exit code 0.
      if (e.get_exit_code() == 0) return app.exit(e, out, err);
      throw;
    }
    if (audit->parsed()) return run_audit_command(audit_args, out, err, terminal);
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
