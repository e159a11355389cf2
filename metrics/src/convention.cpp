#include "metricaudit/convention.hpp"

#include <cstdio>
#include <string>

namespace metricaudit {
namespace {

const char* name(Metric m) {
  switch (m) {
    case Metric::accuracy:
      return "accuracy";
    case Metric::precision:
      return "precision";
    case Metric::recall:
      return "recall";
    case Metric::f1:
      return "f1";
    case Metric::balanced_accuracy:
      return "balanced_accuracy";
    case Metric::elementwise_binary_accuracy:
      return "elementwise_binary_accuracy";
    case Metric::cross_entropy:
      return "cross_entropy";
  }
  return "?";
}

const char* name(Average a) {
  switch (a) {
    case Average::micro:
      return "micro";
    case Average::macro:
      return "macro";
    case Average::weighted:
      return "weighted";
    case Average::none:
      return "none";
  }
  return "?";
}

const char* name(Absent a) {
  switch (a) {
    case Absent::zero:
      return "zero";
    case Absent::exclude_unseen:
      return "exclude_unseen";
    case Absent::exclude_no_support:
      return "exclude_no_support";
  }
  return "?";
}

const char* name(TieRule t) {
  switch (t) {
    case TieRule::index_order:
      return "index_order";
    case TieRule::high_index_first:
      return "high_index_first";
    case TieRule::optimistic:
      return "optimistic";
    case TieRule::torch_topk:
      return "torch_topk";
  }
  return "?";
}

const char* name(LossFamily f) {
  switch (f) {
    case LossFamily::logits:
      return "logits";
    case LossFamily::keras_probabilities:
      return "keras_probabilities";
    case LossFamily::sklearn_probabilities:
      return "sklearn_probabilities";
    case LossFamily::sklearn_legacy_probabilities:
      return "sklearn_legacy_probabilities";
    case LossFamily::keras_binary_onehot:
      return "keras_binary_onehot";
  }
  return "?";
}

const char* name(ScoreReading r) {
  switch (r) {
    case ScoreReading::raw:
      return "raw";
    case ScoreReading::sigmoid:
      return "sigmoid";
    case ScoreReading::torchmetrics_auto:
      return "torchmetrics_auto";
  }
  return "?";
}

const char* name(BinaryLossFamily f) {
  switch (f) {
    case BinaryLossFamily::keras_probabilities:
      return "keras_probabilities";
    case BinaryLossFamily::torch_probabilities:
      return "torch_probabilities";
    case BinaryLossFamily::torch_logits:
      return "torch_logits";
  }
  return "?";
}

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
      return name(f);
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
    s = name(metric);
    if (top_k != 1) s += ".top" + std::to_string(top_k);
    if (top_k == 1 || average != Average::micro) s += std::string(".") + name(average);
    if (average == Average::macro) {
      s += absent == Absent::zero ? std::string(".absent_zero") : std::string(".") + name(absent);
    }
    if (average != Average::micro && zero_division != ZeroDivision::zero) {
      s += zero_division == ZeroDivision::one ? ".zero_division_1" : ".zero_division_nan";
    }
    if (ties != TieRule::index_order) s += std::string(".ties_") + name(ties);
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
        s = std::string("accuracy.binary.") + name(reading);
      } else {
        s = std::string("accuracy.multilabel.") + name(average);
        if (reading != ScoreReading::torchmetrics_auto) s += std::string(".") + name(reading);
      }
      break;
    case LabelwiseMetric::subset_accuracy:
      s = std::string("accuracy.subset.") + name(reading);
      break;
    case LabelwiseMetric::binary_cross_entropy:
      s = loss == BinaryLossFamily::torch_logits ? std::string("loss.bce_logits")
                                                 : std::string("loss.bce_") + name(loss);
      if (reduction == Reduction::sum) s += ".sum";
      break;
  }
  if (!sample_weighted) s += ".unweighted";
  return s;
}

}  // namespace metricaudit
