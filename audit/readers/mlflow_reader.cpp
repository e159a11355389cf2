// MLflow's file store (format "mlflow", a directory format): a store, an experiment or a
// run directory, each run one LoggedRun (mlflow_store.hpp has the layout).
//
// MLflow keeps steps only. Epochs come from a metric named "epoch" when the run has one
// (Lightning's MLFlowLogger writes it at every logging step: epoch_series.hpp); without
// it every value has a step and no epoch, whatever the step meant to the script (a loop
// calling log_metric(k, v, step=epoch), Keras autologging's epoch-end metrics). Splits
// come from the key (split_from_metric_name: "val_loss", "eval_f1", "val/f1"; "train"
// otherwise). Values keep the precision of their text (Python's repr of a float).
#include <algorithm>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metricaudit/audit/epoch_series.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "mlflow_store.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMeta = "meta.yaml";

// Python's int() of a field: an optional sign and digits.
std::optional<std::int64_t> whole_number(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::int64_t value = 0;
  if (text.empty() || read_digits(text, &value) != text.size()) return std::nullopt;
  return negative ? -value : value;
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// A run: meta.yaml and a metrics/ folder.
bool is_run(const fs::path& dir) {
  return is_file(dir / kMeta) && is_dir(dir / "metrics");
}

// The subfolders of `dir` in name order, hidden ones (".trash") left out.
std::vector<fs::path> subfolders(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().starts_with(".")) continue;
    if (is_dir(it->path())) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool holds_run(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_run(it->path())) return true;
  }
  return false;
}

// An experiment: meta.yaml beside its runs.
bool is_experiment(const fs::path& dir) {
  return is_file(dir / kMeta) && holds_run(dir);
}

bool is_store(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_experiment(it->path())) return true;
  }
  return false;
}

// A small text file (meta.yaml, a tag): its first 64 KiB.
std::string read_small(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text(std::size_t{64} << 10, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    std::string out;
    v = v.substr(1, v.size() - 2);
    for (std::size_t i = 0; i < v.size(); ++i) {
      out += v[i];
      if (v[i] == '\'' && i + 1 < v.size() && v[i + 1] == '\'') ++i;  // '' is a quote
    }
    return out;
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string out;
    v = v.substr(1, v.size() - 2);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

std::string run_name(const fs::path& run) {
  if (auto name = mlflow_meta_value(read_small(run / kMeta), "run_name"); name && !name->empty()) {
    return *name;
  }
  // The tag holds the same name; older stores have only it.
  const fs::path tag = run / "tags" / "mlflow.runName";
  if (is_file(tag)) return std::string(trim(read_small(tag)));
  return run.filename().string();
}

}  // namespace

MlflowMetric read_mlflow_metric(std::istream& in, std::string key, std::string file,
                                const TextLogOptions& options) {
  MlflowMetric metric{std::move(key), std::move(file), {}};
  RecordReader reader(in, metric.file, "\n", options.max_line_bytes);
  Record rec;
  std::vector<std::string_view> fields;
  while (reader.next(rec)) {
    const std::string_view line = trim(rec.text);
    if (line.empty()) continue;
    fields.clear();
    for (std::size_t at = 0;;) {
      const std::size_t cut = line.find(' ', at);
      fields.push_back(line.substr(at, cut == std::string_view::npos ? cut : cut - at));
      if (cut == std::string_view::npos) break;
      at = cut + 1;
    }
    if (fields.size() != 2 && fields.size() != 3 && fields.size() != 5) {
      fail(metric.file, rec.line,
           std::to_string(fields.size()) +
               " fields; expected 'timestamp value step' (an MLflow metric line), found " +
               quote_text(line));
    }
    MlflowValue& v = metric.values.emplace_back();
    v.line = rec.line;
    v.offset = rec.offset;
    const auto timestamp = whole_number(fields[0]);
    if (!timestamp) {
      fail(metric.file, rec.line,
           "the timestamp " + quote_text(fields[0]) + " is not a whole number of milliseconds");
    }
    v.timestamp = *timestamp;
    const auto number = parse_number(fields[1]);
    if (!number)
      fail(metric.file, rec.line, "the value " + quote_text(fields[1]) + " is not a number");
    v.number = *number;
    if (fields.size() > 2) {
      const auto step = whole_number(fields[2]);
      if (!step) {
        fail(metric.file, rec.line, "the step " + quote_text(fields[2]) + " is not a whole number");
      }
      v.step = *step;
    }
  }
  return metric;
}

std::optional<std::string> mlflow_meta_value(std::string_view meta_yaml, std::string_view key) {
  std::optional<std::string> value;
  for (std::size_t pos = 0; pos < meta_yaml.size();) {
    std::size_t end = meta_yaml.find('\n', pos);
    if (end == std::string_view::npos) end = meta_yaml.size();
    std::string_view line = meta_yaml.substr(pos, end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    pos = end + 1;
    if (value) {
      // yaml.safe_dump folds a long scalar over indented lines; a line break is a space.
      if (line.empty() || (line[0] != ' ' && line[0] != '\t')) break;
      *value += ' ';
      *value += trim(line);
      continue;
    }
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':' &&
        (line.size() == key.size() + 1 || line[key.size() + 1] == ' ')) {
      value = std::string(trim(line.substr(key.size() + 1)));
    }
  }
  if (!value) return std::nullopt;
  return unquote(*value);
}

LoggedRun mlflow_run_points(std::vector<MlflowMetric> metrics, std::string file) {
  LoggedRun run;
  run.file = std::move(file);
  EpochsByStep epochs;
  const auto epoch_metric = std::find_if(metrics.begin(), metrics.end(),
                                         [](const MlflowMetric& m) { return m.key == "epoch"; });
  if (epoch_metric != metrics.end()) {
    for (const MlflowValue& v : epoch_metric->values) {
      if (!epochs.add(v.step, v.timestamp, v.number.value)) {
        run.warnings.push_back(epoch_metric->file + ":" + std::to_string(v.line) +
                               ": an epoch value that is not a whole number >= 0; the run's "
                               "values are left without epochs");
        epochs = EpochsByStep{};
        break;
      }
    }
  }
  const bool by_epoch = !epochs.empty();
  for (const MlflowMetric& m : metrics) {
    if (by_epoch && &m == &*epoch_metric) continue;  // consumed: it places the others
    const Split split = split_from_metric_name(m.key, Split::train);
    const bool per_step = by_epoch ? lightning_per_step(m.key, split) : m.key.ends_with("_step");
    // One file per key (metrics/<key>): the table's names are distinct, so ids are new.
    const auto id = static_cast<MetricId>(run.metrics.size());
    run.metrics.push_back(m.key);
    run.metric_files.push_back(m.file);
    for (const MlflowValue& v : m.values) {
      LoggedPoint& p =
          add_point(run, id, split, v.number.value, v.number.precision, v.line, v.offset);
      p.step = v.step;
      if (by_epoch) p.epoch = epochs.at(v.step, v.timestamp);
      p.per_step = per_step;
    }
  }
  return run;
}

std::vector<fs::path> mlflow_runs(const fs::path& dir, std::vector<std::string>& warnings) {
  if (is_run(dir)) return {dir};
  std::vector<fs::path> experiments;
  if (is_file(dir / kMeta)) {
    experiments.push_back(dir);
  } else {
    experiments = subfolders(dir);
  }
  std::vector<fs::path> runs;
  for (const fs::path& experiment : experiments) {
    for (const fs::path& run : subfolders(experiment)) {
      if (!is_run(run)) continue;
      if (mlflow_meta_value(read_small(run / kMeta), "lifecycle_stage") == "deleted") {
        warnings.push_back(run.string() +
                           ": skipped: a deleted MLflow run (lifecycle_stage: deleted)");
        continue;
      }
      runs.push_back(run);
    }
  }
  return runs;
}

// A run, an experiment (meta.yaml beside run folders) or a store (experiment folders).
std::optional<std::size_t> sniff_mlflow(const LogCandidate& c) {
  if (!c.directory) return std::nullopt;
  if (is_run(c.path) || is_experiment(c.path) || is_store(c.path)) return 0;
  return std::nullopt;
}

std::vector<LoggedRun> read_mlflow(const LogSource& source, const TextLogOptions& options) {
  std::vector<std::string> warnings;
  std::vector<LoggedRun> runs;
  for (const fs::path& dir : mlflow_runs(source.path, warnings)) {
    std::vector<MlflowMetric> metrics;
    const fs::path folder = dir / "metrics";
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (!is_file(it->path())) continue;
      std::ifstream in = open_log_file(it->path());
      metrics.push_back(read_mlflow_metric(in,
                                           it->path().lexically_relative(folder).generic_string(),
                                           it->path().string(), options));
    }
    std::sort(metrics.begin(), metrics.end(),
              [](const MlflowMetric& a, const MlflowMetric& b) { return a.key < b.key; });
    LoggedRun& run = runs.emplace_back(mlflow_run_points(std::move(metrics), dir.string()));
    run.name = run_name(dir);
  }
  if (runs.empty()) {
    LoggedRun& none = runs.emplace_back();
    none.file = source.name;
    none.warnings.push_back(source.name + ": no MLflow run with metrics in it");
  }
  runs.front().warnings.insert(runs.front().warnings.begin(), warnings.begin(), warnings.end());
  return runs;
}

}  // namespace metricaudit::audit::detail
