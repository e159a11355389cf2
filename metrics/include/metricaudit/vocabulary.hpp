// The vocabulary of the conventions: every enum a convention, a profile or a state
// option is made of, each with its one name table. The names are what the Python
// API accepts and returns, what catalogue ids and docs/conventions.md use; the
// bindings, the Python package and the readings all look them up here.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "metricaudit/error.hpp"

namespace metricaudit {

/// One row of an enum's name table.
template <typename E>
struct Named {
  const char* name;
  E value;
};

/// Specialised once per enum below: `key` (unique, the vocabulary's entry in the
/// Python `vocabulary()`), `argument` (the keyword a value is parsed from, named in
/// errors) and `names` (one row per enumerator, in enum order).
template <typename E>
struct Vocabulary;

// ---- multi-class conventions ------------------------------------------------------

enum class Metric {
  accuracy,  ///< multi-class: micro = fraction right; per-class = recall (torchmetrics)
  precision,
  recall,
  f1,
  balanced_accuracy,  ///< sklearn balanced_accuracy_score (mean recall over classes in the target)
  elementwise_binary_accuracy,  ///< Keras binary_accuracy on one-hot targets: cells right / (N C)
  cross_entropy,
};
template <>
struct Vocabulary<Metric> {
  static constexpr std::string_view key = "metric", argument = "metric";
  static constexpr std::array<Named<Metric>, 7> names{{
      {"accuracy", Metric::accuracy},
      {"precision", Metric::precision},
      {"recall", Metric::recall},
      {"f1", Metric::f1},
      {"balanced_accuracy", Metric::balanced_accuracy},
      {"elementwise_binary_accuracy", Metric::elementwise_binary_accuracy},
      {"cross_entropy", Metric::cross_entropy},
  }};
};

/// How per-class (or per-label) ratios become one number (average_ratios in readings.hpp).
enum class Average {
  micro,
  macro,
  weighted,
  none,
  /// The positive class alone (pos_label = 1): sklearn's precision_score, recall_score and
  /// f1_score default, defined when at most two labels are present
  /// (sklearn/metrics/_classification.py, _check_set_wise_labels).
  binary,
};
template <>
struct Vocabulary<Average> {
  static constexpr std::string_view key = "average", argument = "average";
  static constexpr std::array<Named<Average>, 5> names{{
      {"micro", Average::micro},
      {"macro", Average::macro},
      {"weighted", Average::weighted},
      {"none", Average::none},
      {"binary", Average::binary},
  }};
};

/// Which classes enter a macro mean.
enum class Absent {
  zero,            ///< all C classes; an empty class scores zero_division (torchmetrics 0.10-0.11)
  exclude_unseen,  ///< classes with tp + fp + fn > 0 (torchmetrics <= 0.9 and >= 1.0 at top_k = 1;
                   ///< sklearn, labels = union of y_true and y_pred)
  exclude_no_support,  ///< classes with support > 0 (sklearn balanced_accuracy; torchmetrics
                       ///< >= 1.3.2 at top_k > 1)
};
template <>
struct Vocabulary<Absent> {
  static constexpr std::string_view key = "absent", argument = "absent";
  static constexpr std::array<Named<Absent>, 3> names{{
      {"zero", Absent::zero},
      {"exclude_unseen", Absent::exclude_unseen},
      {"exclude_no_support", Absent::exclude_no_support},
  }};
};

/// The value of a per-class ratio whose denominator is 0.
enum class ZeroDivision {
  zero,  ///< 0 (torchmetrics, sklearn's default "warn")
  one,   ///< 1 (sklearn zero_division=1)
  nan,   ///< NaN, and the class is left out of a macro mean (sklearn zero_division=np.nan)
};
template <>
struct Vocabulary<ZeroDivision> {
  static constexpr std::string_view key = "zero_division", argument = "zero_division";
  static constexpr std::array<Named<ZeroDivision>, 3> names{{
      {"zero", ZeroDivision::zero},
      {"one", ZeroDivision::one},
      {"nan", ZeroDivision::nan},
  }};
};

/// Tie rules for the rank of the target among the scores (top-k readings).
enum class TieRule : int {
  /// Stable order by descending score, ties by ascending class index: the
  /// target's rank counts equal scores of lower index. k = 1 is exactly the
  /// first-index argmax of torch and numpy.
  index_order = 0,
  /// Ties ranked with the highest class index first: scikit-learn's
  /// top_k_accuracy_score (argsort(kind="mergesort")[:, ::-1]).
  high_index_first = 1,
  /// Only strictly greater scores count: a tie at the boundary is a hit.
  /// tf.math.in_top_k (Keras top_k_categorical_accuracy).
  optimistic = 2,
  /// torch.topk on CPU (torchmetrics top_k > 1): std::partial_sort (k * 64 <= C) or
  /// std::nth_element on (value, index) pairs comparing values only
  /// (aten/src/ATen/native/TopKImpl.h). Which tied classes make the cut is whatever
  /// libstdc++'s algorithm leaves there; metricaudit runs the same calls on rows
  /// where the target ties across the boundary. Kept for the k in StateOptions::top_k
  /// only (no histogram).
  torch_topk = 3,
};
/// Tie rules with a rank histogram (torch_topk has none).
inline constexpr int kTieRules = 3;
template <>
struct Vocabulary<TieRule> {
  static constexpr std::string_view key = "ties", argument = "ties";
  static constexpr std::array<Named<TieRule>, 4> names{{
      {"index_order", TieRule::index_order},
      {"high_index_first", TieRule::high_index_first},
      {"optimistic", TieRule::optimistic},
      {"torch_topk", TieRule::torch_topk},
  }};
};

/// Which classes a sample predicts at top_k > 1 (the false positives of precision and F1;
/// accuracy and recall do not depend on it).
enum class TopKPredicted {
  /// The target on a hit, else the top-1 class: one predicted class per sample
  /// (torchmetrics >= 1.6.1, _refine_preds_oh in
  /// src/torchmetrics/functional/classification/stat_scores.py).
  top1_on_miss,
  /// All k classes of torch.topk's set: k predicted classes per sample, so micro
  /// precision@k = hits / (N k) (torchmetrics <= 1.6.0: select_topk's one-hot,
  /// src/torchmetrics/utilities/data.py). Needs StateOptions::topk_sets.
  whole_set,
};
template <>
struct Vocabulary<TopKPredicted> {
  static constexpr std::string_view key = "topk_predicted", argument = "topk_predicted";
  static constexpr std::array<Named<TopKPredicted>, 2> names{{
      {"top1_on_miss", TopKPredicted::top1_on_miss},
      {"whole_set", TopKPredicted::whole_set},
  }};
};

/// Loss families accumulated in the pass; each costs its own transcendental work per row.
enum class LossFamily : int {
  /// Softmax cross-entropy on the scores read as logits: logsumexp(z) - z_y.
  /// On scores that are probabilities this is "softmax applied twice".
  logits = 0,
  /// Keras categorical cross-entropy on probabilities: p <- p / sum(p),
  /// clip to [1e-7, 1 - 1e-7], -log p_y (keras/src/backend/*/nn.py categorical_crossentropy),
  /// in float32 whatever the input dtype (Loss.__call__ casts to the compute dtype).
  keras_probabilities = 1,
  /// scikit-learn >= 1.5 log_loss: clip to [eps(dtype), 1 - eps(dtype)], no renormalisation.
  sklearn_probabilities = 2,
  /// scikit-learn <= 1.1 log_loss: clip to [1e-15, 1 - 1e-15], then renormalise rows.
  sklearn_legacy_probabilities = 3,
  /// Keras binary_crossentropy on one-hot targets: element-wise over the C outputs,
  /// clip to [1e-7, 1 - 1e-7], mean over the last axis; in float32, as above.
  keras_binary_onehot = 4,
};
inline constexpr int kLossFamilies = 5;
template <>
struct Vocabulary<LossFamily> {
  static constexpr std::string_view key = "loss_family", argument = "loss";
  static constexpr std::array<Named<LossFamily>, kLossFamilies> names{{
      {"logits", LossFamily::logits},
      {"keras_probabilities", LossFamily::keras_probabilities},
      {"sklearn_probabilities", LossFamily::sklearn_probabilities},
      {"sklearn_legacy_probabilities", LossFamily::sklearn_legacy_probabilities},
      {"keras_binary_onehot", LossFamily::keras_binary_onehot},
  }};
};

enum class Reduction {
  mean,  ///< the library's mean (see ClassWeightNorm)
  sum,
};
template <>
struct Vocabulary<Reduction> {
  static constexpr std::string_view key = "reduction", argument = "reduction";
  static constexpr std::array<Named<Reduction>, 2> names{{
      {"mean", Reduction::mean},
      {"sum", Reduction::sum},
  }};
};

/// How a class-weighted (or sample-weighted) mean is normalised.
enum class ClassWeightNorm {
  target_weight_sum,  ///< torch: sum w_{y_n} l_n / sum w_{y_n} (aten/src/ATen/native/LossNLL.cpp)
  sample_count,       ///< Keras: sum w_n l_n / N ("sum_over_batch_size", keras/src/losses/loss.py)
};
template <>
struct Vocabulary<ClassWeightNorm> {
  static constexpr std::string_view key = "weight_norm", argument = "weight_norm";
  static constexpr std::array<Named<ClassWeightNorm>, 2> names{{
      {"target_weight_sum", ClassWeightNorm::target_weight_sum},
      {"sample_count", ClassWeightNorm::sample_count},
  }};
};

/// How the loss meets the target: the class index picks -log p_y, or a one-hot row
/// multiplies every -log p_c, so that a -inf logit at a class the target does not hold
/// gives 0 * inf = NaN.
enum class TargetForm {
  index,    ///< torch CrossEntropyLoss with class-index targets (aten/src/ATen/native/LossNLL.cpp)
  one_hot,  ///< Keras (sparse_)categorical_crossentropy, which one-hots the index
            ///< (keras/src/backend/jax/nn.py); torch with probability targets
};
template <>
struct Vocabulary<TargetForm> {
  static constexpr std::string_view key = "target_form", argument = "target_form";
  static constexpr std::array<Named<TargetForm>, 2> names{{
      {"index", TargetForm::index},
      {"one_hot", TargetForm::one_hot},
  }};
};

/// What a profile does to the scores before anything is computed.
enum class ScoreCast {
  as_given,  ///< the scores' own dtype and values
  /// float32, subnormals flushed to zero: Keras 3 on the jax backend (jax_enable_x64 off
  /// converts float64 to float32; XLA on CPU runs with flush-to-zero and
  /// denormals-are-zero), so its comparisons, argmax and clips see these values.
  float32_flush_subnormals,
};
template <>
struct Vocabulary<ScoreCast> {
  static constexpr std::string_view key = "score_cast", argument = "score_cast";
  static constexpr std::array<Named<ScoreCast>, 2> names{{
      {"as_given", ScoreCast::as_given},
      {"float32_flush_subnormals", ScoreCast::float32_flush_subnormals},
  }};
};

// ---- binary and multilabel conventions ----------------------------------------------

enum class LabelwiseMetric {
  accuracy,         ///< per label (tp + tn) / N, averaged over labels (micro == element-wise)
  subset_accuracy,  ///< whole row right (sklearn accuracy_score, torchmetrics MultilabelExactMatch)
  binary_cross_entropy,
  precision,  ///< per label tp / (tp + fp) (torchmetrics Binary/MultilabelPrecision, sklearn)
  recall,     ///< per label tp / (tp + fn)
  f1,         ///< per label 2 tp / (2 tp + fp + fn)
};
template <>
struct Vocabulary<LabelwiseMetric> {
  static constexpr std::string_view key = "labelwise_metric", argument = "metric";
  static constexpr std::array<Named<LabelwiseMetric>, 6> names{{
      {"accuracy", LabelwiseMetric::accuracy},
      {"subset_accuracy", LabelwiseMetric::subset_accuracy},
      {"binary_cross_entropy", LabelwiseMetric::binary_cross_entropy},
      {"precision", LabelwiseMetric::precision},
      {"recall", LabelwiseMetric::recall},
      {"f1", LabelwiseMetric::f1},
  }};
};

/// What "accuracy" means on a multilabel (N, L) target.
enum class MultilabelAccuracy {
  labelwise,    ///< per-label accuracy, averaged by `average` (torchmetrics MultilabelAccuracy)
  subset,       ///< whole row right (sklearn accuracy_score, torchmetrics MultilabelExactMatch)
  elementwise,  ///< cells right / (N L): labelwise with average micro (Keras binary_accuracy)
  /// argmax(target) == argmax(preds), the first maximal index of each: Keras 3's
  /// "accuracy" on a 2-D target of more than one column (CategoricalAccuracy, resolved by
  /// shape in keras/src/trainers/compile_utils.py). A multi-class reading of the target's
  /// argmax; on one label it is Keras' binary_accuracy (the labelwise reading).
  categorical,
};
template <>
struct Vocabulary<MultilabelAccuracy> {
  static constexpr std::string_view key = "multilabel", argument = "multilabel";
  static constexpr std::array<Named<MultilabelAccuracy>, 4> names{{
      {"labelwise", MultilabelAccuracy::labelwise},
      {"subset", MultilabelAccuracy::subset},
      {"elementwise", MultilabelAccuracy::elementwise},
      {"categorical", MultilabelAccuracy::categorical},
  }};
};

/// How scores become 0/1 decisions before `score > threshold`.
enum class ScoreReading : int {
  raw = 0,      ///< threshold the scores as given (Keras binary_accuracy, sklearn on probabilities)
  sigmoid = 1,  ///< sigmoid first, always (scores are logits)
  /// torchmetrics: sigmoid when any element of the update's tensor lies outside [0, 1],
  /// decided per update call for the whole tensor
  /// (torchmetrics/functional/classification/stat_scores.py, _binary_stat_scores_format).
  torchmetrics_auto = 2,
};
inline constexpr int kScoreReadings = 3;
template <>
struct Vocabulary<ScoreReading> {
  static constexpr std::string_view key = "reading", argument = "reading";
  static constexpr std::array<Named<ScoreReading>, kScoreReadings> names{{
      {"raw", ScoreReading::raw},
      {"sigmoid", ScoreReading::sigmoid},
      {"torchmetrics_auto", ScoreReading::torchmetrics_auto},
  }};
};

/// Binary cross-entropy conventions on labelwise scores.
enum class BinaryLossFamily : int {
  /// Keras binary_crossentropy: in float32 whatever the input dtype (Loss.__call__ casts
  /// to the float32 compute dtype, keras/src/losses/loss.py), p clipped to
  /// [float32(1e-7), 1 - 2^-23].
  keras_probabilities = 0,
  torch_probabilities = 1,  ///< torch BCELoss: log clamped at -100 (aten/src/ATen/native/Loss.cpp)
  torch_logits = 2,         ///< torch BCEWithLogitsLoss: max(x,0) - x y + log1p(exp(-|x|))
  /// scikit-learn >= 1.5 log_loss of (N,) probabilities of class 1: clip to
  /// [eps, 1 - eps] of the scores' dtype (sklearn/metrics/_classification.py). One label only.
  sklearn_probabilities = 3,
  /// scikit-learn <= 1.1 log_loss: clip to [1e-15, 1 - 1e-15]. One label only.
  sklearn_legacy_probabilities = 4,
};
inline constexpr int kBinaryLossFamilies = 5;
template <>
struct Vocabulary<BinaryLossFamily> {
  static constexpr std::string_view key = "binary_loss_family", argument = "loss";
  static constexpr std::array<Named<BinaryLossFamily>, kBinaryLossFamilies> names{{
      {"keras_probabilities", BinaryLossFamily::keras_probabilities},
      {"torch_probabilities", BinaryLossFamily::torch_probabilities},
      {"torch_logits", BinaryLossFamily::torch_logits},
      {"sklearn_probabilities", BinaryLossFamily::sklearn_probabilities},
      {"sklearn_legacy_probabilities", BinaryLossFamily::sklearn_legacy_probabilities},
  }};
};

// ---- look-ups -----------------------------------------------------------------------

/// The name of `value` ("?" for a value outside the enum).
template <typename E>
constexpr const char* to_name(E value) {
  for (const auto& row : Vocabulary<E>::names) {
    if (row.value == value) return row.name;
  }
  return "?";
}

/// The names of E's table as one string: "'micro', 'macro', 'weighted', 'none'".
template <typename E>
std::string quoted_names() {
  std::string out;
  for (const auto& row : Vocabulary<E>::names) {
    if (!out.empty()) out += ", ";
    out += std::string("'") + row.name + "'";
  }
  return out;
}

/// The value named `text`. InvalidArgument naming `argument` (default: the vocabulary's)
/// and listing the choices otherwise: "average: expected one of 'micro', ..., got 'x'".
template <typename E>
E parse_name(std::string_view text, std::string_view argument = Vocabulary<E>::argument) {
  for (const auto& row : Vocabulary<E>::names) {
    if (text == row.name) return row.value;
  }
  throw InvalidArgument(std::string(argument) + ": expected one of " + quoted_names<E>() +
                        ", got '" + std::string(text) + "'");
}

/// Calls f(Vocabulary<E>{}) for every enum of the vocabulary, in a fixed order (the
/// bindings' `vocabulary()` lists them all this way).
template <typename F>
void for_each_vocabulary(F&& f) {
  f(Vocabulary<Metric>{});
  f(Vocabulary<Average>{});
  f(Vocabulary<Absent>{});
  f(Vocabulary<ZeroDivision>{});
  f(Vocabulary<TieRule>{});
  f(Vocabulary<TopKPredicted>{});
  f(Vocabulary<LossFamily>{});
  f(Vocabulary<Reduction>{});
  f(Vocabulary<ClassWeightNorm>{});
  f(Vocabulary<TargetForm>{});
  f(Vocabulary<ScoreCast>{});
  f(Vocabulary<LabelwiseMetric>{});
  f(Vocabulary<MultilabelAccuracy>{});
  f(Vocabulary<ScoreReading>{});
  f(Vocabulary<BinaryLossFamily>{});
}

}  // namespace metricaudit
