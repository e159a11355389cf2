// The catalogue: every named reading of a state that a logged "accuracy" or
// "loss" could be, with the libraries that compute it that way. The audit's
// matcher and the `explain` views read a state under all of them at once.
#pragma once

#include <string>
#include <vector>

#include "metricaudit/convention.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

enum class MetricKind { accuracy, loss };

struct Candidate {
  std::string id;           ///< stable id, e.g. "accuracy.macro.absent_zero"
  std::string description;  ///< one line for people
  std::string libraries;    ///< who computes it this way (library, version, API)
  Convention convention;
  double value = 0.0;       ///< NaN when unavailable
  std::string unavailable;  ///< why, when value is NaN because the state cannot support it
};

/// Every reading of `kind` the catalogue knows, in a fixed order.
std::vector<Candidate> catalogue(const SufficientState& state, MetricKind kind);

}  // namespace metricaudit
