// Throughput of the CUDA pass (metricaudit::update_gpu) in GB/s of scores read,
// and as a fraction of the device's copy bandwidth (cudaMemcpy device to
// device, reads + writes) measured in the same run.
//
//   bench_cuda_pass                 the three shapes N x C = 1e7 x 10, 1e6 x 1000, 1e5 x 1e5
//   bench_cuda_pass N C [reps]      one shape
//   bench_cuda_pass --tsv ...       tab-separated rows instead of the text (scripts/gpu-check):
//                                   "copy <GB/s>", then "<N> <C> <ms> <GB/s>" per shape
//
// Scores are float32 logits generated on the device (a hash of the index);
// options are the defaults (every loss family; logits skip the probability ones).
// A timing is the wall clock of update_gpu: launch, accumulator allocation and
// the O(C) copy back included, as a caller sees it. Best of `reps` after a warm-up.
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "metricaudit/gpu.hpp"

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(e));
    std::exit(2);
  }
}

__device__ std::uint32_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return static_cast<std::uint32_t>(x);
}

__global__ void fill(float* scores, std::int64_t* target, std::int64_t n, std::int64_t c) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n * c;
       i += stride) {
    scores[i] =
        static_cast<float>(mix(static_cast<std::uint64_t>(i)) >> 8) * (8.0f / 16777216.0f) - 4.0f;
    if (i < n)
      target[i] =
          static_cast<std::int64_t>(mix(static_cast<std::uint64_t>(i) ^ 0x9e3779b97f4a7c15ULL) %
                                    static_cast<std::uint64_t>(c));
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Device-to-device copy bandwidth, counting bytes read plus bytes written.
double copy_bandwidth_gbs() {
  const std::size_t bytes = std::size_t{1} << 30;
  void *a = nullptr, *b = nullptr;
  check(cudaMalloc(&a, bytes), "cudaMalloc");
  check(cudaMalloc(&b, bytes), "cudaMalloc");
  check(cudaMemset(a, 1, bytes), "cudaMemset");
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  float best = 1e30f;
  for (int r = 0; r < 6; ++r) {
    cudaEventRecord(start);
    check(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice), "cudaMemcpy");
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    if (r > 0) best = std::min(best, ms);
  }
  cudaFree(a);
  cudaFree(b);
  return 2.0 * static_cast<double>(bytes) / (best * 1e-3) / 1e9;
}

bool tsv = false;  // --tsv

void run(std::int64_t n, std::int64_t c, int reps, double copy_gbs) {
  float* scores = nullptr;
  std::int64_t* target = nullptr;
  const auto bytes = static_cast<std::size_t>(n * c) * sizeof(float);
  if (cudaMalloc(&scores, bytes) != cudaSuccess) {
    (void)cudaGetLastError();
    if (tsv) {
      std::printf("%lld\t%lld\tskipped\tdoes not fit\n", static_cast<long long>(n),
                  static_cast<long long>(c));
    } else {
      std::printf("%10lld x %-7lld  skipped: %.1f GB of scores do not fit on the device\n",
                  static_cast<long long>(n), static_cast<long long>(c),
                  static_cast<double>(bytes) / 1e9);
    }
    return;
  }
  check(cudaMalloc(&target, static_cast<std::size_t>(n) * sizeof(std::int64_t)), "cudaMalloc");
  fill<<<1024, 256>>>(scores, target, n, c);
  check(cudaDeviceSynchronize(), "fill");

  metricaudit::MulticlassBatch batch;
  batch.target = metricaudit::ArrayView::vector(target, n);
  batch.scores = metricaudit::ArrayView::matrix(scores, n, c);
  metricaudit::StateOptions options;
  options.num_classes = c;
  double best = 1e30;
  for (int r = 0; r <= reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto state = metricaudit::evaluate_gpu(batch, options);
    const double s = seconds_since(t0);
    if (state.samples != n) std::fprintf(stderr, "unexpected sample count\n");
    if (r > 0) best = std::min(best, s);  // r == 0 warms up
  }
  const double gbs = static_cast<double>(bytes) / best / 1e9;
  if (tsv) {
    std::printf("%lld\t%lld\t%.3f\t%.1f\n", static_cast<long long>(n), static_cast<long long>(c),
                best * 1e3, gbs);
  } else {
    std::printf("%10lld x %-7lld  %9.3f ms  %8.1f GB/s of scores  %5.1f%% of copy bandwidth\n",
                static_cast<long long>(n), static_cast<long long>(c), best * 1e3, gbs,
                100.0 * gbs / copy_gbs);
  }
  std::fflush(stdout);
  cudaFree(scores);
  cudaFree(target);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<const char*> args;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--tsv") {
      tsv = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  if (!metricaudit::cuda_available()) {
    std::printf(tsv ? "error\tno CUDA device\n" : "no CUDA device: nothing to measure\n");
    return tsv ? 3 : 0;
  }
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  const double copy_gbs = copy_bandwidth_gbs();
  if (tsv) {
    std::printf("copy\t%.1f\t%s\n", copy_gbs, prop.name);
  } else {
    std::printf("device: %s; device-to-device copy: %.1f GB/s (read + write)\n", prop.name,
                copy_gbs);
  }
  const int reps = args.size() > 2 ? std::atoi(args[2]) : 5;
  if (args.size() >= 2) {
    run(std::atoll(args[0]), std::atoll(args[1]), reps, copy_gbs);
    return 0;
  }
  run(10'000'000, 10, reps, copy_gbs);
  run(1'000'000, 1000, reps, copy_gbs);
  run(100'000, 100'000, reps, copy_gbs);
  return 0;
}
