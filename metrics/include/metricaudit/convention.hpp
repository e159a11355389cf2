// Convention: every choice that changes a metric's number, named. A convention
// is plain data; reading a state under it (readings.hpp) is cheap, so one state
// can be read under the whole catalogue. docs/conventions.md is the user-facing
// reference of each choice and the libraries that make it.
#pragma once

#include <string>
#include <vector>

#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/state_options.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

enum class Metric {
  accuracy,  ///< multi-class: micro = fraction right; per-class = recall (torchmetrics)
  precision,
  recall,
  f1,
  balanced_accuracy,  ///< sklearn balanced_accuracy_score (mean recall over classes in the target)
  elementwise_binary_accuracy,  ///< Keras binary_accuracy on one-hot targets: cells right / (N C)
  cross_entropy,
};

enum class Average { micro, macro, weighted, none };

/// Which classes enter a macro mean.
enum class Absent {
  zero,            ///< all C classes; an empty class scores zero_division (torchmetrics 0.10-0.11)
  exclude_unseen,  ///< classes with tp + fp + fn > 0 (torchmetrics <= 0.9 and >= 1.0 at top_k = 1;
                   ///< sklearn, labels = union of y_true and y_pred)
  exclude_no_support,  ///< classes with support > 0 (sklearn balanced_accuracy; torchmetrics
                       ///< >= 1.3.2 at top_k > 1)
};

/// The value of a per-class ratio whose denominator is 0.
enum class ZeroDivision {
  zero,  ///< 0 (torchmetrics, sklearn's default "warn")
  one,   ///< 1 (sklearn zero_division=1)
  nan,   ///< NaN, and the class is left out of a macro mean (sklearn zero_division=np.nan)
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

enum class Reduction {
  mean,  ///< the library's mean (see ClassWeightNorm)
  sum,
};

/// How a class-weighted (or sample-weighted) mean is normalised.
enum class ClassWeightNorm {
  target_weight_sum,  ///< torch: sum w_{y_n} l_n / sum w_{y_n} (aten/src/ATen/native/LossNLL.cpp)
  sample_count,       ///< Keras: sum w_n l_n / N ("sum_over_batch_size", keras/src/losses/loss.py)
};

struct Convention {
  Metric metric = Metric::accuracy;
  Average average = Average::micro;
  Absent absent = Absent::exclude_unseen;
  ZeroDivision zero_division = ZeroDivision::zero;
  int top_k = 1;  ///< accuracy / recall at k (micro and per-class)
  TieRule ties = TieRule::index_order;
  TopKPredicted topk_predicted = TopKPredicted::top1_on_miss;  ///< precision / F1 at top_k > 1
  bool adjusted = false;        ///< balanced accuracy: (s - 1/K) / (1 - 1/K)
  bool sample_weighted = true;  ///< use sample weights when the state has them

  LossFamily loss = LossFamily::logits;
  Reduction reduction = Reduction::mean;
  ClassWeightNorm weight_norm = ClassWeightNorm::target_weight_sum;
  std::vector<double> class_weights;  ///< empty: all 1
  double label_smoothing = 0.0;       ///< in [0, 1]

  /// A stable, readable id, e.g. "accuracy/macro/absent=zero" or "cross_entropy/logits".
  std::string id() const;
};

/// Conventions for binary / multilabel states.
enum class LabelwiseMetric {
  accuracy,         ///< per label (tp + tn) / N, averaged over labels (micro == element-wise)
  subset_accuracy,  ///< whole row right (sklearn accuracy_score, torchmetrics MultilabelExactMatch)
  binary_cross_entropy,
};

struct LabelwiseConvention {
  LabelwiseMetric metric = LabelwiseMetric::accuracy;
  Average average = Average::micro;  ///< micro (element-wise), macro (plain mean over labels), none
  ScoreReading reading = ScoreReading::torchmetrics_auto;
  BinaryLossFamily loss = BinaryLossFamily::torch_logits;
  /// mean: over all N x L elements (torch; Keras: mean over labels, then / N);
  /// sum: over all elements (torch reduction="sum").
  Reduction reduction = Reduction::mean;
  bool sample_weighted = true;
  std::string id() const;
};

}  // namespace metricaudit
