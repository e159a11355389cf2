// The one pass: validates a batch and folds it into a state. The CPU backend
// runs it over rows with OpenMP; the result does not depend on thread count
// (counts are integers, sums are ExactSum).
#pragma once

#include "metricaudit/array_view.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

/// Folds one multi-class batch into `state`. Throws a subclass of InvalidArgument
/// naming the argument and the first offending index; on error `state` is unchanged.
void update(SufficientState& state, const MulticlassBatch& batch);

/// A fresh state holding one batch.
SufficientState evaluate(const MulticlassBatch& batch, const StateOptions& options);

/// Folds one binary / multilabel batch into `state` (same error contract).
void update(LabelwiseState& state, const LabelwiseBatch& batch);
LabelwiseState evaluate(const LabelwiseBatch& batch, const LabelwiseOptions& options);

}  // namespace metricaudit
