// What `metricaudit compare` decides: for each pair of metrics (one per run, same kind
// and split) and each epoch both runs logged, the two logged values, the conventions
// that explain them, both values under one common convention, the difference B - A, its
// interval and test, and on the judged epochs a verdict. Writers (compare_writers.hpp)
// render this and decide nothing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/logged_series.hpp"
#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit {

/// A judged comparison's verdict (docs/compare.md).
enum class Verdict {
  convention,  ///< the logged gap comes from the conventions: under the common one no significant
               ///< difference
  real,        ///< significantly different under the common convention
  negligible,  ///< significant, but the whole interval lies within --min-effect of 0
  noise,       ///< same convention, no significant difference
  undecided,   ///< no dumps to read both under one convention, no test, or too few samples
};
/// Every verdict, in the order the reports list them.
inline constexpr std::array<Verdict, 5> kVerdicts = {
    Verdict::convention, Verdict::real, Verdict::negligible, Verdict::noise, Verdict::undecided};
std::string_view verdict_name(Verdict v);  ///< "convention", "real", "negligible", ...

/// One run's side of a comparison at one epoch.
struct CompareSide {
  std::string metric;            ///< the name as logged
  std::optional<double> logged;  ///< the logged value
  Precision precision;           ///< how it was printed
  std::string file;              ///< where it was logged
  std::int64_t line = 0;
  std::vector<std::string> explained_by;  ///< catalogue ids whose value explains it
  std::string common_id;         ///< the catalogue reading the common convention is for this run
  std::optional<double> common;  ///< the value under it (from the dump)
  std::string dump;              ///< the dump it was recomputed from; empty without one
  std::int64_t samples = 0;      ///< samples in that dump
  std::int64_t num_classes = 0;  ///< C of that dump
};

struct DifferenceInterval {
  double low = 0.0;
  double high = 0.0;
};

/// One pair of metrics at one epoch.
struct Comparison {
  std::string kind;                   ///< "accuracy", "top<k>" or "loss"
  std::string split;                  ///< "train", "val", "test"
  std::optional<std::int64_t> epoch;  ///< 0-based; empty when the runs share no epoch
  bool judged = false;                ///< a verdict was asked for at this epoch
  CompareSide a, b;
  /// The common convention: a catalogue id ("accuracy.micro", or the --convention given),
  /// or "own-cross-entropy" (each run's cross-entropy of its own outputs: on logits, or
  /// Keras' on probabilities; the sides' common_id say which).
  std::string convention;
  std::optional<double> logged_difference;  ///< b.logged - a.logged
  std::optional<double> difference;         ///< b.common - a.common
  /// The test: "mcnemar-exact" (paired accuracies), "newcombe-independent" (accuracies on
  /// different samples), "paired-t" / "welch-t" (losses); empty when none ran.
  std::string test;
  /// "paired" (same samples: equal target vectors), "independent", or empty.
  std::string pairing;
  /// What was tested: "common" (both runs under the common convention, from the dumps) or
  /// "logged" (the logged values as proportions of --eval-size samples, without dumps).
  std::string tested;
  std::optional<double> p_value;           ///< two-sided; none for newcombe-independent
  std::optional<DifferenceInterval> ci95;  ///< 95 % interval of the difference
  std::optional<DifferenceInterval> ci;    ///< (1 - alpha) interval of the difference
  /// Paired accuracies: table[i][j] = samples with A's outcome i, B's outcome j (1 right).
  std::optional<std::array<std::array<std::int64_t, 2>, 2>> table;
  std::int64_t samples_a = 0, samples_b = 0;  ///< samples the test used
  std::optional<bool> significant;            ///< p < alpha, or the interval excludes 0
  std::optional<Verdict> verdict;             ///< on judged epochs
  std::string reason;  ///< why the verdict, for people; for undecided: what to capture
};

/// A run as compare read it.
struct CompareRun {
  std::string path;
  std::vector<std::string> logs;         ///< log files read
  std::vector<std::string> log_formats;  ///< parallel to logs
  std::string predictions;               ///< the dump folder, or empty
  std::vector<Finding> findings;         ///< the audit's dump findings on the compared metrics
};

struct CompareReport {
  static constexpr int kSchemaVersion = 1;
  std::string tool_version;
  CompareRun a, b;
  double alpha = 0.05;
  double min_effect = 0.0;  ///< --min-effect (0: off)
  /// Which epochs were judged: "last" (the last epoch both runs logged, per pair),
  /// "all", or "epoch" (the one --epoch named: judged_epoch).
  std::string judged = "last";
  std::optional<std::int64_t> judged_epoch;
  std::vector<Comparison> comparisons;  ///< pairs in order, epochs ascending within a pair
  std::vector<std::string> notes;       ///< pairing, epochs, multiple comparisons
  std::vector<std::string> unpaired;    ///< metrics only one run logged
  std::vector<std::string> warnings;    ///< tolerated input problems of either run

  /// 1 when a judged comparison is `real`, else 0.
  int exit_status() const;
};

}  // namespace metricaudit::audit
