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

/// The metric's value on a binary / multilabel state. For Average::none use read_per_label.
double read(const LabelwiseState& state, const LabelwiseConvention& convention);
/// Per-label values (size L) of accuracy / precision / recall / f1.
std::vector<double> read_per_label(const LabelwiseState& state,
                                   const LabelwiseConvention& convention);

/// The smallest value softmax-twice cross-entropy can take with C classes:
/// ln(1 + (C - 1)/e), reached by a one-hot probability row on the target.
double softmax_twice_floor(std::int64_t num_classes);

// ---- the averaging step shared by the multi-class and the labelwise readings ----------

/// num / den, with 0/0 valued by `zero_division`.
double ratio(double num, double den, ZeroDivision zero_division);

/// Per-class (or per-label) ratios and what averaging them needs. Which classes may
/// enter a macro mean is decided by who appears, in samples whatever their weights
/// (sklearn: labels = the union of y_true and y_pred, zero-weight samples included),
/// while a weighted mean weighs by the (possibly sample-weighted) support: hence two
/// presence masks beside `support`.
struct ClassRatios {
  std::vector<double> values;   ///< one ratio per class, 0/0 already valued by zero_division
  std::vector<double> support;  ///< tp + fn per class: the weights of Average::weighted
  std::vector<bool> seen;       ///< tp + fp + fn > 0, in samples (Absent::exclude_unseen)
  std::vector<bool> supported;  ///< tp + fn > 0, in samples (Absent::exclude_no_support)
};

/// One number from per-class ratios under `average` (macro, weighted or binary; micro is
/// read from the summed counts and none is the values themselves, so both are refused
/// here). Classes whose value is NaN (zero_division = nan) are left out, as sklearn's
/// _nanaverage does. A mean over no class is 0 (torchmetrics' _safe_divide of a zero
/// weight sum, with no zero_division), or NaN when every value is NaN (sklearn). Binary:
/// class 1's value (0/0 valued by `zero_division` when there is no class 1), refused
/// unless at most two classes are seen, 1 among them if two.
double average_ratios(const ClassRatios& ratios, Average average, Absent absent,
                      ZeroDivision zero_division);

}  // namespace metricaudit
