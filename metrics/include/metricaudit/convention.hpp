// Convention: every choice that changes a metric's number, named. A convention
// is plain data; reading a state under it (readings.hpp) is cheap, so one state
// can be read under the whole catalogue. docs/conventions.md is the user-facing
// reference of each choice and the libraries that make it.
#pragma once

#include <string>
#include <vector>

#include "metricaudit/vocabulary.hpp"

namespace metricaudit {

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
  TargetForm target_form = TargetForm::index;  ///< logits family with -inf logits only
  std::vector<double> class_weights;           ///< empty: all 1
  double label_smoothing = 0.0;                ///< in [0, 1]

  /// A stable, readable id, e.g. "accuracy/macro/absent=zero" or "cross_entropy/logits".
  std::string id() const;
};

/// Conventions for binary / multilabel states.
struct LabelwiseConvention {
  LabelwiseMetric metric = LabelwiseMetric::accuracy;
  /// micro: from the counts summed over labels (element-wise); macro, weighted, none: the
  /// per-label values averaged as the multi-class ones are (average_ratios, readings.hpp).
  Average average = Average::micro;
  Absent absent = Absent::zero;  ///< labels in a macro mean (torchmetrics and sklearn: all)
  ZeroDivision zero_division = ZeroDivision::zero;  ///< precision / recall / F1 of an empty label
  ScoreReading reading = ScoreReading::torchmetrics_auto;
  BinaryLossFamily loss = BinaryLossFamily::torch_logits;
  /// mean: over all N x L elements (torch; Keras: mean over labels, then / N);
  /// sum: over all elements (torch reduction="sum").
  Reduction reduction = Reduction::mean;
  bool sample_weighted = true;
  std::string id() const;
};

}  // namespace metricaudit
