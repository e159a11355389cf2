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
  Absent absent;             ///< which classes enter a macro mean at top_k = 1
  Absent absent_top_k;       ///< ... at top_k > 1
  Absent f1_absent_top_k;    ///< ... for F1 at top_k > 1 (torchmetrics 1.x differs from accuracy)
  ZeroDivision zero_division;
  TieRule ties;
  TopKPredicted topk_predicted;  ///< what a sample predicts at top_k > 1 (precision, F1)
  LossFamily loss;               ///< how the library reads scores for its cross-entropy default
  ClassWeightNorm weight_norm;
};

/// Every profile, in a fixed order.
std::span<const Profile> profiles();
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
};

/// The convention `profile` uses for `metric`, with explicit overrides applied.
Convention resolve(const Profile& profile, Metric metric,
                   const ConventionOverrides& overrides = {});

}  // namespace metricaudit
