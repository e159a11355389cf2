// Named profiles: the defaults and rules of one library (and version range), so
// that `profile="torchmetrics-0.11"` reproduces what that library prints. Each
// profile cites the source file it was read from; tests compare against the
// library's own output (tests/golden, tests/python).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "metricaudit/convention.hpp"

namespace metricaudit {

struct Profile {
  std::string_view
      name;  ///< "torchmetrics-0.11", "torchmetrics-1", "sklearn", "keras", "torch.nn", ...
  std::string_view library;  ///< who computes it this way, with versions
  std::string_view source;   ///< the file the rules were read from
  Average default_average;   ///< of the library's usual multi-class accuracy entry point
  Average score_average;     ///< of its precision / recall / F1
  Absent absent;             ///< which classes enter a macro mean at top_k = 1
  Absent absent_top_k;       ///< ... at top_k > 1
  Absent f1_absent_top_k;    ///< ... for F1 at top_k > 1 (torchmetrics 1.x differs from accuracy)
  ZeroDivision zero_division;
  TieRule ties;  ///< of its top-k API, used whenever top_k is given (k = 1 included)
  TopKPredicted topk_predicted;  ///< what a sample predicts at top_k > 1 (precision, F1)
  LossFamily loss;               ///< how the library reads scores for its cross-entropy default
  ClassWeightNorm weight_norm;
  TargetForm target_form;  ///< how its cross-entropy meets the target
  ScoreCast score_cast;    ///< what it does to the scores first (applied by the caller)
  // Binary and multilabel defaults.
  ScoreReading reading;           ///< how scores become decisions
  MultilabelAccuracy multilabel;  ///< what "accuracy" means on an (N, L) target
  Average labelwise_average;      ///< of accuracy / precision / recall / F1 over labels
  BinaryLossFamily binary_loss;   ///< of binary cross-entropy
};

/// Every profile, in a fixed order; the last is "default", what applies when no
/// profile is named.
std::span<const Profile> profiles();
/// The "default" profile.
const Profile& default_profile();
/// The profile of that name; InvalidArgument listing the known names otherwise.
const Profile& find_profile(std::string_view name);

/// Options a caller states explicitly; what is left unset comes from the profile.
struct ConventionOverrides {
  std::optional<Average> average;
  std::optional<Absent> absent;
  std::optional<ZeroDivision> zero_division;
  std::optional<int> top_k;
  std::optional<TieRule> ties;
  std::optional<TopKPredicted> topk_predicted;
  std::optional<bool> adjusted;
  std::optional<LossFamily> loss;
  std::optional<ClassWeightNorm> weight_norm;
  std::optional<std::vector<double>> class_weights;
  std::optional<double> label_smoothing;
  std::optional<Reduction> reduction;
  std::optional<TargetForm> target_form;
};

/// The convention `profile` uses for `metric`, with explicit overrides applied. A tie
/// rule follows top_k: an explicit top_k (1 included: Keras' TopKCategoricalAccuracy(k=1),
/// sklearn's top_k_accuracy_score(k=1)) takes the profile's top-k tie rule; without one,
/// accuracy is the first-index argmax (index_order) of every library.
Convention resolve(const Profile& profile, Metric metric,
                   const ConventionOverrides& overrides = {});

/// Options of a binary / multilabel reading a caller states explicitly.
struct LabelwiseOverrides {
  std::optional<Average> average;
  std::optional<Absent> absent;
  std::optional<ZeroDivision> zero_division;
  std::optional<MultilabelAccuracy> multilabel;  ///< accuracy only
  std::optional<ScoreReading> reading;
  std::optional<BinaryLossFamily> loss;
  std::optional<Reduction> reduction;
};

/// The binary / multilabel convention `profile` uses for `metric`, overrides applied.
/// Accuracy follows the profile's MultilabelAccuracy rule (subset accuracy for sklearn;
/// on one label every rule gives the same value).
LabelwiseConvention resolve(const Profile& profile, LabelwiseMetric metric,
                            const LabelwiseOverrides& overrides = {});

}  // namespace metricaudit
