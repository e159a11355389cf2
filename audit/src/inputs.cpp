// Finding the inputs of a run: the log file(s) and the dump folder. A run
// directory may hold several logs of one training (Lightning writes metrics.csv
// and the terminal shows tqdm bars; a Hugging Face output folder holds
// trainer_state.json and all_results.json); every recognised log is audited, the
// structured ones first so that their locations represent a finding.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <string_view>

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

// Folders below a run directory whose files are read: TensorFlow's tutorial layout
// logs/fit/<time>/train/events... is four deep.
constexpr int kMaxFolders = 4;

// Files that are never logs unless a format's name rule claims them (trainer_state.json,
// all_results.json are .json): arrays, configs, code, and what frameworks save beside
// their logs (a Hugging Face checkpoint's model.safetensors, training_args.bin,
// rng_state.pth, optimizer.pt; Lightning's .ckpt; Keras' .keras and .h5; TensorFlow's
// saved_model.pb), which would each be a "cannot tell the log format" warning.
bool skipped_file(const fs::path& p) {
  static constexpr std::string_view kNotLogs[] = {
      ".npz", ".npy", ".py",          ".yaml",  ".yml", ".json", ".md",   ".sh",  ".ckpt",  ".pt",
      ".pth", ".bin", ".safetensors", ".keras", ".h5",  ".pb",   ".onnx", ".pkl", ".pickle"};
  const std::string ext = p.extension().string();
  return std::find(std::begin(kNotLogs), std::end(kNotLogs), ext) != std::end(kNotLogs) ||
         p.filename().string().starts_with(".");
}

// Folders that hold no logs: the dumps, hidden folders (.git, .venv), Python's caches.
bool skipped_folder(const fs::path& p) {
  const std::string name = p.filename().string();
  return name == "predictions" || name == "__pycache__" || name.starts_with(".");
}

// The directory format that claims `dir` (an MLflow store), or nullptr.
const LogFormat* directory_format(const fs::path& dir) {
  const LogFormat* row = sniff_log_format({dir, {}, true, true});
  return row != nullptr && row->kind == LogKind::directory ? row : nullptr;
}

// Every log of a run directory: the files a reader recognises, up to kMaxFolders folders
// down, outside the dump folder, and the folders a directory format claims (read whole).
// A file that another file of the run holds in full (LogFormat::superseded) is left out.
std::vector<std::pair<fs::path, std::string>> walk_run_directory(
    const fs::path& root, const std::string& log_format, std::vector<std::string>& warnings) {
  std::vector<std::pair<fs::path, std::string>> logs;
  const bool detect = log_format == "auto";
  const LogFormat* named = find_log_format(log_format);
  // A directory format named with --log-format reads folders only.
  const bool files = detect || named == nullptr || named->kind != LogKind::directory;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    if (it->is_directory(ec)) {
      if (skipped_folder(p)) {
        it.disable_recursion_pending();
      } else if (const LogFormat* row = directory_format(p)) {
        // Read whole; with --log-format, only when it names this format.
        if (detect || row->name == log_format) logs.emplace_back(p, std::string(row->name));
        it.disable_recursion_pending();
      } else if (it.depth() >= kMaxFolders) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!files || !it->is_regular_file(ec)) continue;
    // A name rule (trainer_state.json, *tfevents*) claims a file whatever its extension;
    // with --log-format, a file that a name rule gives to another format is not its.
    const LogFormat* by_name = sniff_log_format({p, {}, false, false});
    if (detect ? (by_name == nullptr && skipped_file(p))
               : (by_name != nullptr ? by_name->name != log_format : skipped_file(p))) {
      continue;
    }
    std::string format = log_format;
    if (detect) {
      try {
        format = detect_log_format(p);
      } catch (const Error& e) {
        warnings.push_back(p.string() + ": skipped (" + e.what() + ")");
        continue;
      }
    }
    const LogFormat* row = find_log_format(format);
    if (row != nullptr && row->superseded != nullptr && row->superseded(p, root)) continue;
    if (!format.empty()) logs.emplace_back(p, format);
  }
  return logs;
}

// A log from which no value was read is an input error, never a clean audit: it names the
// file, how it was read and what it holds. Another --log-format is suggested only when the
// format was guessed from the content; a name or a layout that fixes it (an empty
// trainer_state.json log_history) means the log holds no value, and the message says so.
std::string nothing_read(const fs::path& file, const std::string& format, bool named) {
  const LogFormat* row = find_log_format(format);
  std::string out = file.string() + ": no metric value read from it as " + format + " (" +
                    (row != nullptr ? describe_log_start(file, *row) : "unknown format") + ")";
  const std::string looks = row != nullptr ? std::string(row->looks_like) : "a log";
  if (named) return out + "; expected " + looks + " as --log-format says";
  if (row != nullptr && format_by_name(file) == row) {
    std::error_code ec;
    return out + ": " + looks + " by its " + (fs::is_directory(file, ec) ? "layout" : "name") +
           ", holding no logged metric";
  }
  return out + "; expected " + looks + ", or name its format with --log-format";
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
    // A folder a directory format reads whole (an MLflow store), else every log in it.
    const LogFormat* whole = directory_format(path);
    if (whole != nullptr && (options.log_format == "auto" || whole->name == options.log_format)) {
      logs.emplace_back(path, std::string(whole->name));
    } else {
      logs = walk_run_directory(path, options.log_format, in.warnings);
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
