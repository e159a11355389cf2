// Pieces of the audit, one file each: naming (metric_names.cpp), finding the
// inputs (inputs.cpp), recomputing from dumps (recompute.cpp), matching logged
// values with candidates (match.cpp), and the rules that turn matches and logs
// into findings (dump_rules.cpp, log_rules.cpp). audit.cpp strings them together.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "metricaudit/audit/audit.hpp"
#include "metricaudit/audit/dump.hpp"
#include "metricaudit/audit/logged_series.hpp"
#include "metricaudit/audit/report.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/convention.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit::audit::detail {

// ---- repeated_epochs.cpp ----------------------------------------------------
/// Per (metric, split) series of a log: the epochs (-1 for points without one) at which
/// it was logged more than once, which makes it a per-step series. Built by sorting each
/// series' epochs: 8 bytes per point while building, where a map keyed by epoch held a
/// node per point (gigabytes for a dense 100 MB CSV).
class RepeatedEpochs {
 public:
  explicit RepeatedEpochs(const LoggedRun& run);
  /// `p` is a point of the run given.
  bool contains(const LoggedPoint& p) const;

 private:
  std::set<std::tuple<MetricId, Split, std::int64_t>> twice_;  ///< (series, epoch) held twice
};

// ---- metric_names.cpp -------------------------------------------------------
enum class Kind {
  accuracy,
  top_k_accuracy,
  loss,
  precision,
  recall,
  f1,
  balanced_accuracy,
  ignored,
  unknown
};

struct MetricName {
  Kind kind = Kind::unknown;
  int top_k = 1;  ///< for top_k_accuracy
  /// The average a precision, recall or F1 name states ("val_f1_macro", "micro_precision").
  std::optional<Average> average;
  std::string base;  ///< the name without split prefixes and _step/_epoch suffixes
  /// Lightning's "_epoch" suffix: an aggregate over an epoch, never one batch's value.
  bool epoch_level = false;
};

/// Classifies a logged name ("val_acc", "train_loss_epoch", "top5", "val_f1_macro", "lr").
/// `overrides` maps a logged name to accuracy | loss | top<k> | precision | recall | f1 |
/// balanced_accuracy | ignore.
MetricName classify_metric(const std::string& name,
                           const std::map<std::string, std::string>& overrides);

// ---- inputs.cpp -------------------------------------------------------------
struct Inputs {
  std::vector<LoggedRun> runs;  ///< one per log file, structured formats first
  std::optional<std::filesystem::path> predictions;
  std::vector<std::string> warnings;
};

/// Finds and reads the logs (a file, or every recognised log in a run directory)
/// and locates the dump folder.
Inputs read_inputs(const AuditOptions& options);

// ---- recompute.cpp ----------------------------------------------------------
/// A dump evaluated once into a state, read under the catalogue many times.
struct Recomputed {
  std::string path;
  std::string split;
  std::optional<std::int64_t> epoch, step;
  bool probabilities = false;                 ///< the dump stores probs (not logits or labels)
  std::unique_ptr<SufficientState> state;     ///< a multi-class dump
  std::unique_ptr<LabelwiseState> labelwise;  ///< a binary or multilabel dump
  std::string problem;            ///< why the dump cannot be used (both states are null then)
  std::int64_t rows = 0;          ///< samples in the dump
  std::int64_t repeated_ids = 0;  ///< rows whose sample id an earlier row has (0 without ids)
  bool usable() const { return state || labelwise; }
};

/// Loads every dump in `dir` and evaluates it. num_classes is needed for label-only dumps.
std::vector<Recomputed> recompute_dumps(const std::filesystem::path& dir,
                                        std::optional<std::int64_t> num_classes,
                                        std::vector<std::string>& warnings);

// ---- match.cpp --------------------------------------------------------------
/// The catalogue a logged kind is read under (top-k accuracy: accuracy's).
MetricKind catalogue_kind(Kind kind);

/// The tolerance within which a candidate explains a logged value, from how
/// precisely the value was written (printed decimals, float32, float64).
double tolerance(const LoggedPoint& point);

/// Compares one logged point with every candidate of its kind read from `dump`.
PointResult match_point(const LoggedPoint& point, const MetricName& name, const Recomputed& dump);

// ---- dump_rules.cpp ---------------------------------------------------------
/// Findings from matched points (MA*, ML*, MX*), one per (metric, split, explanation).
std::vector<Finding> dump_findings(const std::vector<PointResult>& points);

/// MX002: dumps that evaluated some samples twice (repeated sample ids, or more rows than
/// --eval-size), one finding per split.
std::vector<Finding> padding_findings(const std::vector<Recomputed>& dumps,
                                      std::optional<std::int64_t> eval_size);

/// A value as findings' messages print it ("0.6225").
std::string four_decimals(double v);

// ---- log_rules.cpp ----------------------------------------------------------
struct LogFacts {
  std::optional<std::int64_t> num_classes;  ///< from --num-classes or a dump
  std::optional<std::int64_t> eval_size;
  std::optional<std::int64_t> batch_size;
};

/// Log-only findings (LG*): rules that need no dumps. `already` holds the
/// (metric, split) pairs that dump-based findings explained, so they are not
/// reported twice.
std::vector<Finding> log_findings(const std::vector<LoggedRun>& runs,
                                  const std::map<std::string, std::string>& overrides,
                                  const LogFacts& facts, const std::vector<Finding>& already);

}  // namespace metricaudit::audit::detail
