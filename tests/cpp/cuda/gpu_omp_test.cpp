// The GPU algorithms, built on Thrust's OpenMP device system, against the CPU
// backend: random batches across C = 2 .. 100,000 (every lanes-per-row choice
// of the kernel), ties, -inf logits, probabilities, weights, ignore_index,
// float32 scores and int32 targets, predicted labels, errors, and top-k under
// torch.topk's tie rule (rows deferred to the host, the buffer overflowing).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

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

StateOptions options(std::int64_t classes) {
  StateOptions o;
  o.num_classes = classes;
  return o;
}

// Rows per C, so that each case reads about the same number of scores.
std::int64_t rows_for(std::int64_t classes) {
  return std::max<std::int64_t>(6, std::min<std::int64_t>(600, 120000 / classes));
}

TEST(GpuOmp, IsTheOpenMPBuild) {
  EXPECT_STREQ(gpu_backend_name(), "omp");
  EXPECT_FALSE(cuda_available());
}

class GpuOmpClasses : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(GpuOmpClasses, LogitsMatchTheCpuBackend) {
  const std::int64_t C = GetParam();
  RandomSpec spec;
  spec.classes = C;
  spec.rows = rows_for(C);
  const Batch b = random_batch(1000 + static_cast<std::uint64_t>(C), spec);
  StateOptions o = options(C);
  if (C >= 3) o.top_k = {1, 2, static_cast<int>(std::min<std::int64_t>(C, 7))};
  EXPECT_TRUE(agrees(evaluate(b.view(), o), evaluate_gpu(b.view(), o), loss_tolerance(b)));
}

TEST_P(GpuOmpClasses, MaskedLogitsWeightsAndIgnoreIndex) {
  const std::int64_t C = GetParam();
  RandomSpec spec;
  spec.classes = C;
  spec.rows = rows_for(C);
  spec.masked = true;
  spec.weights = true;
  spec.ignore_every = 4;
  const Batch b = random_batch(2000 + static_cast<std::uint64_t>(C), spec);
  StateOptions o = options(C);
  o.ignore_index = -100;
  const SufficientState cpu = evaluate(b.view(), o);
  const SufficientState gpu = evaluate_gpu(b.view(), o);
  EXPECT_GT(cpu.ignored, 0);
  EXPECT_GT(cpu.losses[0].infinite_smoothing, 0);
  EXPECT_TRUE(agrees(cpu, gpu, loss_tolerance(b)));
}

TEST_P(GpuOmpClasses, ProbabilitiesInFloat32WithInt32Targets) {
  const std::int64_t C = GetParam();
  RandomSpec spec;
  spec.classes = C;
  spec.rows = rows_for(C);
  spec.probabilities = true;
  spec.float32 = true;
  spec.int32_target = true;
  const Batch b = random_batch(3000 + static_cast<std::uint64_t>(C), spec);
  StateOptions o = options(C);
  o.threshold = 1.0 / static_cast<double>(C);  // a threshold that rounds in float32
  const SufficientState cpu = evaluate(b.view(), o);
  ASSERT_TRUE(cpu.scores_in_unit_interval);
  EXPECT_TRUE(agrees(cpu, evaluate_gpu(b.view(), o), loss_tolerance(b)));
}

TEST_P(GpuOmpClasses, PredictedLabels) {
  const std::int64_t C = GetParam();
  RandomSpec spec;
  spec.classes = C;
  spec.rows = 500;
  spec.labels_only = true;
  spec.weights = true;
  const Batch b = random_batch(4000 + static_cast<std::uint64_t>(C), spec);
  EXPECT_TRUE(agrees(evaluate(b.view(), options(C)), evaluate_gpu(b.view(), options(C)),
                     loss_tolerance(b)));
}

// Every lanes-per-row choice (1, 4, 8, 32, a block) and both sides of each boundary.
INSTANTIATE_TEST_SUITE_P(AcrossC, GpuOmpClasses,
                         ::testing::Values(2, 3, 4, 5, 10, 16, 17, 64, 65, 100, 1000, 4096, 4097,
                                           20000, 100000));

TEST(GpuOmp, ConfusionMatrixAndNoSmoothing) {
  RandomSpec spec;
  spec.classes = 37;
  spec.rows = 800;
  const Batch b = random_batch(5, spec);
  StateOptions o = options(37);
  o.confusion_matrix = true;
  o.smoothing_terms = false;
  o.losses = {LossFamily::logits, LossFamily::keras_binary_onehot};
  EXPECT_TRUE(agrees(evaluate(b.view(), o), evaluate_gpu(b.view(), o), loss_tolerance(b)));
}

// The agreement check the tests above rely on fails where it should: another batch, and a
// loss sum one part in 10^6 away.
TEST(GpuOmp, TheAgreementCheckSeesADifferentState) {
  RandomSpec spec;
  spec.classes = 10;
  spec.rows = 300;
  const Batch a = random_batch(11, spec), b = random_batch(12, spec);
  const StateOptions o = options(10);
  const SufficientState sa = evaluate(a.view(), o);
  EXPECT_TRUE(agrees(sa, sa));
  EXPECT_FALSE(agrees(sa, evaluate(b.view(), o)));
  SufficientState nudged = sa;
  const double v = sa.losses[0].by_class[0].value();
  nudged.losses[0].by_class[0].add(v * 1e-6 + 1e-9);
  EXPECT_FALSE(agrees(sa, nudged, 1e-9));
}

TEST(GpuOmp, RefusesTheCpuOnlyOptions) {
  // torchmetrics <= 1.6.0 precision@k needs a per-row selection and torch's smoothed
  // class-weighted loss C sums per row: CPU only, said plainly rather than left empty.
  RandomSpec spec;
  spec.classes = 10;
  spec.rows = 100;
  const Batch b = random_batch(8, spec);
  for (bool StateOptions::*option : {&StateOptions::topk_sets, &StateOptions::smoothing_columns}) {
    StateOptions o = options(10);
    o.*option = true;
    EXPECT_THROW(evaluate_gpu(b.view(), o), UnavailableError);
  }
}

TEST(GpuOmp, MergesWithCpuStatesAndIsDeterministic) {
  RandomSpec spec;
  spec.classes = 50;
  spec.rows = 900;
  spec.weights = true;
  const Batch b1 = random_batch(6, spec);
  spec.weights = false;
  const Batch b2 = random_batch(7, spec);
  const StateOptions o = options(50);
  SufficientState cpu(o), mixed(o);
  update(cpu, b1.view());
  update(cpu, b2.view());
  update_gpu(mixed, b1.view());
  update(mixed, b2.view());  // a GPU state merges with a CPU one
  EXPECT_TRUE(agrees(cpu, mixed));
  // Bit-identical run to run (the sums are exact integer reductions).
  EXPECT_TRUE(evaluate_gpu(b1.view(), o) == evaluate_gpu(b1.view(), o));
}

TEST(GpuOmp, TiesFollowTheCpuTieRules) {
  // Every score equal: argmax is class 0 and the target's rank depends on the rule.
  Batch b;
  b.classes = 40;
  b.target64 = {0, 7, 39};
  b.scores64.assign(3 * 40, 0.25);
  StateOptions o = options(40);
  o.top_k = {1, 8};
  const SufficientState gpu = evaluate_gpu(b.view(), o);
  EXPECT_TRUE(agrees(evaluate(b.view(), o), gpu, loss_tolerance(b)));
  EXPECT_EQ(gpu.predicted[0], 3);
  EXPECT_EQ(gpu.rank_histogram[static_cast<int>(TieRule::index_order)][7], 1);
  EXPECT_EQ(gpu.rank_histogram[static_cast<int>(TieRule::high_index_first)][32], 1);
  EXPECT_EQ(gpu.rank_histogram[static_cast<int>(TieRule::optimistic)][0], 3);
  // Top-8 of 40 equal scores: every target ties across the boundary (torch's
  // selection decides, on the host); top-1 is the first-index argmax.
  EXPECT_EQ(gpu.topk_boundary_ties, (std::vector<std::int64_t>{0, 3}));
  EXPECT_EQ(gpu.topk_hits_by_class[0][0], 1);
}

// ---- top-k > 1: torch.topk's tie rule (deferred rows decided on the host) ------

std::int64_t total(const std::vector<std::int64_t>& v) {
  std::int64_t t = 0;
  for (auto x : v) t += x;
  return t;
}

// Hits under index order, from the rank histogram: where they differ from the
// per-k counts, the deferred rows' host decision is what made them agree.
std::int64_t index_order_hits(const SufficientState& s, int k) {
  const auto& h = s.rank_histogram[static_cast<int>(TieRule::index_order)];
  std::int64_t t = 0;
  for (int r = 0; r < k; ++r) t += h[static_cast<std::size_t>(r)];
  return t;
}

// C = 3 and 10 select with std::nth_element, C = 200 (k * 64 <= C) with
// std::partial_sort; float32 and float64; weighted, so w_topk_hits is compared too.
class GpuOmpTopKTies : public ::testing::TestWithParam<std::tuple<std::int64_t, bool>> {};

TEST_P(GpuOmpTopKTies, BoundaryTiesMatchTheCpuBackend) {
  const auto [C, float32] = GetParam();
  const Batch b = tie_batch(9000 + static_cast<std::uint64_t>(C), 400, C, 3, float32, true);
  StateOptions o = options(C);
  o.top_k = {1, 2, 3};
  o.confusion_matrix = true;
  const SufficientState cpu = evaluate(b.view(), o);
  const SufficientState gpu = evaluate_gpu(b.view(), o);
  EXPECT_TRUE(agrees(cpu, gpu, loss_tolerance(b)));
  EXPECT_TRUE(gpu == evaluate_gpu(b.view(), o)) << "not bit-identical run to run";
  EXPECT_EQ(gpu.topk_boundary_ties[0], 0);
  EXPECT_GT(gpu.topk_boundary_ties[1], 20);
  if (C > 3) {
    EXPECT_GT(gpu.topk_boundary_ties[2], 20);  // top-3 of 3 classes always hits
  }
  // At C = 10 (nth_element's partitioning) torch keeps other tied classes than
  // index order would. (The insertion sort nth_element runs on 3 elements keeps
  // the first-index ties, and partial_sort's heap mostly does.)
  if (C == 10) {
    EXPECT_NE(total(gpu.topk_hits_by_class[1]) + total(gpu.topk_hits_by_class[2]),
              index_order_hits(gpu, 2) + index_order_hits(gpu, 3));
  }
  // Split into batches and merged: the same state.
  SufficientState pieces(o);
  MulticlassBatch first = b.view(), second = b.view();
  first.target.rows = 150;
  first.scores.rows = 150;
  first.sample_weight.rows = 150;
  second.target = ArrayView::vector(b.target64.data() + 150, 250);
  second.scores = float32 ? ArrayView::matrix(b.scores32.data() + 150 * C, 250, C)
                          : ArrayView::matrix(b.scores64.data() + 150 * C, 250, C);
  second.sample_weight = ArrayView::vector(b.weights.data() + 150, 250);
  update_gpu(pieces, first);
  update_gpu(pieces, second);
  EXPECT_EQ(pieces.topk_hits_by_class, cpu.topk_hits_by_class);
  EXPECT_EQ(pieces.topk_misses_by_predicted, cpu.topk_misses_by_predicted);
  EXPECT_EQ(pieces.topk_boundary_ties, cpu.topk_boundary_ties);
  EXPECT_TRUE(pieces.w_topk_hits == cpu.w_topk_hits);
}

INSTANTIATE_TEST_SUITE_P(AcrossC, GpuOmpTopKTies,
                         ::testing::Combine(::testing::Values(3, 10, 200), ::testing::Bool()));

TEST(GpuOmp, TopKTiesInRowsBeyondOneStagingCopy) {
  // 90 deferred rows of 100,000 float64 scores (72 MB) take two host copies
  // (64 MiB each at most); k * 64 <= C: std::partial_sort.
  const std::int64_t C = 100000;
  const Batch b = tie_batch(31, 90, C, 3, false, true, 1.0);
  StateOptions o = options(C);
  o.top_k = {2, 3};
  const SufficientState cpu = evaluate(b.view(), o);
  EXPECT_GT(cpu.topk_boundary_ties[1], 84);
  EXPECT_TRUE(agrees(cpu, evaluate_gpu(b.view(), o), loss_tolerance(b)));
}

TEST(GpuOmp, TopKTiesOverflowingTheDeferredBuffer) {
  // Every row defers at k = 2 (three equal scores), more rows than one launch's
  // buffer holds (2^20): the launch is run again in pieces, nothing dropped.
  const std::int64_t n = (std::int64_t{1} << 20) + 5000;
  Batch b;
  b.classes = 3;
  b.scores32.assign(static_cast<std::size_t>(3 * n), 0.5F);
  b.target64.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) b.target64[static_cast<std::size_t>(i)] = (i * 7) % 3;
  b.scores32[3 * 17 + 2] = 0.75F;  // one row without a tie at the top
  StateOptions o = options(3);
  o.top_k = {1, 2};
  const SufficientState cpu = evaluate(b.view(), o);
  ASSERT_EQ(cpu.topk_boundary_ties[1], n - 1);
  EXPECT_TRUE(agrees(cpu, evaluate_gpu(b.view(), o), loss_tolerance(b)));
}

// ---- errors: the CPU backend's messages, and the state left unchanged --------

std::string cpu_error(const MulticlassBatch& b, const StateOptions& o) {
  try {
    (void)evaluate(b, o);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

std::string gpu_error(const MulticlassBatch& b, const StateOptions& o) {
  SufficientState s(o);
  const SufficientState before = s;
  try {
    update_gpu(s, b);
  } catch (const InvalidArgument& e) {
    EXPECT_TRUE(s == before) << "state changed by a failed update";
    return e.what();
  }
  return "no error";
}

class GpuOmpErrors : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(GpuOmpErrors, SameMessagesAsTheCpuBackend) {
  const std::int64_t C = GetParam();
  RandomSpec spec;
  spec.classes = C;
  spec.rows = 40;
  spec.weights = true;
  const StateOptions o = options(C);
  const auto check = [&](const Batch& b) {
    const std::string cpu = cpu_error(b.view(), o);
    EXPECT_NE(cpu, "no error");
    EXPECT_EQ(cpu, gpu_error(b.view(), o));
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  {
    Batch b = random_batch(11, spec);
    b.scores64[static_cast<std::size_t>(17 * C + C - 1)] = nan;
    b.scores64[static_cast<std::size_t>(23 * C)] = inf;
    check(b);  // the first bad score, by row then column
  }
  {
    Batch b = random_batch(12, spec);
    b.target64[9] = C;
    b.scores64[static_cast<std::size_t>(9 * C)] = nan;  // the label is checked first
    b.target64[30] = -1;
    check(b);
  }
  {
    Batch b = random_batch(13, spec);
    for (std::int64_t c = 0; c < C; ++c) b.scores64[static_cast<std::size_t>(5 * C + c)] = -inf;
    check(b);  // a row of -inf
  }
  {
    Batch b = random_batch(14, spec);
    b.target64[2] = C + 5;
    b.weights[33] = -1.0;  // weights are checked before any row
    check(b);
  }
  {
    Batch b = random_batch(15, spec);
    b.scores64[static_cast<std::size_t>(3 * C + 1)] = 1e300;  // a loss term beyond 2^160
    b.target64[3] = 0;
    const std::string cpu = cpu_error(b.view(), o);
    const std::string gpu = gpu_error(b.view(), o);
    EXPECT_NE(cpu, "no error");
    EXPECT_NE(gpu.find("beyond the accumulator's range"), std::string::npos) << gpu;
  }
  {
    RandomSpec labels = spec;
    labels.labels_only = true;
    Batch b = random_batch(16, labels);
    b.predicted[11] = -3;
    check(b);
  }
}

INSTANTIATE_TEST_SUITE_P(AcrossC, GpuOmpErrors, ::testing::Values(2, 10, 100, 5000));

TEST(GpuOmp, ShapeAndDTypeErrorsMatch) {
  RandomSpec spec;
  spec.classes = 6;
  spec.rows = 10;
  const Batch b = random_batch(21, spec);
  MulticlassBatch wrong = b.view();
  wrong.scores.cols = 5;
  EXPECT_EQ(cpu_error(wrong, options(6)), gpu_error(wrong, options(6)));
  MulticlassBatch none = b.view();
  none.scores = ArrayView{};
  EXPECT_EQ(cpu_error(none, options(6)), gpu_error(none, options(6)));
  StateOptions many = options(6);
  many.top_k.assign(17, 1);
  EXPECT_THROW((void)evaluate_gpu(b.view(), many), InvalidArgument);
}

}  // namespace
}  // namespace metricaudit
