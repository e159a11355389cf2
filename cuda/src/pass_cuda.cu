// The CUDA pass: one kernel per score dtype and lanes-per-row (row_sweep.hpp's
// lanes_for). A group of G threads takes a row (G in {1, 4, 8, 32}: several rows
// per warp for small C, a warp per row up to 4096 classes); beyond that a block
// of 256 threads takes a row. Rows are not split across blocks: at C = 10^5 a
// row is 400 KB of float32, enough work for one block, and N = 10^5 rows fill
// the device many times over.
//
// Accumulation: integer atomics only, never floating-point ones. Counts add 1s;
// loss and weight sums add the 32-bit digits of each term's ExactSum
// decomposition (detail/exact_digits.hpp). Each block privatises the per-batch
// scalars, and the whole per-class accumulator when it fits (small C), in
// shared memory, and flushes them to global memory once at the end; integer
// addition commutes, so the result is bit-identical whatever the schedule.
//
// Rows whose top-k the host decides (a target tied across the k boundary) are
// appended by their lane 0 to a global buffer through an atomic counter; past
// the buffer's capacity they are only counted, and the host re-runs the launch
// in smaller pieces. copy_rows_to_host gathers those rows' scores on the device
// into one staging buffer and copies it back with a single cudaMemcpy.
#include <cuda_runtime.h>
#include <thrust/device_vector.h>

#include <algorithm>
#include <string>

#include "backend.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/gpu.hpp"

namespace metricaudit {
namespace gpu_detail {
namespace {

constexpr int kThreads = 256;
static_assert(kThreads == kBlockLanes, "the block kernel gives one lane per thread");
constexpr unsigned kFullMask = 0xffffffffu;
// Shared-memory privatisation budget: 4096 slots = 32 KiB (below the 48 KiB
// every architecture grants without opting in).
constexpr std::int64_t kSharedSlots = 4096;

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    throw Error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
  }
}

struct DeviceSink {
  unsigned long long* priv;  // shared memory, slots [0, priv_slots)
  std::int64_t priv_slots;
  unsigned long long* global;
  unsigned long long* errors;  // [0] row error key, [1] first bad weight's row
  DeferredRow* deferred;
  unsigned long long* deferred_count;
  std::int64_t defer_capacity;

  // __host__ __device__ so row_sweep.hpp's HD templates instantiate cleanly;
  // only the device path is ever run.
  __host__ __device__ void add(std::int64_t slot, std::int64_t delta) const {
#if defined(__CUDA_ARCH__)
    // Two's complement: adding the unsigned image of a negative delta subtracts it.
    atomicAdd(slot < priv_slots ? priv + slot : global + slot,
              static_cast<unsigned long long>(delta));
#else
    (void)slot;
    (void)delta;
#endif
  }
  __host__ __device__ void row_error(std::uint64_t key) const {
#if defined(__CUDA_ARCH__)
    atomicMin(errors, static_cast<unsigned long long>(key));
#else
    (void)key;
#endif
  }
  __host__ __device__ void weight_error(std::uint64_t row) const {
#if defined(__CUDA_ARCH__)
    atomicMin(errors + 1, static_cast<unsigned long long>(row));
#else
    (void)row;
#endif
  }
  __host__ __device__ void defer(const DeferredRow& d) const {
#if defined(__CUDA_ARCH__)
    const unsigned long long at = atomicAdd(deferred_count, 1ULL);
    if (at < static_cast<unsigned long long>(defer_capacity)) deferred[at] = d;
#else
    (void)d;
#endif
  }
};

__device__ RowAcc shfl_xor(const RowAcc& a, int s) {
  RowAcc r;
  r.best = __shfl_xor_sync(kFullMask, a.best, s);
  r.arg = __shfl_xor_sync(kFullMask, static_cast<long long>(a.arg), s);
  r.sum_exp = __shfl_xor_sync(kFullMask, a.sum_exp, s);
  r.greater = __shfl_xor_sync(kFullMask, static_cast<long long>(a.greater), s);
  r.ties_below = __shfl_xor_sync(kFullMask, static_cast<long long>(a.ties_below), s);
  r.ties_above = __shfl_xor_sync(kFullMask, static_cast<long long>(a.ties_above), s);
  r.above = __shfl_xor_sync(kFullMask, static_cast<long long>(a.above), s);
  r.bad_col = __shfl_xor_sync(kFullMask, static_cast<long long>(a.bad_col), s);
  r.sum_z = __shfl_xor_sync(kFullMask, a.sum_z, s);
  r.row_sum = __shfl_xor_sync(kFullMask, a.row_sum, s);
  r.masked = __shfl_xor_sync(kFullMask, a.masked, s);
  r.in_unit = __shfl_xor_sync(kFullMask, a.in_unit, s);
  r.nonneg = __shfl_xor_sync(kFullMask, a.nonneg, s);
  return r;
}

__device__ ProbAcc shfl_xor(const ProbAcc& a, int s) {
  return ProbAcc{__shfl_xor_sync(kFullMask, a.keras_smoothing, s),
                 __shfl_xor_sync(kFullMask, a.clipped_sum, s), __shfl_xor_sync(kFullMask, a.bce, s),
                 __shfl_xor_sync(kFullMask, a.bce_smoothing, s)};
}

/// Butterfly over aligned groups of `width` lanes: every lane ends with the
/// group's merge (the same bits in every lane, merge being commutative).
template <int Width>
__device__ RowAcc butterfly(RowAcc a, bool need_lse) {
  for (int s = 1; s < Width; s *= 2) a = merge(a, shfl_xor(a, s), need_lse);
  return a;
}
template <int Width>
__device__ ProbAcc butterfly(ProbAcc a) {
  for (int s = 1; s < Width; s *= 2) a = merge(a, shfl_xor(a, s));
  return a;
}

__device__ void zero_private(unsigned long long* priv, std::int64_t slots) {
  for (std::int64_t s = threadIdx.x; s < slots; s += blockDim.x) priv[s] = 0;
  __syncthreads();
}
__device__ void flush_private(const unsigned long long* priv, std::int64_t slots,
                              unsigned long long* global) {
  __syncthreads();
  for (std::int64_t s = threadIdx.x; s < slots; s += blockDim.x) {
    if (priv[s] != 0) atomicAdd(global + s, priv[s]);
  }
}

/// Label, weight and the non-scored outcomes of row i (lane 0 only).
__device__ void row_prologue(const DeviceSink& sink, const PassParams& p, std::int64_t i,
                             RowKind kind, double& w) {
  if (kind == RowKind::inactive) return;
  w = row_weight(sink, p, i);
  if (kind == RowKind::ignored) sink.add(p.layout.ignored, 1);
  if (kind == RowKind::bad_label) {
    sink.row_error(error_key(p.row0 + i, p.classes, RowErrorKind::label));
  }
}

/// G lanes per row, 32 / G rows per warp. The loop bound is uniform per warp, so
/// every lane reaches every shuffle; lanes without a row carry identities.
template <typename T, int G>
__device__ void group_rows(const PassParams& p, const DeviceSink& sink) {
  constexpr int kRowsPerWarp = 32 / G;
  const int lane = static_cast<int>(threadIdx.x) % G;
  const int sub = (static_cast<int>(threadIdx.x) % 32) / G;
  const std::int64_t warp = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * blockDim.x / 32;
  const std::int64_t C = p.classes;
  const bool need_lse = p.family[static_cast<int>(LossFamily::logits)];
  const T threshold = static_cast<T>(p.threshold);
  for (std::int64_t base = warp * kRowsPerWarp; base < p.rows; base += warps * kRowsPerWarp) {
    const std::int64_t i = base + sub;
    std::int64_t y = 0;
    const RowKind kind = classify_row(p, i, y);
    double w = 1.0;
    if (lane == 0) row_prologue(sink, p, i, kind, w);
    const bool scored = kind == RowKind::scored;
    const T* row = static_cast<const T*>(p.scores) + (scored ? i * C : 0);
    const T zy = scored ? row[y] : T(0);
    RowAcc a = row_identity(C);
    if (scored) {
      for (std::int64_t c = lane; c < C; c += G) absorb(a, row[c], c, zy, y, threshold, need_lse);
    }
    a = butterfly<G>(a, need_lse);
    ProbAcc q = prob_identity();
    const bool sweep2 = scored && needs_prob_sweep(a, p);
    if (__any_sync(kFullMask, sweep2)) {
      if (sweep2) {
        const bool keras_smoothing = keras_smoothing_sweep(a, p);
        for (std::int64_t c = lane; c < C; c += G) {
          absorb_prob(q, row[c], c, y, a.row_sum, p, keras_smoothing);
        }
      }
      q = butterfly<G>(q);
    }
    if (lane == 0 && scored) emit_scored_row(sink, p, i, y, static_cast<double>(zy), w, a, q);
  }
}

/// A block of kBlockLanes threads per row: warp butterflies, then one over the
/// warps' results (together the same binary tree over the thread index).
template <typename T>
__device__ void block_rows(const PassParams& p, const DeviceSink& sink) {
  constexpr int kWarps = kBlockLanes / 32;
  __shared__ RowAcc warp_acc[kWarps];
  __shared__ ProbAcc warp_prob[kWarps];
  __shared__ RowAcc row_acc;
  __shared__ ProbAcc row_prob;
  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid % 32, warp = tid / 32;
  const std::int64_t C = p.classes;
  const bool need_lse = p.family[static_cast<int>(LossFamily::logits)];
  const T threshold = static_cast<T>(p.threshold);
  for (std::int64_t i = blockIdx.x; i < p.rows; i += gridDim.x) {
    std::int64_t y = 0;
    const RowKind kind = classify_row(p, i, y);  // the same in every thread
    double w = 1.0;
    if (tid == 0) row_prologue(sink, p, i, kind, w);
    if (kind != RowKind::scored) continue;
    const T* row = static_cast<const T*>(p.scores) + i * C;
    const T zy = row[y];
    RowAcc a = row_identity(C);
    for (std::int64_t c = tid; c < C; c += kBlockLanes) {
      absorb(a, row[c], c, zy, y, threshold, need_lse);
    }
    a = butterfly<32>(a, need_lse);
    if (lane == 0) warp_acc[warp] = a;
    __syncthreads();
    if (warp == 0) {
      a = butterfly<kWarps>(lane < kWarps ? warp_acc[lane] : row_identity(C), need_lse);
      if (lane == 0) row_acc = a;
    }
    __syncthreads();
    const RowAcc r = row_acc;
    ProbAcc q = prob_identity();
    if (needs_prob_sweep(r, p)) {  // uniform: every thread reads the same r
      const bool keras_smoothing = keras_smoothing_sweep(r, p);
      for (std::int64_t c = tid; c < C; c += kBlockLanes) {
        absorb_prob(q, row[c], c, y, r.row_sum, p, keras_smoothing);
      }
      q = butterfly<32>(q);
      if (lane == 0) warp_prob[warp] = q;
      __syncthreads();
      if (warp == 0) {
        q = butterfly<kWarps>(lane < kWarps ? warp_prob[lane] : prob_identity());
        if (lane == 0) row_prob = q;
      }
      __syncthreads();
      q = row_prob;
    }
    if (tid == 0) emit_scored_row(sink, p, i, y, static_cast<double>(zy), w, r, q);
    __syncthreads();  // the shared summaries are reused by the next row
  }
}

/// Where a launch accumulates: the flat accumulator, the error keys and the
/// deferred-row buffer (device memory).
struct Targets {
  unsigned long long* acc;
  unsigned long long* errors;
  DeferredRow* deferred;
  unsigned long long* deferred_count;
  std::int64_t defer_capacity;
  std::int64_t priv_slots;
};

__device__ DeviceSink make_sink(unsigned long long* priv, const Targets& t) {
  return DeviceSink{priv,       t.priv_slots,     t.acc,           t.errors,
                    t.deferred, t.deferred_count, t.defer_capacity};
}

template <typename T, int G>
__global__ void __launch_bounds__(kThreads) scored_kernel(PassParams p, Targets t) {
  extern __shared__ unsigned long long priv[];
  zero_private(priv, t.priv_slots);
  const DeviceSink sink = make_sink(priv, t);
  if constexpr (G <= 32) {
    group_rows<T, G>(p, sink);
  } else {
    block_rows<T>(p, sink);
  }
  flush_private(priv, t.priv_slots, t.acc);
}

__global__ void __launch_bounds__(kThreads) label_kernel(PassParams p, Targets t) {
  extern __shared__ unsigned long long priv[];
  zero_private(priv, t.priv_slots);
  const DeviceSink sink = make_sink(priv, t);
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < p.rows; i += stride) {
    label_row(sink, p, i);
  }
  flush_private(priv, t.priv_slots, t.acc);
}

/// Block b copies row rows[b] (row_words 32-bit words) to out + b * row_words.
__global__ void __launch_bounds__(kThreads)
    gather_rows_kernel(const unsigned* matrix, std::int64_t row_words, const std::int64_t* rows,
                       std::int64_t n, unsigned* out) {
  for (std::int64_t b = blockIdx.x; b < n; b += gridDim.x) {
    const unsigned* from = matrix + rows[b] * row_words;
    unsigned* to = out + b * row_words;
    for (std::int64_t w = threadIdx.x; w < row_words; w += blockDim.x) to[w] = from[w];
  }
}

struct Launch {
  int blocks;
  std::size_t shared_bytes;
};

template <typename Kernel>
Launch plan(Kernel kernel, std::int64_t work_blocks, std::int64_t priv_slots) {
  int device = 0, sms = 0, per_sm = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "SM count");
  const auto bytes = static_cast<std::size_t>(priv_slots) * sizeof(unsigned long long);
  check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kThreads, bytes),
        "occupancy");
  // Enough blocks to fill the device once; each loops over rows, so the
  // shared-memory flush happens once per resident block, not once per row.
  const std::int64_t fill = static_cast<std::int64_t>(sms) * (per_sm > 0 ? per_sm : 1);
  const std::int64_t blocks = work_blocks < fill ? work_blocks : fill;
  return Launch{static_cast<int>(blocks > 0 ? blocks : 1), bytes};
}

template <typename T, int G>
void launch_scored(const PassParams& p, const Targets& t) {
  const std::int64_t rows_per_block = G <= 32 ? kThreads / G : 1;
  const auto kernel = scored_kernel<T, G>;
  const Launch l = plan(kernel, (p.rows + rows_per_block - 1) / rows_per_block, t.priv_slots);
  kernel<<<l.blocks, kThreads, l.shared_bytes>>>(p, t);
}

template <typename T>
void launch_scored(const PassParams& p, const Targets& t) {
  switch (lanes_for(p.classes)) {
    case 1:
      return launch_scored<T, 1>(p, t);
    case 4:
      return launch_scored<T, 4>(p, t);
    case 8:
      return launch_scored<T, 8>(p, t);
    case 32:
      return launch_scored<T, 32>(p, t);
    default:
      return launch_scored<T, kBlockLanes>(p, t);
  }
}

void require_device_pointer(const void* ptr, const char* argument) {
  if (ptr == nullptr) return;
  cudaPointerAttributes attributes{};
  check(cudaPointerGetAttributes(&attributes, ptr), "cudaPointerGetAttributes");
  if (attributes.type == cudaMemoryTypeUnregistered) {
    throw InvalidArgument(std::string(argument) +
                          ": expected device memory (the CUDA build reads the batch on the GPU), "
                          "got a host pointer");
  }
}

}  // namespace

void require_backend() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    (void)cudaGetLastError();  // clear the sticky "no device" status
    throw Error("no CUDA device");
  }
}

PassResult run_pass(const PassParams& p, std::int64_t defer_capacity) {
  require_device_pointer(p.target, "target");
  require_device_pointer(p.scores, "preds");
  require_device_pointer(p.predicted, "preds");
  require_device_pointer(p.weight, "sample_weight");
  const Layout& L = p.layout;
  // Privatise every per-class array when the whole prefix fits, else the scalars.
  const std::int64_t priv_slots = L.per_class_end <= kSharedSlots ? L.per_class_end : L.scalars_end;
  thrust::device_vector<unsigned long long> acc(static_cast<std::size_t>(L.total), 0ULL);
  thrust::device_vector<unsigned long long> errors(2, static_cast<unsigned long long>(kNoError));
  const std::int64_t capacity = defer_capacity;
  thrust::device_vector<DeferredRow> deferred(static_cast<std::size_t>(capacity));
  thrust::device_vector<unsigned long long> deferred_count(1, 0ULL);
  unsigned long long* acc_ptr = thrust::raw_pointer_cast(acc.data());
  unsigned long long* err_ptr = thrust::raw_pointer_cast(errors.data());
  const Targets t{acc_ptr,
                  err_ptr,
                  thrust::raw_pointer_cast(deferred.data()),
                  thrust::raw_pointer_cast(deferred_count.data()),
                  capacity,
                  priv_slots};
  if (p.scores == nullptr) {
    const Launch l = plan(label_kernel, (p.rows + kThreads - 1) / kThreads, priv_slots);
    label_kernel<<<l.blocks, kThreads, l.shared_bytes>>>(p, t);
  } else if (p.scores64) {
    launch_scored<double>(p, t);
  } else {
    launch_scored<float>(p, t);
  }
  check(cudaGetLastError(), "kernel launch");
  check(cudaDeviceSynchronize(), "the pass");
  PassResult result;
  result.acc.resize(static_cast<std::size_t>(L.total));
  check(cudaMemcpy(result.acc.data(), acc_ptr, result.acc.size() * sizeof(std::int64_t),
                   cudaMemcpyDeviceToHost),
        "copy back");
  unsigned long long host_errors[2];
  check(cudaMemcpy(host_errors, err_ptr, sizeof host_errors, cudaMemcpyDeviceToHost), "copy back");
  result.row_error = host_errors[0];
  result.weight_error = host_errors[1];
  unsigned long long count = 0;
  check(cudaMemcpy(&count, thrust::raw_pointer_cast(deferred_count.data()), sizeof count,
                   cudaMemcpyDeviceToHost),
        "copy back");
  result.deferred_count = static_cast<std::int64_t>(count);
  result.deferred.resize(
      static_cast<std::size_t>(std::min<std::int64_t>(result.deferred_count, capacity)));
  if (!result.deferred.empty()) {
    check(cudaMemcpy(result.deferred.data(), thrust::raw_pointer_cast(deferred.data()),
                     result.deferred.size() * sizeof(DeferredRow), cudaMemcpyDeviceToHost),
          "copy back");
  }
  return result;
}

void copy_rows_to_host(const void* matrix, std::int64_t row_bytes, const std::int64_t* rows,
                       std::int64_t n, void* out) {
  if (n <= 0) return;
  const std::int64_t row_words = row_bytes / 4;
  thrust::device_vector<std::int64_t> index(rows, rows + n);
  thrust::device_vector<unsigned> staging(static_cast<std::size_t>(n * row_words));
  const std::int64_t blocks = std::min<std::int64_t>(n, 65535);
  gather_rows_kernel<<<static_cast<int>(blocks), kThreads>>>(
      static_cast<const unsigned*>(matrix), row_words, thrust::raw_pointer_cast(index.data()), n,
      thrust::raw_pointer_cast(staging.data()));
  check(cudaGetLastError(), "gather launch");
  check(cudaMemcpy(out, thrust::raw_pointer_cast(staging.data()),
                   static_cast<std::size_t>(n * row_bytes), cudaMemcpyDeviceToHost),
        "copy deferred rows");
}

std::int64_t read_label(const ArrayView& v, std::int64_t i) {
  if (v.dtype == DType::int64) {
    std::int64_t x = 0;
    check(cudaMemcpy(&x, static_cast<const std::int64_t*>(v.data) + i, sizeof x,
                     cudaMemcpyDeviceToHost),
          "read label");
    return x;
  }
  std::int32_t x = 0;
  check(cudaMemcpy(&x, static_cast<const std::int32_t*>(v.data) + i, sizeof x,
                   cudaMemcpyDeviceToHost),
        "read label");
  return x;
}

double read_real(const ArrayView& v, std::int64_t i) {
  if (v.dtype == DType::float64) {
    double x = 0;
    check(cudaMemcpy(&x, static_cast<const double*>(v.data) + i, sizeof x, cudaMemcpyDeviceToHost),
          "read value");
    return x;
  }
  float x = 0;
  check(cudaMemcpy(&x, static_cast<const float*>(v.data) + i, sizeof x, cudaMemcpyDeviceToHost),
        "read value");
  return static_cast<double>(x);
}

}  // namespace gpu_detail

bool cuda_available() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();
    return false;
  }
  return count > 0;
}

const char* gpu_backend_name() {
  return "cuda";
}

}  // namespace metricaudit
