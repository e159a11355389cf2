// The one pass: validates a batch and folds it into a state. The CPU backend
// runs it over rows with OpenMP; the result does not depend on thread count
// (counts are integers, sums are ExactSum).
//
// Float32 scores: the softmax cross-entropy term of a row, (max - z_y) + log sum exp(z - max),
// and its label-smoothing term are computed with a float32 exp and float32 partial sums
// (the log and the rest in double): each term is within kFloat32LossRelativeError of its
// exact value, plus C * 2^-124 absolute (docs/float32-log-sum-exp.md has the proof).
// The terms' sums are exact, so this is also the bound on every loss the state reads.
// Float64 scores take a double exp and log (within a few ulp of double).
#pragma once

#include "metricaudit/array_view.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

/// Relative error bound of a float32 row's loss and smoothing terms: 10 * 2^-24 (6.0e-7).
inline constexpr double kFloat32LossRelativeError = 10.0 / 16777216.0;

/// Folds one multi-class batch into `state`. Throws a subclass of InvalidArgument
/// naming the argument and the first offending index; on error `state` is unchanged.
void update(SufficientState& state, const MulticlassBatch& batch);

/// A fresh state holding one batch.
SufficientState evaluate(const MulticlassBatch& batch, const StateOptions& options);

/// Folds one binary / multilabel batch into `state` (same error contract).
void update(LabelwiseState& state, const LabelwiseBatch& batch);
LabelwiseState evaluate(const LabelwiseBatch& batch, const LabelwiseOptions& options);

}  // namespace metricaudit
