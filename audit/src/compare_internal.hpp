// Pieces of run_compare, one file each: reading a run as the audit does
// (compare_runs.cpp), pairing the two runs' metrics (compare_pairs.cpp), one pair at
// one epoch under the common convention with its test (compare_tests.cpp), and the
// verdict (compare_verdict.cpp). compare.cpp strings them together.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "internal.hpp"
#include "metricaudit/audit/compare.hpp"
#include "metricaudit/audit/dump_batch.hpp"
#include "metricaudit/audit/dumps.hpp"

namespace metricaudit::audit::detail {

// ---- compare_runs.cpp -------------------------------------------------------

/// One logged metric of a run at epoch level, with each epoch's point matched against
/// the dump of its split and epoch (when there is one).
struct RunSeries {
  std::string metric;
  std::string kind;  ///< "accuracy", "top<k>", "loss"
  std::string split;
  MetricName name;
  /// A point with the file it was read from (the series may span logs).
  struct Point {
    LoggedPoint point;
    std::string file;
  };
  std::map<std::int64_t, Point> points;         ///< by epoch; the first log read wins
  std::map<std::int64_t, PointResult> matched;  ///< the epochs that have a dump
};

/// A run as compare reads it: what the audit reads, organised by metric.
struct ReadRun {
  std::string label;  ///< "A" or "B"
  AuditOptions options;
  CompareRun info;
  std::vector<RunSeries> series;  ///< in order of first appearance
  std::vector<Recomputed> dumps;
  std::optional<std::filesystem::path> predictions;
  std::vector<std::string> warnings;

  /// The recomputed dump behind a matched point.
  const Recomputed* dump(const std::string& path) const;
};

/// Reads one run: logs, dumps, epoch-level series (per-step values left out; a value
/// logged with a step only takes its epoch from the same log's step -> epoch mapping),
/// the matcher's explanations and the audit's dump findings.
ReadRun read_run(const AuditOptions& options, const std::string& label);

/// "accuracy", "top<k>" or "loss".
std::string kind_name(const MetricName& name);

// ---- compare_pairs.cpp ------------------------------------------------------

struct SeriesPair {
  std::size_t a = 0, b = 0;  ///< indices into the runs' series
};

/// The pairs to compare: options.pairs when given (each name must exist and both must be
/// of one kind), else every (kind, split) both runs log, the first name of each run.
/// Throws InvalidArgument when nothing pairs. Appends notes and unpaired metrics.
std::vector<SeriesPair> pair_series(const ReadRun& a, const ReadRun& b,
                                    const CompareOptions& options, std::vector<std::string>& notes,
                                    std::vector<std::string>& unpaired);

// ---- compare_tests.cpp ------------------------------------------------------

/// The dumps of one run read again as arrays (the audit kept only their states), by the
/// path the audit gave them; cleared between epochs to bound memory.
class DumpArrays {
 public:
  explicit DumpArrays(const ReadRun& run);
  /// The dump's batch; nullptr (with `problem` set) when it cannot be read as multi-class.
  const DumpBatch* batch(const std::string& path, std::string& problem);
  void clear() { loaded_.clear(); }

 private:
  struct Loaded {
    Dump dump;
    DumpBatch batch;
    std::string problem;
  };
  const ReadRun& run_;
  std::map<std::string, DumpLocation> locations_;
  std::map<std::string, std::unique_ptr<Loaded>> loaded_;
};

/// Checks options.convention against the catalogue (InvalidArgument listing the ids when
/// it names none); nothing to check without a multi-class dump.
void check_convention(const ReadRun& a, const ReadRun& b, const std::string& convention);

/// One pair at one epoch: both sides' logged and common values, and the test of B - A
/// under the common convention (paired on equal targets, else independent). A test that
/// cannot run leaves `test` empty and says why in `reason`.
Comparison compare_epoch(const ReadRun& a, const ReadRun& b, const RunSeries& sa,
                         const RunSeries& sb, std::int64_t epoch, const CompareOptions& options,
                         DumpArrays& arrays_a, DumpArrays& arrays_b);

/// Without dumps: the logged values of two accuracies as proportions of `eval_size`
/// samples each (Newcombe's independent interval), marked tested = "logged".
void test_logged_values(Comparison& c, std::int64_t eval_size_a, std::int64_t eval_size_b,
                        double alpha);

// ---- compare_verdict.cpp ----------------------------------------------------

/// Sets the verdict of a judged comparison and the reason people read.
/// ``min_effect`` > 0: a significant difference inside [-min_effect, min_effect] is negligible.
void judge(Comparison& c, const ReadRun& a, const ReadRun& b, double alpha, double min_effect);

}  // namespace metricaudit::audit::detail
