// A state as named int64 arrays: what crosses a process boundary (a state dict,
// torch.distributed.all_reduce, a Dask tree reduction, MPI). Summing the arrays of
// several states element-wise gives the arrays of their merge, exactly:
//   - "states" (first): 1 for a state that saw a batch, 0 for an empty one, so a sum
//     counts the states that contributed;
//   - a count travels as it is;
//   - an exact sum as its ExactSum::kLimbs normalised int64 limbs (ExactSum::limbs),
//     which add; up to 2^31 states can be summed;
//   - a flag as 1 when it holds in a state that saw a batch (0 otherwise), so a sum
//     counts the states having it: an `any` flag (FlagRule) is set when that count is
//     > 0, an `all` flag when it equals "states"; when "states" is 0 every flag keeps
//     its value of a new state. mixed_inputs is also set when 0 < has_scores < states
//     (some states held scores and some labels only), as merge sets it.
//   - the weighted sums are always there: an unweighted state contributes weight 1
//     per sample, as merge does when it promotes one, and `weighted` tells whether
//     any state was weighted.
// The names, kinds and shapes are those of the field list (state_fields.hpp), in its
// order; the options are not part of the arrays (every state summed must have the
// same; the caller carries them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/state_fields.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

struct StateArray {
  std::string name;
  FieldKind kind = FieldKind::count;
  std::vector<std::int64_t> shape;   ///< exact sums: the field's shape, then ExactSum::kLimbs
  std::vector<std::int64_t> values;  ///< row-major, the product of shape in length
};
using StateArrays = std::vector<StateArray>;

StateArrays to_arrays(const SufficientState& state);
StateArrays to_arrays(const LabelwiseState& state);

/// The state these arrays describe (the merge of the states whose arrays were summed).
/// Arrays may come in any order. InvalidArgument naming the array when one is missing
/// or unknown, or a flag's count lies outside [0, states]; ShapeError naming it when its
/// shape differs from what `options` give.
SufficientState from_arrays(const StateOptions& options, const StateArrays& arrays);
LabelwiseState from_arrays(const LabelwiseOptions& options, const StateArrays& arrays);

/// All values in one buffer, in the arrays' order: one collective moves a whole state.
std::vector<std::int64_t> flatten(const StateArrays& arrays);
/// Writes `buffer` back into the arrays' values (sizes from the arrays); ShapeError when
/// its length is not theirs in total.
void unflatten(std::span<const std::int64_t> buffer, StateArrays& arrays);

}  // namespace metricaudit
