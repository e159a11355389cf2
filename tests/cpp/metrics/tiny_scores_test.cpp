// update()'s tiny_rows (metricaudit/evaluate.hpp; metrics/src/detail/tiny_scores.hpp): the
// rows of a batch holding a zero or a subnormal score, as the passes report them, against
// a scalar scan of the same scores:
//  - multi-class float32 through each path of the pass: the default options' blocks of
//    eight rows (the block fold), the walk that skips ignore_index (ignored rows are not
//    listed), the weighted row-at-a-time fold, row1_f32 (C > 16), rows with -inf that the
//    double kernels recompute; float64 scores (the double kernels, DBL_MIN);
//  - rows at block and thread-chunk boundaries, for 1 to 4 threads: the same list;
//  - binary (N,) and multilabel (N, L) scores, float32 and float64;
//  - the state is the same whether the list is asked for or not; a batch of predicted
//    labels lists nothing; on error the list is unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "metricaudit/evaluate.hpp"
#include "metricaudit/metricaudit.hpp"
#include "mismatches.hpp"

namespace metricaudit {
namespace {

// The pass's rows per thread chunk (metrics/src/detail/parallel.hpp chunk_rows: about
// 256 KiB of scores, at least 64 rows).
std::int64_t chunk_rows(std::int64_t cols, std::int64_t element_size) {
  return std::max<std::int64_t>(64, (std::int64_t{1} << 18) / (cols * element_size));
}

using Rows = std::vector<std::int64_t>;
using testing::Mismatches;

// Scores that are never tiny, with tiny values planted in `rows` (cycling through zeros,
// negative zeros and subnormals of both signs, at varying columns) and, where `masked`,
// a -inf elsewhere in every third planted row.
template <typename T>
std::vector<T> scores_with(std::int64_t n, std::int64_t C, const Rows& rows, bool masked,
                           std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 2.0);
  std::vector<T> s(static_cast<std::size_t>(n * C));
  for (auto& v : s) {
    v = static_cast<T>(g(rng));
    if (std::abs(v) < T(1e-3)) v = T(0.5);  // never tiny by chance
  }
  const T denorm = std::numeric_limits<T>::denorm_min();
  const T below_min = std::nextafter(std::numeric_limits<T>::min(), T(0));
  const T values[] = {T(0), -T(0), denorm, -denorm, below_min, -below_min};
  std::size_t k = 0;
  for (const std::int64_t i : rows) {
    const std::int64_t c = static_cast<std::int64_t>(k * 7 % static_cast<std::size_t>(C));
    s[static_cast<std::size_t>(i * C + c)] = values[k % 6];
    if (masked && k % 3 == 0 && C > 1) {
      s[static_cast<std::size_t>(i * C + (c + 1) % C)] = -std::numeric_limits<T>::infinity();
    }
    ++k;
  }
  return s;
}

// The scalar definition: rows with |x| < the smallest normal (nan is not below it).
template <typename T>
Rows scan(const std::vector<T>& s, std::int64_t C, const std::vector<std::int64_t>* target,
          std::int64_t ignore) {
  Rows rows;
  const std::int64_t n = static_cast<std::int64_t>(s.size()) / C;
  for (std::int64_t i = 0; i < n; ++i) {
    if (target && (*target)[static_cast<std::size_t>(i)] == ignore) continue;
    bool tiny = false;
    for (std::int64_t c = 0; c < C; ++c) {
      tiny =
          tiny || std::abs(s[static_cast<std::size_t>(i * C + c)]) < std::numeric_limits<T>::min();
    }
    if (tiny) rows.push_back(i);
  }
  return rows;
}

// Rows around every block of eight and every thread chunk of the pass, plus a few inside.
Rows boundary_rows(std::int64_t n, std::int64_t chunk) {
  Rows rows;
  auto add = [&](std::int64_t i) {
    if (i >= 0 && i < n && (rows.empty() || rows.back() < i)) rows.push_back(i);
  };
  for (std::int64_t b = 0; b <= n; b += chunk) {
    for (std::int64_t d : {-9, -8, -1, 0, 1, 7, 8, 13}) add(b + d);
  }
  add(n - 1);
  return rows;
}

struct Case {
  std::string name;
  std::int64_t C;
  bool weighted = false;
  std::optional<std::int64_t> ignore_index = std::nullopt;
  bool masked = false;
};

template <typename T>
::testing::AssertionResult multiclass_rows_listed(const Case& k) {
  Mismatches m;
  const std::int64_t chunk = chunk_rows(k.C, sizeof(T));
  const std::int64_t n = 3 * chunk + 21;
  const Rows planted = boundary_rows(n, chunk);
  const auto scores = scores_with<T>(n, k.C, planted, k.masked, 7);
  std::vector<std::int64_t> target(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    target[static_cast<std::size_t>(i)] = (i * 5 + 3) % k.C;
    // Every fifth planted row (and a few others) ignored, when ignore_index is set.
    if (k.ignore_index && i % 5 == 0) {
      target[static_cast<std::size_t>(i)] = *k.ignore_index;
    }
  }
  const std::vector<double> weights(static_cast<std::size_t>(n), 1.5);
  MulticlassBatch b;
  b.target = ArrayView::vector(target.data(), n);
  b.scores = ArrayView::matrix(scores.data(), n, k.C);
  if (k.weighted) b.sample_weight = ArrayView::vector(weights.data(), n);
  const Rows want =
      scan(scores, k.C, k.ignore_index ? &target : nullptr, k.ignore_index.value_or(-1));
  if (!m.expect(want.size() > 20u, k.name + ": fewer than 21 planted rows") ||
      !m.expect(!k.ignore_index || want.size() < planted.size(),
                k.name + ": no planted row is ignored")) {
    return m.result();
  }

  StateOptions o;
  o.num_classes = k.C;
  o.ignore_index = k.ignore_index;
  o.threads = 1;
  SufficientState without(o);
  update(without, b);
  for (int threads : {1, 2, 3, 4}) {
    o.threads = threads;
    SufficientState s(o);
    Rows got{-1};  // replaced, not appended to
    update(s, b, &got);
    const std::string what = k.name + ", " + std::to_string(threads) + " threads";
    m.equal(got, want, what + ": rows");
    m.expect(s == without, what + ": the state differs from the pass not asked for the rows");
  }
  return m.result();
}

TEST(TinyRows, MulticlassFloat32BlockFold) {
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=10, default options", 10}));
}

TEST(TinyRows, MulticlassFloat32WeightedRowByRow) {
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=10, weighted", 10, true}));
}

TEST(TinyRows, MulticlassFloat32IgnoreIndexWalk) {
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=10, ignore_index", 10, false, 4}));
}

TEST(TinyRows, MulticlassFloat32MaskedRowsRecomputedInDouble) {
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=10, -inf rows", 10, false, std::nullopt, true}));
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=40, -inf rows", 40, false, std::nullopt, true}));
}

TEST(TinyRows, MulticlassFloat32WideRows) {
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=40", 40}));
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=17, ignore_index", 17, false, 2}));
  EXPECT_TRUE(multiclass_rows_listed<float>({"C=3", 3}));
}

TEST(TinyRows, MulticlassFloat64DoubleKernels) {
  EXPECT_TRUE(multiclass_rows_listed<double>({"C=10 float64", 10}));
  EXPECT_TRUE(multiclass_rows_listed<double>({"C=40 float64, weighted", 40, true}));
  EXPECT_TRUE(
      multiclass_rows_listed<double>({"C=5 float64, -inf rows", 5, false, std::nullopt, true}));
}

TEST(TinyRows, MulticlassPredictedLabelsListNothingAndErrorsLeaveTheListAlone) {
  const std::vector<std::int64_t> target = {0, 1, 2}, predicted = {0, 0, 2};
  MulticlassBatch b;
  b.target = ArrayView::vector(target.data(), 3);
  b.predicted = ArrayView::vector(predicted.data(), 3);
  StateOptions o;
  o.num_classes = 3;
  SufficientState s(o);
  Rows got{5};
  update(s, b, &got);
  EXPECT_TRUE(got.empty());

  const std::vector<float> scores = {0.0f, 1.0f, 2.0f, std::nanf(""), 1.0f, 0.0f};
  const std::vector<std::int64_t> two = {0, 1};
  MulticlassBatch bad;
  bad.target = ArrayView::vector(two.data(), 2);
  bad.scores = ArrayView::matrix(scores.data(), 2, 3);
  got = {5};
  EXPECT_THROW(update(s, bad, &got), ValueRangeError);
  EXPECT_EQ(got, Rows{5});
}

template <typename T>
::testing::AssertionResult labelwise_rows_listed(std::int64_t L, bool one_d) {
  Mismatches m;
  const std::int64_t chunk = chunk_rows(L, sizeof(T));
  const std::int64_t n = 2 * chunk + 11;
  const Rows planted = boundary_rows(n, chunk);
  const auto scores = scores_with<T>(n, L, planted, false, 11);
  std::vector<std::int32_t> target(scores.size());
  for (std::size_t i = 0; i < target.size(); ++i) target[i] = static_cast<std::int32_t>(i % 3 == 0);
  LabelwiseBatch b;
  b.target = one_d ? ArrayView::vector(target.data(), n) : ArrayView::matrix(target.data(), n, L);
  b.scores = one_d ? ArrayView::vector(scores.data(), n) : ArrayView::matrix(scores.data(), n, L);
  const Rows want = scan(scores, L, nullptr, 0);
  if (!m.equal(want, planted, "the scan finds the planted rows")) return m.result();
  LabelwiseState without(LabelwiseOptions{L, 0.5, 1});
  update(without, b);
  for (int threads : {1, 2, 3}) {
    LabelwiseState s(LabelwiseOptions{L, 0.5, threads});
    Rows got;
    update(s, b, &got);
    const std::string what = "L=" + std::to_string(L) + (one_d ? " (N,)" : " (N, L)") + ", " +
                             std::to_string(threads) + " threads";
    m.equal(got, want, what + ": rows");
    m.expect(s == without, what + ": the state differs from the pass not asked for the rows");
  }
  return m.result();
}

TEST(TinyRows, BinaryAndMultilabel) {
  EXPECT_TRUE(labelwise_rows_listed<float>(1, true));
  EXPECT_TRUE(labelwise_rows_listed<double>(1, true));
  EXPECT_TRUE(labelwise_rows_listed<float>(1, false));
  EXPECT_TRUE(labelwise_rows_listed<float>(5, false));
  EXPECT_TRUE(labelwise_rows_listed<double>(5, false));
}

}  // namespace
}  // namespace metricaudit
