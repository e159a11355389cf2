// What a backend (CUDA, or Thrust's OpenMP device system) provides to the host
// side of the pass (pass_host.cpp), which is the same for both.
#pragma once

#include <cstdint>
#include <vector>

#include "metricaudit/array_view.hpp"
#include "row_sweep.hpp"

namespace metricaudit::gpu_detail {

struct PassResult {
  std::vector<std::int64_t> acc;  // Layout::total slots
  std::uint64_t row_error = kNoError;
  std::uint64_t weight_error = kNoError;  // row index of the first bad weight
};

/// Throws metricaudit::Error when the backend cannot run here.
void require_backend();
/// Runs the pass over p.rows rows into a zeroed accumulator of p.layout.total slots.
PassResult run_pass(const PassParams& p);
/// One element of a view in the backend's memory (for error messages).
std::int64_t read_label(const ArrayView& view, std::int64_t i);
double read_real(const ArrayView& view, std::int64_t i);

}  // namespace metricaudit::gpu_detail
