// The pass's SIMD row kernels (metrics/src/detail/row_kernels.*): the vectorised exp
// and log against std::exp / std::log over sweeps of inputs (stated bound: 2 ulp), and
// the reproducibility rules: a row's results do not depend on its address (alignment),
// its lane in a four-row block, or its position in a batch; both compiled copies (AVX2
// + FMA where the CPU has it, and the portable one) agree with a scalar reference.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../../../metrics/src/detail/row_kernels.hpp"
#include "metricaudit/metricaudit.hpp"
#include "mismatches.hpp"
#include "row_results.hpp"

namespace metricaudit {
namespace {

using detail::RowBlock;
using detail::RowResult;
using testing::Mismatches;

double ulps(double got, double want) {
  if (got == want) return 0.0;
  const double a = std::fabs(want);
  const double ulp = std::nextafter(a, std::numeric_limits<double>::infinity()) - a;
  return std::fabs(got - want) / ulp;
}

template <typename K>
::testing::AssertionResult exp_and_log_within_two_ulp(const char* name) {
  Mismatches m;
  const std::string prefix(name);
  std::mt19937_64 rng(7);
  double worst_exp = 0.0, worst_log = 0.0;
  for (int i = 0; i < 200000; ++i) {
    double x[4], out[4];
    const double scale = (i % 3 == 0) ? 1.0 : (i % 3 == 1 ? 40.0 : 708.0);
    for (auto& v : x) v = -std::uniform_real_distribution<double>(0.0, scale)(rng);
    if (i == 0) {
      x[0] = 0.0;
      x[1] = -0.0;
      x[2] = -std::log(2.0) / 2;
      x[3] = -708.0;
    }
    K::exp_packet(x, out);
    for (int l = 0; l < 4; ++l) worst_exp = std::max(worst_exp, ulps(out[l], std::exp(x[l])));
    for (auto& v : x) {
      const double kind = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      v = 1.0 + (kind < 0.3 ? kind * 1e-6 : (kind < 0.6 ? kind * 20.0 : kind * 1e5));
    }
    if (i == 0) {
      x[0] = 1.0;
      x[1] = std::sqrt(2.0);
      x[2] = std::nextafter(1.0, 2.0);
      x[3] = 1e300;
    }
    K::log_packet(x, out);
    for (int l = 0; l < 4; ++l) {
      const double want = std::log(x[l]);
      if (want == 0.0) {
        m.equal(out[l], 0.0, prefix + ": log(1)");
      } else {
        worst_log = std::max(worst_log, ulps(out[l], want));
      }
    }
  }
  m.at_most(worst_exp, 2.0, prefix + ": exp, worst ulps");
  m.at_most(worst_log, 2.0, prefix + ": log, worst ulps");
  // Below the flush point (and -inf): 0.
  double x[4] = {-709.0, -1e300, -std::numeric_limits<double>::infinity(), -745.2};
  double out[4];
  K::exp_packet(x, out);
  for (double v : out) m.equal(v, 0.0, prefix + ": exp below the flush point");
  return m.result();
}

TEST(RowKernels, PortableExpAndLogWithinTwoUlp) {
  EXPECT_TRUE(exp_and_log_within_two_ulp<detail::portable::Kernels>("portable"));
}

#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
TEST(RowKernels, Avx2ExpAndLogWithinTwoUlp) {
  if (!detail::use_avx2_kernels()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  EXPECT_TRUE(exp_and_log_within_two_ulp<detail::avx2::Kernels>("avx2"));
}
#endif

// A scalar reference for one row (the definition the kernels implement).
template <typename T>
RowResult reference(const T* row, long long y, long long C, double thr) {
  RowResult r{};
  double best = -std::numeric_limits<double>::infinity();
  const double zy = static_cast<double>(row[y]);
  r.in_unit = true;
  double sz = 0.0;
  for (long long c = 0; c < C; ++c) {
    const double v = static_cast<double>(row[c]);
    if (v > best) {
      best = v;
      r.argmax = c;
    }
    r.greater += v > zy;
    r.ties_below += v == zy && c < y;
    r.ties_above += v == zy && c > y;
    r.above += v > thr;
    r.in_unit = r.in_unit && v >= 0 && v <= 1;
    r.masked = r.masked || std::isinf(v);
    sz += v;
  }
  double se = 0.0;
  for (long long c = 0; c < C; ++c) se += std::exp(static_cast<double>(row[c]) - best);
  r.lse_hi = best + std::log(se);
  r.smoothing = static_cast<double>(C) * r.lse_hi - sz;
  return r;
}

template <typename K, typename T>
RowResult run_kernel(const T* row, long long y, long long C, double thr, int lane, const T* other) {
  if (C <= detail::kRowLanesMaxClasses) {
    const T* rows[4] = {other, other, other, other};
    long long ys[4] = {0, 0, 0, 0};
    rows[lane] = row;
    ys[lane] = y;
    RowBlock b;
    K::template rows4<T>(rows, ys, C, thr, true, b);
    return b.row(lane);
  }
  RowResult r;
  K::template row1<T>(row, y, C, thr, true, r);
  return r;
}

// same_row_results (row_results.hpp) sees a change in any one field, and tells -0.0 from
// 0.0.
TEST(RowKernels, TheSameResultsCheckSeesEachField) {
  const RowResult a{1, 2, 3, 4, 5, false, true, false, true, false, 0.0, 0.0, 0.5};
  const std::vector<void (*)(RowResult&)> changes = {
      [](RowResult& r) { r.argmax += 1; },          [](RowResult& r) { r.greater += 1; },
      [](RowResult& r) { r.ties_below += 1; },      [](RowResult& r) { r.ties_above += 1; },
      [](RowResult& r) { r.above += 1; },           [](RowResult& r) { r.bad = !r.bad; },
      [](RowResult& r) { r.in_unit = !r.in_unit; }, [](RowResult& r) { r.masked = !r.masked; },
      [](RowResult& r) { r.nonneg = !r.nonneg; },   [](RowResult& r) { r.tiny = !r.tiny; },
      [](RowResult& r) { r.lse_hi = -0.0; },        [](RowResult& r) { r.lse_lo = 1e-300; },
      [](RowResult& r) { r.smoothing = 0.5000001; }};
  Mismatches same;
  testing::same_row_results(same, a, a, "a");
  EXPECT_EQ(same.count(), 0u);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    RowResult b = a;
    changes[i](b);
    Mismatches m;
    testing::same_row_results(m, a, b, "change " + std::to_string(i));
    EXPECT_EQ(m.count(), 1u) << "change " << i;
    EXPECT_FALSE(m.result());
  }
}

template <typename K, typename T>
::testing::AssertionResult independent_of_address_lane_and_tail(const char* name) {
  Mismatches m;
  std::mt19937_64 rng(11);
  for (long long C : {1LL, 2LL, 3LL, 4LL, 5LL, 7LL, 10LL, 15LL, 16LL, 17LL, 33LL, 100LL, 1003LL}) {
    // Storage with room to shift the row by 0..7 elements (every alignment mod 32 bytes).
    std::vector<T> store(static_cast<std::size_t>(C + 8));
    std::vector<T> row(static_cast<std::size_t>(C));
    std::vector<T> other(static_cast<std::size_t>(C));
    for (int trial = 0; trial < 20; ++trial) {
      for (auto& v : row) v = static_cast<T>(std::normal_distribution<double>(0.0, 3.0)(rng));
      for (auto& v : other) v = static_cast<T>(std::normal_distribution<double>(0.0, 3.0)(rng));
      if (trial % 4 == 1 && C > 2) row[1] = row[0];                      // a tie
      if (trial % 4 == 2) row[0] = -std::numeric_limits<T>::infinity();  // masked
      if (trial % 4 == 3)
        for (auto& v : row) v = static_cast<T>(std::fabs(v) / 10);  // maybe unit
      if (C == 1 && std::isinf(row[0])) continue;  // a row of -inf is the caller's error path
      const long long y = static_cast<long long>(rng() % static_cast<std::uint64_t>(C));
      const RowResult ref = reference(row.data(), y, C, 0.5);
      RowResult first{};
      for (int shift = 0; shift < 8; ++shift) {
        std::copy(row.begin(), row.end(), store.begin() + shift);
        for (int lane = 0; lane < 4; ++lane) {
          const RowResult r = run_kernel<K>(store.data() + shift, y, C, 0.5, lane, other.data());
          const std::string what = std::string(name) + " C=" + std::to_string(C) +
                                   " shift=" + std::to_string(shift) +
                                   " lane=" + std::to_string(lane);
          if (shift == 0 && lane == 0) {
            first = r;
            m.equal(r.argmax, ref.argmax, what + " argmax");
            m.equal(r.greater, ref.greater, what + " greater");
            m.equal(r.ties_below, ref.ties_below, what + " ties_below");
            m.equal(r.ties_above, ref.ties_above, what + " ties_above");
            m.equal(r.above, ref.above, what + " above");
            m.equal(r.in_unit, ref.in_unit, what + " in_unit");
            m.equal(r.masked, ref.masked, what + " masked");
            m.at_most(std::fabs(r.lse_hi - ref.lse_hi),
                      1e-13 * std::max(1.0, std::fabs(ref.lse_hi)), what + " lse_hi error");
            m.equal(r.lse_lo, 0.0, what + " lse_lo");  // the double kernels keep lse in one part
            if (!ref.masked) {  // a masked row's smoothing term is +inf, counted apart
              m.at_most(std::fabs(r.smoothing - ref.smoothing),
                        1e-12 * std::max(1.0, std::fabs(ref.smoothing)), what + " smoothing error");
            }
          } else {
            testing::same_row_results(m, r, first, what);
          }
          if (C > detail::kRowLanesMaxClasses) break;  // row1 has no lanes
        }
      }
    }
  }
  return m.result();
}

TEST(RowKernels, PortableResultsIndependentOfAddressLaneAndTail) {
  EXPECT_TRUE(
      (independent_of_address_lane_and_tail<detail::portable::Kernels, float>("portable/f32")));
  EXPECT_TRUE(
      (independent_of_address_lane_and_tail<detail::portable::Kernels, double>("portable/f64")));
}

#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
TEST(RowKernels, Avx2ResultsIndependentOfAddressLaneAndTail) {
  if (!detail::use_avx2_kernels()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  EXPECT_TRUE((independent_of_address_lane_and_tail<detail::avx2::Kernels, float>("avx2/f32")));
  EXPECT_TRUE((independent_of_address_lane_and_tail<detail::avx2::Kernels, double>("avx2/f64")));
}
#endif

// The pass: the same rows at another address (shifted by one element, so every row's
// alignment changes) and at other positions (a row prepended) give the same state.
TEST(RowKernels, PassIndependentOfAlignmentAndPosition) {
  for (std::int64_t C : {3, 10, 16, 17, 257}) {
    const std::int64_t n = 203;
    std::mt19937_64 rng(static_cast<std::uint64_t>(C));
    std::vector<float> store(static_cast<std::size_t>((n + 1) * C + 1));
    std::vector<std::int64_t> target(static_cast<std::size_t>(n + 1));
    for (auto& v : store) v = static_cast<float>(std::normal_distribution<double>(0.0, 2.0)(rng));
    for (auto& t : target) t = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(C));
    StateOptions o;
    o.num_classes = C;
    o.threads = 1;
    auto eval_at = [&](const float* scores, const std::int64_t* t, std::int64_t rows) {
      MulticlassBatch b;
      b.target = ArrayView::vector(t, rows);
      b.scores = ArrayView::matrix(scores, rows, C);
      return evaluate(b, o);
    };
    // Rows 1..n at offset C (aligned like the original) and at offset C + 1 (shifted).
    std::vector<float> shifted(store.size() + 1);
    std::copy(store.begin(), store.end(), shifted.begin() + 1);
    const auto a = eval_at(store.data() + C, target.data() + 1, n);
    const auto b = eval_at(shifted.data() + 1 + C, target.data() + 1, n);
    EXPECT_TRUE(a == b) << "C=" << C;
    // The same rows one by one, merged: every row at position 0 of its own batch.
    SufficientState merged(o);
    for (std::int64_t i = 1; i <= n; ++i)
      merged.merge(eval_at(store.data() + i * C, target.data() + i, 1));
    EXPECT_TRUE(merged == a) << "C=" << C;
  }
}

}  // namespace
}  // namespace metricaudit
