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

#include <cstdint>
#include <vector>

#include "metricaudit/array_view.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

/// Relative error bound of a float32 row's loss and smoothing terms: 10 * 2^-24 (6.0e-7).
inline constexpr double kFloat32LossRelativeError = 10.0 / 16777216.0;

/// Folds one multi-class batch into `state`. Throws a subclass of InvalidArgument
/// naming the argument and the first offending index; on error `state` (and
/// `*tiny_rows`) is unchanged.
///
/// `tiny_rows`, when given, receives the rows the pass scored that hold a zero or a
/// subnormal score (|z| below the smallest normal of the scores' type; nan is not one),
/// in ascending order, the same for every thread count: the only rows a flush-to-zero
/// cast (Keras 3 on jax, CPU) or Keras' argmax rule can change, found by the sweep that
/// loads the scores. Rows it does not score (ignore_index) are not listed; a batch of
/// predicted labels lists none.
void update(SufficientState& state, const MulticlassBatch& batch,
            std::vector<std::int64_t>* tiny_rows = nullptr);

/// A fresh state holding one batch.
SufficientState evaluate(const MulticlassBatch& batch, const StateOptions& options);

/// Folds one binary / multilabel batch into `state` (same error contract, and the same
/// `tiny_rows`: the rows i whose scores [i, 0..L) hold a zero or a subnormal).
void update(LabelwiseState& state, const LabelwiseBatch& batch,
            std::vector<std::int64_t>* tiny_rows = nullptr);
LabelwiseState evaluate(const LabelwiseBatch& batch, const LabelwiseOptions& options);

}  // namespace metricaudit
