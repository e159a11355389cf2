// The options that decide whether two states merge, as text (state_options.hpp).
#include <cstdio>
#include <string>
#include <type_traits>

#include "metricaudit/error.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/state_options.hpp"

namespace metricaudit {
namespace {

std::string text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

template <typename T>
std::string list(const std::vector<T>& values) {
  std::string out;
  for (const T& v : values)
    out += (out.empty() ? "" : ",") + std::to_string(static_cast<long long>(v));
  return "[" + out + "]";
}

std::string flag(bool b) {
  return b ? "true" : "false";
}

}  // namespace

OptionTexts merge_options(const StateOptions& o) {
  return {
      {"num_classes", std::to_string(o.num_classes)},
      {"top_k", list(o.top_k)},
      {"ignore_index", o.ignore_index ? std::to_string(*o.ignore_index) : "none"},
      {"threshold", text(o.threshold)},
      {"losses", list(o.losses)},
      {"smoothing_terms", flag(o.smoothing_terms)},
      {"smoothing_columns", flag(o.smoothing_columns)},
      {"confusion_matrix", flag(o.confusion_matrix)},
      {"topk_sets", flag(o.topk_sets)},
  };
}

OptionTexts merge_options(const LabelwiseOptions& o) {
  return {{"num_labels", std::to_string(o.num_labels)}, {"threshold", text(o.threshold)}};
}

std::string first_difference(const OptionTexts& a, const OptionTexts& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) return a[i].first + ": " + a[i].second + " vs " + b[i].second;
  }
  if (a.size() != b.size()) return "the options of different kinds of state";
  return "";
}

void require_mergeable(const OptionTexts& mine, const OptionTexts& other) {
  const std::string difference = first_difference(mine, other);
  if (!difference.empty()) {
    throw IncompatibleError("merge: the states were built with different options (" + difference +
                            ")");
  }
}

}  // namespace metricaudit
