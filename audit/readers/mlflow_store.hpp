// MLflow's file store (format "mlflow"), in pieces that work on streams and text so that
// the tests and the fuzz harness reach them without a directory tree. Layout
// (mlflow/store/tracking/file_store.py, FileStore):
//
//   <store>/<experiment id>/meta.yaml                 the experiment
//   <store>/<experiment id>/<run id>/meta.yaml        the run: run_name, lifecycle_stage
//   <store>/<experiment id>/<run id>/metrics/<key>    "timestamp value step" lines; a key
//                                                     with '/' is a path of subfolders
//   <store>/.trash/                                   deleted experiments
//
// Private to audit/readers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/logged_series.hpp"
#include "metricaudit/audit/text_log_readers.hpp"
#include "numbers.hpp"

namespace metricaudit::audit::detail {

/// One line of a metric file.
struct MlflowValue {
  std::int64_t timestamp = 0;  ///< milliseconds since the epoch, as MLflow wrote it
  ParsedNumber number;
  std::int64_t step = 0;  ///< 0 for the old two-field lines, as MLflow reads them
  std::int64_t line = 0;
  std::int64_t offset = 0;
};

/// One metric of a run: its key and every value in file order.
struct MlflowMetric {
  std::string key;   ///< "val_loss", "val/f1"
  std::string file;  ///< the metric file, for points and messages
  std::vector<MlflowValue> values;
};

/// Reads a metric file: one "timestamp value step" line per value (file_store.py,
/// _get_metric_from_line: 2, 3 or 5 fields separated by single spaces, the last two
/// a dataset's name and digest). Blank lines are skipped. Throws InputError "file:line:
/// ..." for any other line.
MlflowMetric read_mlflow_metric(std::istream& in, std::string key, std::string file,
                                const TextLogOptions& options);

/// A top-level value of a meta.yaml as yaml.safe_dump writes it ("run_name: two-epochs",
/// quoted or folded over indented lines), unquoted; nullopt when the key is absent.
std::optional<std::string> mlflow_meta_value(std::string_view meta_yaml, std::string_view key);

/// A run's points from its metrics. A metric "epoch" (Lightning's MLFlowLogger logs one
/// at every logging step) gives every value at its step that epoch, and the names then
/// take Lightning's per_step meaning; without one the values carry a step only. `file`
/// names the run (its directory).
LoggedRun mlflow_run_points(std::vector<MlflowMetric> metrics, std::string file);

/// The runs below `dir` (a store, an experiment or a run), in name order; deleted ones
/// (lifecycle_stage: deleted) are left out with a warning in `warnings`.
std::vector<std::filesystem::path> mlflow_runs(const std::filesystem::path& dir,
                                               std::vector<std::string>& warnings);

}  // namespace metricaudit::audit::detail
