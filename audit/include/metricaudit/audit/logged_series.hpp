// What a log reader produces: every number a training log reports, with where
// it came from and how precisely it was printed. Readers never compute metrics
// (../shared/DESIGN.md, data flow); the matcher compares these with candidates.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/split_names.hpp"

namespace metricaudit::audit {

/// How exactly the logged value is known; the matcher's tolerance follows from it.
struct Precision {
  enum class Kind : std::uint8_t {
    decimal,  ///< printed as text with `decimals` digits after the point (or in %e form)
    float32,  ///< stored as a binary float32 (TensorBoard simple_value, float_val)
    float64,  ///< stored as a binary float64
  };
  Kind kind = Kind::decimal;
  /// Digits after the decimal point, for Kind::decimal (the readers stop counting at 400:
  /// 10^-400 is 0 in a double, as every tolerance past 10^-324 is).
  std::uint16_t decimals = 4;
  /// For text in exponent form ("1.2e-05"): digits of the mantissa, counted up to 65535;
  /// else 0.
  std::uint16_t significant_digits = 0;
};

/// An epoch or step number, or none, in the 8 bytes of the number: INT64_MIN stands for
/// "none" (a std::optional would take 16). Reads and writes like a
/// std::optional<std::int64_t>. No reader produces INT64_MIN as an epoch or step (text
/// readers parse at most 18 digits; TensorBoard refuses that step with an InputError).
class LoggedIndex {
 public:
  constexpr LoggedIndex() = default;
  constexpr LoggedIndex(std::nullopt_t) {}
  constexpr LoggedIndex(std::int64_t v) : v_(v) {}
  constexpr LoggedIndex(const std::optional<std::int64_t>& v) : v_(v ? *v : kNone) {}

  constexpr bool has_value() const { return v_ != kNone; }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr std::int64_t operator*() const { return v_; }
  std::int64_t value() const { return std::optional<std::int64_t>(*this).value(); }
  constexpr std::int64_t value_or(std::int64_t fallback) const {
    return has_value() ? v_ : fallback;
  }
  constexpr void reset() { v_ = kNone; }
  constexpr operator std::optional<std::int64_t>() const {
    return has_value() ? std::optional<std::int64_t>(v_) : std::nullopt;
  }
  /// The optional's order: none before every number.
  friend constexpr auto operator<=>(LoggedIndex a, LoggedIndex b) = default;
  friend constexpr bool operator==(LoggedIndex a, LoggedIndex b) = default;
  friend constexpr bool operator==(LoggedIndex a, std::int64_t b) {
    return a.has_value() && a.v_ == b;
  }
  friend constexpr bool operator==(LoggedIndex a, std::nullopt_t) { return !a.has_value(); }
  // Exact, so that std::optional's own operator== templates (which would compare a
  // nullopt with "none" as unequal) are not chosen.
  friend constexpr bool operator==(LoggedIndex a, const std::optional<std::int64_t>& b) {
    return a == LoggedIndex(b);
  }
  friend std::ostream& operator<<(std::ostream& o, LoggedIndex i) {
    return i ? o << *i : o << "none";
  }

  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();

 private:
  std::int64_t v_ = kNone;
};

/// Index of a metric name in its run's table (LoggedRun::metrics).
using MetricId = std::uint32_t;

/// One logged number. A dense 1 GB CSV holds 50-80 million, so a point holds no
/// string: the metric name is an index into its run's table, the split an enum and the
/// file the run's (LoggedRun::metric, LoggedRun::file_of). It stays within 56 bytes.
struct LoggedPoint {
  LoggedIndex epoch;  ///< 0-based epoch (Keras "Epoch 1/10" is epoch 0)
  LoggedIndex step;   ///< global step when the log gives one
  double value = 0.0;
  std::int64_t line = 0;    ///< 1-based line of a text log; 0 for binary logs
  std::int64_t offset = 0;  ///< byte offset of the record (binary logs) or of the line
  Precision precision;
  MetricId metric_id = 0;  ///< the name as logged ("val_accuracy"): LoggedRun::metric(point)
  /// From the name's prefix/suffix or the log's structure.
  Split split = Split::train;
  /// Keras progress bar and History: training metrics are running means over the epoch so far.
  bool running_mean = false;
  /// Lightning: the value was logged per step (`*_step`) rather than per epoch (`*_epoch`).
  bool per_step = false;
};
// The readers hold every point of a log in memory, and the audit a few bytes more per point
// (its rules' series): 56 bytes keeps the whole audit within 64 bytes per logged value, so
// a dense 1 GB CSV (one value per 14-20 bytes of text) audits in about 4-5 GB (issue 13).
static_assert(sizeof(LoggedPoint) <= 56, "a LoggedPoint must stay within 56 bytes");

/// Everything read from one log file.
struct LoggedRun {
  std::string format;  ///< the name of the registry row that read it (log_formats.hpp)
  std::string file;
  /// The run's own name where the log records one (an MLflow run's run_name); else empty.
  std::string name;
  /// The distinct metric names, each once; LoggedPoint::metric_id indexes it.
  std::vector<std::string> metrics;
  /// Where a log keeps each metric in a file of its own (MLflow's metrics/<key>): that
  /// file, parallel to `metrics`; empty when every point was read from `file`.
  std::vector<std::string> metric_files;
  std::vector<LoggedPoint> points;
  std::vector<std::string> warnings;  ///< tolerated noise worth telling ("file:line: skipped ...")

  /// The point's metric name as logged.
  const std::string& metric(const LoggedPoint& p) const { return metrics[p.metric_id]; }
  /// The file the point was read from.
  const std::string& file_of(const LoggedPoint& p) const {
    return metric_files.empty() ? file : metric_files[p.metric_id];
  }
  /// The id of `metric_name` in `metrics`, added when new (a linear search: readers with many
  /// names per record keep their own index, detail::MetricNames).
  MetricId metric_id(std::string_view metric_name);
};

}  // namespace metricaudit::audit
