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

std::string Convention::id() const {
  std::string s = name(metric);
  if (metric == Metric::cross_entropy) {
    s += std::string("/") + name(loss);
    if (!class_weights.empty()) s += "/class_weights";
    if (label_smoothing != 0.0) s += "/smoothing=" + number(label_smoothing);
    if (weight_norm == ClassWeightNorm::sample_count) s += "/norm=sample_count";
    if (reduction == Reduction::sum) s += "/sum";
    return s;
  }
  if (metric == Metric::elementwise_binary_accuracy) return s;
  if (metric == Metric::balanced_accuracy) return adjusted ? s + "/adjusted" : s;
  if (top_k != 1) s += "/top" + std::to_string(top_k);
  s += std::string("/") + name(average);
  if (average == Average::macro) s += std::string("/absent=") + name(absent);
  if (average != Average::micro && zero_division != ZeroDivision::zero) {
    s += zero_division == ZeroDivision::one ? "/zero_division=1" : "/zero_division=nan";
  }
  if (top_k != 1 || ties != TieRule::index_order) s += std::string("/ties=") + name(ties);
  if (top_k != 1 && (metric == Metric::precision || metric == Metric::f1) &&
      topk_predicted == TopKPredicted::whole_set) {
    s += "/predicted=whole_set";
  }
  return s;
}

std::string LabelwiseConvention::id() const {
  switch (metric) {
    case LabelwiseMetric::accuracy:
      return std::string("binary_accuracy/") + name(average) + "/" + name(reading);
    case LabelwiseMetric::subset_accuracy:
      return std::string("subset_accuracy/") + name(reading);
    case LabelwiseMetric::binary_cross_entropy:
      return std::string("binary_cross_entropy/") + name(loss);
  }
  return "?";
}

}  // namespace metricaudit
