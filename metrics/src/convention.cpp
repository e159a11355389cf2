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

std::string Convention::id() const {
  std::string s = to_name(metric);
  if (metric == Metric::cross_entropy) {
    s += std::string("/") + to_name(loss);
    if (!class_weights.empty()) s += "/class_weights";
    if (label_smoothing != 0.0) s += "/smoothing=" + number(label_smoothing);
    if (weight_norm == ClassWeightNorm::sample_count) s += "/norm=sample_count";
    if (reduction == Reduction::sum) s += "/sum";
    return s;
  }
  if (metric == Metric::elementwise_binary_accuracy) return s;
  if (metric == Metric::balanced_accuracy) return adjusted ? s + "/adjusted" : s;
  if (top_k != 1) s += "/top" + std::to_string(top_k);
  s += std::string("/") + to_name(average);
  if (average == Average::macro) s += std::string("/absent=") + to_name(absent);
  if (average != Average::micro && zero_division != ZeroDivision::zero) {
    s += zero_division == ZeroDivision::one ? "/zero_division=1" : "/zero_division=nan";
  }
  if (top_k != 1 || ties != TieRule::index_order) s += std::string("/ties=") + to_name(ties);
  if (top_k != 1 && (metric == Metric::precision || metric == Metric::f1) &&
      topk_predicted == TopKPredicted::whole_set) {
    s += "/predicted=whole_set";
  }
  return s;
}

std::string LabelwiseConvention::id() const {
  switch (metric) {
    case LabelwiseMetric::accuracy:
      return std::string("binary_accuracy/") + to_name(average) + "/" + to_name(reading);
    case LabelwiseMetric::subset_accuracy:
      return std::string("subset_accuracy/") + to_name(reading);
    case LabelwiseMetric::binary_cross_entropy:
      return std::string("binary_cross_entropy/") + to_name(loss);
    case LabelwiseMetric::precision:
    case LabelwiseMetric::recall:
    case LabelwiseMetric::f1: {
      std::string s = std::string(to_name(metric)) + "/" + to_name(average);
      if (average == Average::macro && absent != Absent::zero) {
        s += std::string("/absent=") + to_name(absent);
      }
      if (average != Average::micro && zero_division != ZeroDivision::zero) {
        s += zero_division == ZeroDivision::one ? "/zero_division=1" : "/zero_division=nan";
      }
      return s + "/" + to_name(reading);
    }
  }
  return "?";
}

}  // namespace metricaudit
