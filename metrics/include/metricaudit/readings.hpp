// Reading a state under a convention. Cheap (O(C)), deterministic (fixed
// summation order over classes), and strict: a reading the state cannot
// support throws UnavailableError saying why, rather than returning a guess.
#pragma once

#include <vector>

#include "metricaudit/convention.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

/// The metric's value. For Average::none use read_per_class.
double read(const SufficientState& state, const Convention& convention);
/// Per-class values (size C) of accuracy / precision / recall / f1 (at convention.top_k for
/// accuracy/recall).
std::vector<double> read_per_class(const SufficientState& state, const Convention& convention);

double read(const LabelwiseState& state, const LabelwiseConvention& convention);
std::vector<double> read_per_label(const LabelwiseState& state,
                                   const LabelwiseConvention& convention);

/// The smallest value softmax-twice cross-entropy can take with C classes:
/// ln(1 + (C - 1)/e), reached by a one-hot probability row on the target.
double softmax_twice_floor(std::int64_t num_classes);

}  // namespace metricaudit
