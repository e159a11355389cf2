// The CUDA build against the CPU backend. Without a CUDA device every test but
// the error-path one reports itself skipped (GTEST_SKIP), never passed.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "gpu_test_support.hpp"
#include "metricaudit/gpu.hpp"

namespace metricaudit {
namespace {

using gpu_testing::agrees;
using gpu_testing::Batch;
using gpu_testing::loss_tolerance;
using gpu_testing::random_batch;
using gpu_testing::RandomSpec;
using gpu_testing::tie_batch;

#define SKIP_WITHOUT_DEVICE()                                                \
  do {                                                                       \
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine"; \
  } while (0)

/// Device copies of a host batch's arrays, freed on destruction.
class DeviceBatch {
 public:
  explicit DeviceBatch(const MulticlassBatch& host) : view_(host) {
    view_.target = copy(host.target);
    view_.scores = copy(host.scores);
    view_.predicted = copy(host.predicted);
    view_.sample_weight = copy(host.sample_weight);
  }
  ~DeviceBatch() {
    for (void* p : owned_) cudaFree(p);
  }
  DeviceBatch(const DeviceBatch&) = delete;
  DeviceBatch& operator=(const DeviceBatch&) = delete;
  const MulticlassBatch& view() const { return view_; }

 private:
  ArrayView copy(const ArrayView& v) {
    if (v.empty()) return v;
    const std::size_t element = (v.dtype == DType::int32 || v.dtype == DType::float32) ? 4 : 8;
    const std::size_t bytes = static_cast<std::size_t>(v.size()) * element;
    void* d = nullptr;
    EXPECT_EQ(cudaMalloc(&d, bytes), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(d, v.data, bytes, cudaMemcpyHostToDevice), cudaSuccess);
    owned_.push_back(d);
    ArrayView out = v;
    out.data = d;
    return out;
  }
  MulticlassBatch view_;
  std::vector<void*> owned_;
};

TEST(Cuda, IsTheCudaBuild) {
  EXPECT_STREQ(gpu_backend_name(), "cuda");
}

TEST(Cuda, WithoutADeviceUpdateSaysSo) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  RandomSpec spec;
  const Batch b = random_batch(1, spec);
  StateOptions o;
  o.num_classes = 10;
  SufficientState s(o);
  try {
    update_gpu(s, b.view());
    FAIL() << "update_gpu ran without a device";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no CUDA device");
  }
}

class CudaClasses : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(CudaClasses, MatchesTheCpuBackend) {
  SKIP_WITHOUT_DEVICE();
  const std::int64_t C = GetParam();
  for (int variant = 0; variant < 4; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    RandomSpec spec;
    spec.classes = C;
    spec.rows = std::max<std::int64_t>(8, std::min<std::int64_t>(4000, 400000 / C));
    spec.masked = variant == 1;
    spec.weights = variant >= 1;
    spec.ignore_every = variant == 1 ? 5 : 0;
    spec.probabilities = variant == 2;
    spec.float32 = variant == 2 || variant == 3;
    spec.int32_target = variant == 3;
    const Batch b = random_batch(7000 + static_cast<std::uint64_t>(C * 4 + variant), spec);
    StateOptions o;
    o.num_classes = C;
    if (variant == 1) o.ignore_index = -100;
    o.confusion_matrix = C <= 1000;
    const DeviceBatch d(b.view());
    const SufficientState gpu = evaluate_gpu(d.view(), o);
    EXPECT_TRUE(agrees(evaluate(b.view(), o), gpu, loss_tolerance(b)));
    EXPECT_TRUE(gpu == evaluate_gpu(d.view(), o)) << "not bit-identical run to run";
  }
}

INSTANTIATE_TEST_SUITE_P(AcrossC, CudaClasses,
                         ::testing::Values(2, 3, 10, 16, 17, 64, 100, 1000, 4096, 4097, 100000));

// Top-k > 1 under torch.topk's tie rule: rows whose target ties across the k
// boundary are deferred by the kernel and decided on the host (nth_element at
// C = 3, 10; partial_sort at C = 200 and 100,000, where the rows take more than
// one 64 MiB copy back).
TEST(Cuda, TopKBoundaryTiesMatchTheCpuBackend) {
  SKIP_WITHOUT_DEVICE();
  for (const std::int64_t C : {3, 10, 200, 100000}) {
    for (const bool float32 : {false, true}) {
      SCOPED_TRACE("C " + std::to_string(C) + (float32 ? " float32" : " float64"));
      const std::int64_t rows = C == 100000 ? 200 : 3000;
      const Batch b = tie_batch(8000 + static_cast<std::uint64_t>(C), rows, C, 3, float32, true,
                                C == 100000 ? 1.0 : 0.5);
      StateOptions o;
      o.num_classes = C;
      o.top_k = {1, 2, 3};
      const DeviceBatch d(b.view());
      const SufficientState cpu = evaluate(b.view(), o);
      const SufficientState gpu = evaluate_gpu(d.view(), o);
      EXPECT_GT(cpu.topk_boundary_ties[1], 0);
      EXPECT_TRUE(agrees(cpu, gpu, loss_tolerance(b)));
      EXPECT_TRUE(gpu == evaluate_gpu(d.view(), o)) << "not bit-identical run to run";
    }
  }
}

TEST(Cuda, TopKTiesOverflowingTheDeferredBuffer) {
  SKIP_WITHOUT_DEVICE();
  // Every row but one defers at k = 2: more than one launch's buffer (2^20).
  const std::int64_t n = (std::int64_t{1} << 20) + 5000;
  Batch b;
  b.classes = 3;
  b.scores32.assign(static_cast<std::size_t>(3 * n), 0.5F);
  b.target64.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) b.target64[static_cast<std::size_t>(i)] = (i * 7) % 3;
  b.scores32[3 * 17 + 2] = 0.75F;
  StateOptions o;
  o.num_classes = 3;
  o.top_k = {1, 2};
  const DeviceBatch d(b.view());
  const SufficientState cpu = evaluate(b.view(), o);
  ASSERT_EQ(cpu.topk_boundary_ties[1], n - 1);
  EXPECT_TRUE(agrees(cpu, evaluate_gpu(d.view(), o), loss_tolerance(b)));
}

TEST(Cuda, PredictedLabels) {
  SKIP_WITHOUT_DEVICE();
  RandomSpec spec;
  spec.classes = 30;
  spec.rows = 5000;
  spec.labels_only = true;
  spec.weights = true;
  const Batch b = random_batch(3, spec);
  StateOptions o;
  o.num_classes = 30;
  const DeviceBatch d(b.view());
  EXPECT_TRUE(agrees(evaluate(b.view(), o), evaluate_gpu(d.view(), o), loss_tolerance(b)));
}

TEST(Cuda, ErrorsMatchTheCpuBackend) {
  SKIP_WITHOUT_DEVICE();
  RandomSpec spec;
  spec.classes = 40;
  spec.rows = 100;
  Batch b = random_batch(4, spec);
  b.scores64[static_cast<std::size_t>(50 * 40 + 3)] = std::numeric_limits<double>::quiet_NaN();
  b.target64[70] = 99;
  StateOptions o;
  o.num_classes = 40;
  std::string cpu, gpu;
  try {
    (void)evaluate(b.view(), o);
  } catch (const InvalidArgument& e) {
    cpu = e.what();
  }
  const DeviceBatch d(b.view());
  SufficientState s(o);
  try {
    update_gpu(s, d.view());
  } catch (const InvalidArgument& e) {
    gpu = e.what();
  }
  EXPECT_FALSE(cpu.empty());
  EXPECT_EQ(cpu, gpu);
  EXPECT_EQ(s.samples, 0);
}

TEST(Cuda, RefusesHostPointers) {
  SKIP_WITHOUT_DEVICE();
  RandomSpec spec;
  const Batch b = random_batch(5, spec);
  StateOptions o;
  o.num_classes = 10;
  EXPECT_THROW((void)evaluate_gpu(b.view(), o), InvalidArgument);
}

}  // namespace
}  // namespace metricaudit
