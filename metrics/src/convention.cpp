#include "metricaudit/convention.hpp"

#include <cstdio>
#include <string>

namespace metricaudit {
namespace {

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

// The ids are the catalogue's (metricaudit explain, audit reports, docs/audit.md):
// dot-separated, the metric first, then each choice that differs from the reading's
// natural default, so that one convention has one id wherever it is shown.

namespace {

// A loss family as ids name it: the library whose loss it is, where the enum's name
// says what the family reads.
const char* family_token(LossFamily f) {
  switch (f) {
    case LossFamily::sklearn_probabilities:
      return "sklearn";
    case LossFamily::sklearn_legacy_probabilities:
      return "sklearn_legacy";
    case LossFamily::keras_binary_onehot:
      return "binary_onehot";
    default:
      return to_name(f);
  }
}

// Keras' losses divide a weighted sum by the sample count, torch's and sklearn's by the
// summed weights: a family's own normalisation is not named in its id.
ClassWeightNorm natural_norm(LossFamily f) {
  return f == LossFamily::keras_probabilities || f == LossFamily::keras_binary_onehot
             ? ClassWeightNorm::sample_count
             : ClassWeightNorm::target_weight_sum;
}

const char* norm_token(ClassWeightNorm n) {
  return n == ClassWeightNorm::sample_count ? ".norm_sample_count" : ".norm_target_weight_sum";
}

}  // namespace

std::string Convention::id() const {
  std::string s;
  if (metric == Metric::cross_entropy) {
    s = std::string("loss.") + family_token(loss);
    if (!class_weights.empty()) s += ".class_weights";
    if (label_smoothing != 0.0) s += ".smoothing_" + number(label_smoothing);
    if (weight_norm != natural_norm(loss)) s += norm_token(weight_norm);
    if (reduction == Reduction::sum) s += ".sum";
  } else if (metric == Metric::elementwise_binary_accuracy) {
    s = "accuracy.elementwise_binary";
  } else if (metric == Metric::balanced_accuracy) {
    s = adjusted ? "accuracy.balanced.adjusted" : "accuracy.balanced";
  } else {
    // accuracy.micro, accuracy.top5 (micro at k), f1.macro.absent_zero, ...
    s = to_name(metric);
    if (top_k != 1) s += ".top" + std::to_string(top_k);
    if (top_k == 1 || average != Average::micro) s += std::string(".") + to_name(average);
    if (average == Average::macro) {
      s +=
          absent == Absent::zero ? std::string(".absent_zero") : std::string(".") + to_name(absent);
    }
    if (average != Average::micro && zero_division != ZeroDivision::zero) {
      s += zero_division == ZeroDivision::one ? ".zero_division_1" : ".zero_division_nan";
    }
    if (ties != TieRule::index_order) s += std::string(".ties_") + to_name(ties);
    if (top_k != 1 && (metric == Metric::precision || metric == Metric::f1) &&
        topk_predicted == TopKPredicted::whole_set) {
      s += ".predicted_whole_set";
    }
  }
  if (!sample_weighted) s += ".unweighted";
  return s;
}

std::string LabelwiseConvention::id() const {
  std::string s;
  switch (metric) {
    case LabelwiseMetric::accuracy:
      // Element-wise accuracy is every library's binary accuracy; a per-label mean is
      // torchmetrics' MultilabelAccuracy, whose own score reading is not named.
      if (average == Average::micro) {
        s = std::string("accuracy.binary.") + to_name(reading);
      } else {
        s = std::string("accuracy.multilabel.") + to_name(average);
        if (reading != ScoreReading::torchmetrics_auto) s += std::string(".") + to_name(reading);
      }
      break;
    case LabelwiseMetric::subset_accuracy:
      s = std::string("accuracy.subset.") + to_name(reading);
      break;
    case LabelwiseMetric::binary_cross_entropy:
      s = loss == BinaryLossFamily::torch_logits ? std::string("loss.bce_logits")
                                                 : std::string("loss.bce_") + to_name(loss);
      if (reduction == Reduction::sum) s += ".sum";
      break;
    case LabelwiseMetric::precision:
    case LabelwiseMetric::recall:
    case LabelwiseMetric::f1:
      // f1.macro.sigmoid, precision.micro.raw, ...: the multi-class scheme, then the
      // score reading that made the decisions.
      s = std::string(to_name(metric)) + "." + to_name(average);
      if (average == Average::macro && absent != Absent::zero) {
        s += std::string(".") + to_name(absent);
      }
      if (average != Average::micro && zero_division != ZeroDivision::zero) {
        s += zero_division == ZeroDivision::one ? ".zero_division_1" : ".zero_division_nan";
      }
      s += std::string(".") + to_name(reading);
      break;
  }
  if (!sample_weighted) s += ".unweighted";
  return s;
}

}  // namespace metricaudit
