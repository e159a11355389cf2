// The GPU backend: the same SufficientState as metricaudit::update, computed by a
// fused pass over the score matrix (cuda/src/row_sweep.hpp describes it).
//
// Two libraries implement this header; link exactly one:
//  - metricaudit::cuda    the CUDA build. Every pointer in the batch is a device
//                         pointer (e.g. torch.Tensor.data_ptr() of a CUDA tensor).
//                         Built without a CUDA compiler it is a stub whose
//                         update_gpu throws "metricaudit was built without CUDA".
//  - metricaudit::gpu_omp the same algorithm compiled by the host compiler on
//                         Thrust's OpenMP device system: pointers are host pointers.
//                         It exists so that machines without a GPU run and test the
//                         GPU algorithm; for speed on a CPU use metricaudit::update.
//
// Agreement with the CPU backend (metricaudit::update) on the same batch:
//  - every count (tp, predicted, support, rank histograms, top-k hits/misses,
//    element-wise cells, confusion, infinite-term counts) is identical;
//  - sums of sample weights (w_tp, w_support, w_total, w_topk_hits, ...) are
//    identical: the terms are the same doubles and both sides sum them exactly;
//  - loss sums differ only because each per-row term is computed in a different
//    order (online, tree-merged log-sum-exp) and, on CUDA, with the device's
//    exp/log: each sum agrees to a relative 1e-12 of the sum of its |terms|
//    (the tests check 1e-11). For float32 scores the CPU computes the log-sum-exp
//    in float32 (kFloat32LossRelativeError, metricaudit/evaluate.hpp) and this
//    backend in double, so there they agree within that bound plus 1e-12. The sums
//    themselves are exact (ExactSum limbs reduced with integer adds), so a given
//    device gives bit-identical results run to run whatever the launch shape.
#pragma once

#include "metricaudit/array_view.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

/// Folds one multi-class batch into `state`, as metricaudit::update does, with the
/// same argument checks and messages (first offending index). On error `state`
/// is unchanged. Throws metricaudit::Error "metricaudit was built without CUDA" or
/// "no CUDA device" where the CUDA build cannot run, and InvalidArgument when
/// options().top_k holds more than 16 values (the pass keeps them in registers).
void update_gpu(SufficientState& state, const MulticlassBatch& batch);

/// A fresh state holding one batch.
SufficientState evaluate_gpu(const MulticlassBatch& batch, const StateOptions& options);

/// True when this library is the CUDA build and a CUDA device is usable.
bool cuda_available();

/// "cuda", "omp" (Thrust's OpenMP device system, host pointers) or "none" (the
/// stub built without CUDA).
const char* gpu_backend_name();

}  // namespace metricaudit
