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
  /// Rows whose top-k the host decides: the first min(deferred_count, capacity)
  /// appended, in no particular order. deferred_count > capacity: overflow.
  std::vector<DeferredRow> deferred;
  std::int64_t deferred_count = 0;
};

/// Throws metricaudit::Error when the backend cannot run here.
void require_backend();
/// Runs the pass over p.rows rows into a zeroed accumulator of p.layout.total
/// slots, keeping at most defer_capacity deferred rows (the count goes on).
PassResult run_pass(const PassParams& p, std::int64_t defer_capacity);
/// Copies rows rows[0, n) of the row-major matrix at `matrix` (backend memory,
/// row_bytes bytes per row, a multiple of 4) to host memory at `out`, packed.
void copy_rows_to_host(const void* matrix, std::int64_t row_bytes, const std::int64_t* rows,
                       std::int64_t n, void* out);
/// One element of a view in the backend's memory (for error messages).
std::int64_t read_label(const ArrayView& view, std::int64_t i);
double read_real(const ArrayView& view, std::int64_t i);

}  // namespace metricaudit::gpu_detail
