// What a log reader produces: every number a training log reports, with where
// it came from and how precisely it was printed. Readers never compute metrics
// (../shared/DESIGN.md, data flow); the matcher compares these with candidates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace metricaudit::audit {

/// How exactly the logged value is known; the matcher's tolerance follows from it.
struct Precision {
  enum class Kind {
    decimal,  ///< printed as text with `decimals` digits after the point (or in %e form)
    float32,  ///< stored as a binary float32 (TensorBoard simple_value, float_val)
    float64,  ///< stored as a binary float64
  };
  Kind kind = Kind::decimal;
  int decimals = 4;            ///< digits after the decimal point, for Kind::decimal
  int significant_digits = 0;  ///< for text in exponent form ("1.2e-05"): digits of the mantissa; else 0
};

/// One logged number.
struct LoggedPoint {
  std::string metric;  ///< the name as logged: "val_accuracy", "acc_epoch", "loss"
  std::string split;   ///< "train", "val" or "test", from the name's prefix/suffix or the log's structure
  std::optional<std::int64_t> epoch;  ///< 0-based epoch (Keras "Epoch 1/10" is epoch 0)
  std::optional<std::int64_t> step;   ///< global step when the log gives one
  double value = 0.0;
  Precision precision;
  /// Keras progress bar and History: training metrics are running means over the epoch so far.
  bool running_mean = false;
  /// Lightning: the value was logged per step (`*_step`) rather than per epoch (`*_epoch`).
  bool per_step = false;
  std::string file;         ///< the file it was read from
  std::int64_t line = 0;    ///< 1-based line of a text log; 0 for binary logs
  std::int64_t offset = 0;  ///< byte offset of the record (binary logs) or of the line
};

/// Everything read from one log file.
struct LoggedRun {
  std::string format;  ///< the name of the registry row that read it (log_formats.hpp)
  std::string file;
  /// The run's own name where the log records one (an MLflow run's run_name); else empty.
  std::string name;
  std::vector<LoggedPoint> points;
  std::vector<std::string> warnings;  ///< tolerated noise worth telling ("file:line: skipped ...")
};

}  // namespace metricaudit::audit
