// Finding the inputs of a run: the log file(s) and the dump folder. A run
// directory may hold several logs of one training (Lightning writes metrics.csv
// and the terminal shows tqdm bars); every recognised log is audited, the
// structured ones first so that their locations represent a finding.
#include <algorithm>
#include <fstream>

#include "internal.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "metricaudit/audit/text_log_readers.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit::detail {
namespace {

namespace fs = std::filesystem;

// Structured logs carry exact values and explicit epochs: they go first (LogFormat::rank).
int format_rank(const std::string& format) {
  const LogFormat* row = find_log_format(format);
  return row != nullptr ? row->rank : 2;
}

bool skipped_file(const fs::path& p) {
  const std::string ext = p.extension().string();
  const std::string name = p.filename().string();
  return ext == ".npz" || ext == ".npy" || ext == ".py" || ext == ".yaml" || ext == ".yml" ||
         ext == ".json" || ext == ".md" || ext == ".sh" || ext == ".ckpt" || ext == ".pt" ||
         name.starts_with(".");
}

// A log from which no value was read is an input error, never a clean audit: it names the
// file, how it was read and what it holds.
std::string nothing_read(const fs::path& file, const std::string& format, bool named) {
  const LogFormat* row = find_log_format(format);
  return file.string() + ": no metric value read from it as " + format + " (" +
         (row != nullptr ? describe_log_start(file, *row) : std::string("unknown format")) +
         "); expected " + (row != nullptr ? std::string(row->looks_like) : std::string("a log")) +
         (named ? " as --log-format says" : ", or name its format with --log-format");
}

}  // namespace

Inputs read_inputs(const AuditOptions& options) {
  Inputs in;
  const fs::path& path = options.path;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw InputError(path.string() + ": no such file or directory");
  }
  std::vector<std::pair<fs::path, std::string>> logs;
  if (fs::is_directory(path, ec)) {
    // Every file up to three levels down (Lightning: lightning_logs/version_0/metrics.csv),
    // outside the dump folder, whose content a reader recognises.
    for (auto it = fs::recursive_directory_iterator(path, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      const fs::path& p = it->path();
      if (it->is_directory()) {
        if (p.filename() == "predictions" || it.depth() >= 3) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file() || skipped_file(p)) continue;
      std::string format;
      try {
        format = options.log_format == "auto" ? detect_log_format(p) : options.log_format;
      } catch (const Error& e) {
        in.warnings.push_back(p.string() + ": skipped (" + e.what() + ")");
        continue;
      }
      if (format.empty()) continue;
      logs.emplace_back(p, format);
    }
    if (logs.empty()) {
      throw InputError(path.string() + ": no training log found in this directory (looked for " +
                       log_format_kinds() + ")");
    }
    if (fs::is_directory(path / "predictions", ec)) in.predictions = path / "predictions";
  } else {
    const std::string format =
        options.log_format == "auto" ? detect_log_format(path) : options.log_format;
    if (format.empty()) {
      throw InputError(path.string() +
                       ": not a recognised log format; name one with --log-format (" +
                       log_format_names() + ")");
    }
    logs.emplace_back(path, format);
    if (fs::is_directory(path.parent_path() / "predictions", ec)) {
      in.predictions = path.parent_path() / "predictions";
    }
  }
  if (options.preds) {
    if (!fs::is_directory(*options.preds, ec)) {
      throw InputError(options.preds->string() + ": --preds is not a directory");
    }
    in.predictions = *options.preds;
  }
  std::stable_sort(logs.begin(), logs.end(), [](const auto& a, const auto& b) {
    return std::pair(format_rank(a.second), a.first.string()) <
           std::pair(format_rank(b.second), b.first.string());
  });
  std::vector<std::string> empty;  // logs that gave no value
  for (const auto& [file, format] : logs) {
    std::vector<LoggedRun> runs = read_log(file, format);
    const bool any = std::any_of(runs.begin(), runs.end(),
                                 [](const LoggedRun& run) { return !run.points.empty(); });
    if (!any) {
      for (const LoggedRun& run : runs) {
        in.warnings.insert(in.warnings.end(), run.warnings.begin(), run.warnings.end());
      }
      empty.push_back(nothing_read(file, format, options.log_format != "auto"));
      continue;
    }
    for (LoggedRun& run : runs) {
      if (!run.points.empty()) in.runs.push_back(std::move(run));
    }
  }
  if (in.runs.empty()) {
    // Nothing at all to audit: an error, not "0 findings".
    std::string message = empty.front();
    if (empty.size() > 1) {
      message += " (and " + std::to_string(empty.size() - 1) + " more logs that gave nothing)";
    }
    throw InputError(message);
  }
  for (const std::string& e : empty) in.warnings.push_back(e + "; skipped");
  return in;
}

}  // namespace metricaudit::audit::detail
