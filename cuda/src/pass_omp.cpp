// The GPU pass on Thrust's OpenMP device system (THRUST_DEVICE_SYSTEM_OMP),
// compiled by the host compiler. Every row runs the CUDA kernel's algorithm
// (row_sweep.hpp) with the same number of lanes per row as the kernel would use,
// the lanes simulated in order and merged by the same binary tree, so CPU-only
// machines execute and test the GPU algorithm. The accumulator is shared by all
// OpenMP threads and updated with relaxed integer atomics, the counterpart of the
// kernel's atomics: integer adds commute, so the result does not depend on the
// schedule. Deferred top-k rows go to a bounded buffer through an atomic
// counter, as on the device.
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "backend.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/gpu.hpp"

#if THRUST_DEVICE_SYSTEM != THRUST_DEVICE_SYSTEM_OMP
#error "pass_omp.cpp expects THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP"
#endif

namespace metricaudit {
namespace gpu_detail {
namespace {

struct HostSink {
  std::int64_t* acc;
  std::uint64_t* errors;  // [0] row error key, [1] first bad weight's row
  DeferredRow* deferred;
  std::int64_t* deferred_count;
  std::int64_t defer_capacity;

  void add(std::int64_t slot, std::int64_t delta) const {
    std::atomic_ref<std::int64_t>(acc[slot]).fetch_add(delta, std::memory_order_relaxed);
  }
  static void atomic_min(std::uint64_t& into, std::uint64_t v) {
    std::atomic_ref<std::uint64_t> a(into);
    std::uint64_t seen = a.load(std::memory_order_relaxed);
    while (v < seen && !a.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
    }
  }
  void row_error(std::uint64_t key) const { atomic_min(errors[0], key); }
  void weight_error(std::uint64_t row) const { atomic_min(errors[1], row); }
  void defer(const DeferredRow& d) const {
    const std::int64_t at =
        std::atomic_ref<std::int64_t>(*deferred_count).fetch_add(1, std::memory_order_relaxed);
    if (at < defer_capacity) deferred[at] = d;  // past it: counted, and the host re-runs
  }
};

/// Merges lanes [0, count) as the kernel's butterfly does: a binary tree over
/// the lane index (lane i takes lane i + s for s = 1, 2, 4, ...).
template <typename Acc, typename Merge>
Acc tree_merge(Acc* lanes, int count, Merge merge_two) {
  for (int s = 1; s < count; s *= 2) {
    for (int i = 0; i + s < count; i += 2 * s) lanes[i] = merge_two(lanes[i], lanes[i + s]);
  }
  return lanes[0];
}

template <typename T>
struct ScoredRow {
  PassParams p;
  HostSink sink;
  int lanes;

  void operator()(std::int64_t i) const {
    const double w = row_weight(sink, p, i);
    std::int64_t y = 0;
    const RowKind kind = classify_row(p, i, y);
    if (kind == RowKind::ignored) sink.add(p.layout.ignored, 1);
    if (kind == RowKind::bad_label) {
      sink.row_error(error_key(p.row0 + i, p.classes, RowErrorKind::label));
    }
    if (kind != RowKind::scored) return;
    const std::int64_t C = p.classes;
    const T* row = static_cast<const T*>(p.scores) + i * C;
    const T zy = row[y];
    const T threshold = static_cast<T>(p.threshold);
    const bool need_lse = p.family[static_cast<int>(LossFamily::logits)];

    RowAcc acc[kBlockLanes];
    for (int l = 0; l < lanes; ++l) {
      acc[l] = row_identity(C);
      for (std::int64_t c = l; c < C; c += lanes)
        absorb(acc[l], row[c], c, zy, y, threshold, need_lse);
    }
    const RowAcc r = tree_merge(
        acc, lanes, [&](const RowAcc& a, const RowAcc& b) { return merge(a, b, need_lse); });
    ProbAcc q = prob_identity();
    if (needs_prob_sweep(r, p)) {
      const bool keras_smoothing = keras_smoothing_sweep(r, p);
      ProbAcc pa[kBlockLanes];
      for (int l = 0; l < lanes; ++l) {
        pa[l] = prob_identity();
        for (std::int64_t c = l; c < C; c += lanes) {
          absorb_prob(pa[l], row[c], c, y, r.row_sum, p, keras_smoothing);
        }
      }
      q = tree_merge(pa, lanes, [](const ProbAcc& a, const ProbAcc& b) { return merge(a, b); });
    }
    emit_scored_row(sink, p, i, y, static_cast<double>(zy), w, r, q);
  }
};

struct LabelRow {
  PassParams p;
  HostSink sink;
  void operator()(std::int64_t i) const { label_row(sink, p, i); }
};

}  // namespace

void require_backend() {}

PassResult run_pass(const PassParams& p, std::int64_t defer_capacity) {
  PassResult result;
  result.acc.assign(static_cast<std::size_t>(p.layout.total), 0);
  result.deferred.resize(static_cast<std::size_t>(defer_capacity));
  std::uint64_t errors[2] = {kNoError, kNoError};
  const HostSink sink{result.acc.data(), errors, result.deferred.data(), &result.deferred_count,
                      defer_capacity};
  const thrust::counting_iterator<std::int64_t> first(0), last(p.rows);
  if (p.scores == nullptr) {
    thrust::for_each(thrust::device, first, last, LabelRow{p, sink});
  } else if (p.scores64) {
    thrust::for_each(thrust::device, first, last, ScoredRow<double>{p, sink, lanes_for(p.classes)});
  } else {
    thrust::for_each(thrust::device, first, last, ScoredRow<float>{p, sink, lanes_for(p.classes)});
  }
  result.row_error = errors[0];
  result.weight_error = errors[1];
  result.deferred.resize(static_cast<std::size_t>(std::min(result.deferred_count, defer_capacity)));
  return result;
}

void copy_rows_to_host(const void* matrix, std::int64_t row_bytes, const std::int64_t* rows,
                       std::int64_t n, void* out) {
  // The OpenMP "device" memory is host memory.
  const auto* from = static_cast<const char*>(matrix);
  auto* to = static_cast<char*>(out);
  const auto bytes = static_cast<std::size_t>(row_bytes);
  for (std::int64_t i = 0; i < n; ++i) {
    std::memcpy(to + i * row_bytes, from + rows[i] * row_bytes, bytes);
  }
}

std::int64_t read_label(const ArrayView& v, std::int64_t i) {
  return load_label(v.data, v.dtype == DType::int64, i);
}
double read_real(const ArrayView& v, std::int64_t i) {
  return load_real(v.data, v.dtype == DType::float64, i);
}

}  // namespace gpu_detail

bool cuda_available() {
  return false;
}
const char* gpu_backend_name() {
  return "omp";
}

}  // namespace metricaudit
