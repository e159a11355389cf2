// metricaudit::mpi: one state over every rank of an MPI communicator, exactly.
//
// Each rank folds its share of the data into a state; allreduce replaces every rank's
// state by the merge of all of them. The state travels in its array form
// (metricaudit/state_arrays.hpp): one int64 buffer, one MPI_Allreduce with MPI_SUM, so the
// result is bit-identical to one process over all the data, whatever the number of ranks.
//
//   metricaudit::SufficientState state(options);
//   metricaudit::update(state, my_batch);
//   metricaudit::mpi::allreduce(state, MPI_COMM_WORLD);   // every rank: the whole set
//
// Link metricaudit::mpi (built when CMake finds MPI).
#pragma once

#include <mpi.h>

#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit::mpi {

/// Collective over `comm`: every rank's `state` becomes the merge of all ranks' states.
/// First checks that every rank has the same options (state_options.hpp, merge_options);
/// otherwise every rank throws IncompatibleError naming the first rank that differs from
/// rank 0 and the option. An MPI call that fails throws Error naming it.
void allreduce(SufficientState& state, MPI_Comm comm);
void allreduce(LabelwiseState& state, MPI_Comm comm);

}  // namespace metricaudit::mpi
