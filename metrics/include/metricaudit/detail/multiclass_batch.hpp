// The parts of a multi-class update that every backend shares: the checks of a
// batch's arrays before any row is read, and the batch-wide flags set once its
// rows are folded. The CPU pass (metrics/src/multiclass_pass.cpp) and the GPU
// host code (cuda/src/pass_host.cpp) both call these, so a batch is refused with
// the same message and finished the same way on either. Implementation detail:
// not part of the stable API.
#pragma once

#include <cstdint>
#include <string>

#include "metricaudit/array_view.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit::detail {

/// Checks the batch's shapes and dtypes against the state (InvalidArgument, ShapeError or
/// DTypeError naming the argument) and returns N. Weight values are not read: they may
/// live on a device; each backend checks them where they are.
std::int64_t check_multiclass_batch(const SufficientState& state, const MulticlassBatch& batch);

/// The messages of a bad row, as every backend reports the first one (row order):
/// a label out of range (neither in [0, C) nor ignore_index), a predicted label out of range,
/// a nan or +inf score at (row, col), a row whose scores are all -inf.
std::string bad_target_message(const StateOptions& options, std::int64_t label, std::int64_t row);
std::string bad_prediction_message(std::int64_t classes, std::int64_t label, std::int64_t row);
std::string bad_score_message(double score, std::int64_t row, std::int64_t col);
std::string masked_row_message(std::int64_t row);

/// Sets what holds for the whole batch on the state of its rows: one batch, scores or
/// labels, every score in [0, 1] or not, and which loss families are available (the
/// probability families need every score in [0, 1]; Keras' categorical one, which divides
/// each row by its sum (keras/src/backend/jax/nn.py), any non-negative score and a
/// positive row sum).
void finish_batch(SufficientState& batch_state, bool has_scores, bool all_in_unit,
                  bool keras_row_sum_zero, bool keras_negative);

}  // namespace metricaudit::detail
