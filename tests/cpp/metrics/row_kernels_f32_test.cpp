// The float32 row kernels (metrics/src/detail/row_kernels_f32.inc), both compiled copies:
//  - the float32 exp within 2 * 2^-24 of exp(hi + lo) over float32 hi in [-86, 0] (every
//    4099th; METRICAUDIT_EXHAUSTIVE=1 takes every one) and random exact differences;
//  - two_diff exact;
//  - every row's loss and smoothing terms within kFloat32LossRelativeError (plus
//    C * 2^-124) of a long-double reference, on rows made to stress the bound;
//  - counts equal to the scalar definition; non-finite rows flagged;
//  - rows holding a zero or a subnormal flagged (RowResult::tiny), with and without the
//    log-sum-exp, wherever the cell lies; nan, +-inf and FLT_MIN not;
//  - a row's results independent of its lane, its block (strided or scattered) and its
//    address, bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../../../metrics/src/detail/row_kernels.hpp"
#include "metricaudit/evaluate.hpp"
#include "mismatches.hpp"
#include "row_results.hpp"

namespace metricaudit {
namespace {

using detail::RowBlock8;
using detail::RowResult;
using testing::Mismatches;

constexpr double kU = 1.0 / 16777216.0;  // 2^-24

template <typename K>
::testing::AssertionResult expf_within_two_units(const char* name) {
  Mismatches m;
  const std::string prefix(name);
  const bool exhaustive = std::getenv("METRICAUDIT_EXHAUSTIVE") != nullptr;
  const std::uint32_t step = exhaustive ? 1 : 4099;
  float hi[8], lo[8] = {}, out[8];
  double worst = 0.0;
  float worst_at = 0.0f;
  std::uint32_t last;
  const float flush = detail::portable::kExpfFlush;
  std::memcpy(&last, &flush, sizeof last);
  int n = 0;
  // The negative floats from -0 to -86: bit patterns 0x80000000 up to bits(-86).
  for (std::uint64_t bits = 0x80000000u; bits <= last; bits += step) {
    const auto b = static_cast<std::uint32_t>(bits);
    std::memcpy(&hi[n], &b, sizeof b);
    if (++n < 8 && bits + step <= last) continue;
    K::expf_packet(hi, lo, out);
    for (int l = 0; l < n; ++l) {
      const double want = std::exp(static_cast<double>(hi[l]));
      const double err = std::fabs(static_cast<double>(out[l]) - want) / want;
      if (err > worst) {
        worst = err;
        worst_at = hi[l];
      }
    }
    n = 0;
  }
  m.at_most(worst, 2 * kU, prefix + ": relative error, worst at " + std::to_string(worst_at));
  // Exact differences z - top of random floats, as the kernels form them.
  std::mt19937_64 rng(1);
  double worst_pairs = 0.0;
  for (int it = 0; it < 50000; ++it) {
    float a[8], top[8], h[8], l8[8];
    for (int l = 0; l < 8; ++l) {
      const auto x =
          static_cast<float>(std::normal_distribution<double>(0, it % 3 ? 3.0 : 30.0)(rng));
      auto y = static_cast<float>(std::normal_distribution<double>(0, 3.0)(rng));
      if (it % 5 == 0) y *= 1e-4f;
      a[l] = std::min(x, y);
      top[l] = std::max(x, y);
    }
    K::two_diff_packet(a, top, h, l8);
    K::expf_packet(h, l8, out);
    for (int l = 0; l < 8; ++l) {
      const double exact = static_cast<double>(a[l]) - static_cast<double>(top[l]);
      if (!m.equal(static_cast<double>(h[l]) + static_cast<double>(l8[l]), exact,
                   prefix + ": two_diff exact")) {
        continue;
      }
      if (h[l] < flush) {
        m.equal(out[l], 0.0f, prefix + ": exp below the flush point");
        continue;
      }
      const double want = std::exp(exact);
      worst_pairs = std::max(worst_pairs, std::fabs(static_cast<double>(out[l]) - want) / want);
    }
  }
  m.at_most(worst_pairs, 2 * kU, prefix + ": relative error on exact differences");
  // exp(0) is exactly 1 (the max columns are counted, not summed); -inf and below the
  // flush point give 0.
  const float special_hi[8] = {
      0.0f,   -0.0f,   -86.5f, -1e30f, -std::numeric_limits<float>::infinity(),
      -87.0f, -100.0f, -1e-30f};
  const float zero_lo[8] = {};
  K::expf_packet(special_hi, zero_lo, out);
  m.equal(out[0], 1.0f, prefix + ": exp(0)");
  m.equal(out[1], 1.0f, prefix + ": exp(-0)");
  for (int l = 2; l < 7; ++l) m.equal(out[l], 0.0f, prefix + ": lane " + std::to_string(l));
  m.equal(out[7], 1.0f, prefix + ": exp(-1e-30)");
  return m.result();
}

TEST(RowKernelsF32, PortableExpWithinTwoUnitsOfFloat32) {
  EXPECT_TRUE(expf_within_two_units<detail::portable::Kernels>("portable"));
}

#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
TEST(RowKernelsF32, Avx2ExpWithinTwoUnitsOfFloat32) {
  if (!detail::use_avx2_kernels()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  EXPECT_TRUE(expf_within_two_units<detail::avx2::Kernels>("avx2"));
}
#endif

// The exact definition, in long double: counts, and the terms as real numbers.
struct Reference {
  long long argmax = 0, greater = 0, ties_below = 0, ties_above = 0, above = 0;
  bool in_unit = true, nonneg = true;
  long double loss = 0, smoothing = 0;
};

Reference reference(const float* row, int y, int C, float thr) {
  Reference r;
  float best = -std::numeric_limits<float>::infinity();
  for (int c = 0; c < C; ++c) {
    const float v = row[c];
    if (v > best) {
      best = v;
      r.argmax = c;
    }
    r.greater += v > row[y];
    r.ties_below += v == row[y] && c < y;
    r.ties_above += v == row[y] && c > y;
    r.above += v > thr;
    r.in_unit = r.in_unit && v >= 0 && v <= 1;
    r.nonneg = r.nonneg && v >= 0;
  }
  // lse - m = log(n + t), n the columns at the max, t the others' exps: kept apart from m
  // (and log1p of the small part), or the reference would round where the kernels do not.
  long double t = 0, n = 0;
  for (int c = 0; c < C; ++c) {
    if (row[c] == best) {
      n += 1;
    } else {
      t += expl(static_cast<long double>(row[c]) - best);
    }
  }
  const long double lse_lo = logl(n) + log1pl(t / n);
  r.loss = (static_cast<long double>(best) - row[y]) + lse_lo;
  for (int c = 0; c < C; ++c) r.smoothing += (static_cast<long double>(best) - row[c]) + lse_lo;
  return r;
}

// Rows that stress each part of the bound: ordinary logits, a confident target (tiny
// terms), a wide spread (terms that underflow), ties at the top, a large offset (the
// differences need two_diff), a small scale, probabilities, non-negative scores above 1
// (read by Keras' renormalising family).
std::vector<float> make_row(std::mt19937_64& rng, int C, int kind, int y) {
  std::vector<float> row(static_cast<std::size_t>(C));
  std::normal_distribution<double> z(0.0, 1.0);
  for (auto& v : row) {
    const double g = z(rng);
    switch (kind % 8) {
      case 0:
        v = static_cast<float>(3 * g);
        break;
      case 1:
        v = static_cast<float>(g);
        break;
      case 2:
        v = static_cast<float>(60 * g);
        break;
      case 3:
        v = static_cast<float>(std::round(2 * g));
        break;
      case 4:
        v = static_cast<float>(1e4 + 5 * g);
        break;
      case 5:
        v = static_cast<float>(1e-3 * g);
        break;
      case 6:
        v = static_cast<float>(std::fabs(g) / 4);
        break;
      default:
        v = static_cast<float>(std::fabs(3 * g));
        break;
    }
  }
  if (kind % 8 == 1) row[static_cast<std::size_t>(y)] += static_cast<float>(15 + (kind % 3) * 10);
  return row;
}

void within_bound(Mismatches& m, const RowResult& r, const Reference& ref, const float* row, int y,
                  int C, const std::string& what) {
  m.equal(r.bad, false, what + " bad");
  m.equal(r.argmax, ref.argmax, what + " argmax");
  m.equal(r.greater, ref.greater, what + " greater");
  m.equal(r.ties_below, ref.ties_below, what + " ties_below");
  m.equal(r.ties_above, ref.ties_above, what + " ties_above");
  m.equal(r.above, ref.above, what + " above");
  m.equal(r.in_unit, ref.in_unit, what + " in_unit");
  m.equal(r.nonneg, ref.nonneg, what + " nonneg");
  const double absolute = C * std::ldexp(1.0, -124);
  const double loss = (r.lse_hi - static_cast<double>(row[y])) + r.lse_lo;
  const long double loss_err = fabsl(static_cast<long double>(loss) - ref.loss);
  m.at_most(static_cast<double>(loss_err),
            kFloat32LossRelativeError * static_cast<double>(ref.loss) + absolute,
            what + " loss error (loss " + std::to_string(loss) + ")");
  const long double sm_err = fabsl(static_cast<long double>(r.smoothing) - ref.smoothing);
  m.at_most(static_cast<double>(sm_err),
            kFloat32LossRelativeError * static_cast<double>(ref.smoothing) + absolute,
            what + " smoothing error (smoothing " + std::to_string(r.smoothing) + ")");
}

// One row through the kernel that C selects: rows8 (as lane `lane` of a strided and of a
// scattered block, the other lanes other rows) or row1_f32 (at `shift` floats from an
// aligned address), with the log-sum-exp (lse) and the tiny flag (kTiny).
template <typename K, bool kLse, bool kTiny>
RowResult run_f32_with(Mismatches& m, const std::vector<float>& row, int y, int C, float thr,
                       int lane, int shift, bool strided, const std::vector<float>& other,
                       int other_y) {
  if (C > detail::kRowLanesMaxClasses) {
    std::vector<float> store(row.size() + 8);
    std::copy(row.begin(), row.end(), store.begin() + shift);
    RowResult r;
    K::template row1_f32<kLse, kTiny>(store.data() + shift, y, C, thr, r);
    if (!kTiny) m.equal(r.tiny, false, "RowResult::tiny is set only when asked");
    return r;
  }
  std::vector<float> block(static_cast<std::size_t>(8 * C + 8));
  float* base = block.data() + shift;
  int ys[8];
  for (int l = 0; l < 8; ++l) {
    const auto& src = l == lane ? row : other;
    std::copy(src.begin(), src.end(), base + l * C);
    ys[l] = l == lane ? y : other_y;
  }
  RowBlock8 out;
  if (strided) {
    K::template rows8_strided<kLse, kTiny>(base, ys, C, thr, out);
  } else {
    const float* rows[8];
    for (int l = 0; l < 8; ++l) rows[l] = base + l * C;
    K::template rows8_scattered<kLse, kTiny>(rows, ys, C, thr, out);
  }
  int any_tiny = 0;
  for (int l = 0; l < 8; ++l) any_tiny |= out.tiny[l];
  m.equal(out.any_tiny, any_tiny != 0, "RowBlock8::any_tiny is the lanes' or");
  if (!kTiny) m.equal(out.any_tiny, false, "RowBlock8::any_tiny is set only when asked");
  return out.row(lane);
}

// The log-sum-exp and the tiny flag by default; `plain`: the kernel the pass runs when
// update() is not asked for tiny_rows, whose other results must be the same bits.
template <typename K>
RowResult run_f32(Mismatches& m, const std::vector<float>& row, int y, int C, float thr, int lane,
                  int shift, bool strided, const std::vector<float>& other, int other_y,
                  bool lse = true, bool plain = false) {
  if (plain) {
    return run_f32_with<K, true, false>(m, row, y, C, thr, lane, shift, strided, other, other_y);
  }
  if (lse) {
    return run_f32_with<K, true, true>(m, row, y, C, thr, lane, shift, strided, other, other_y);
  }
  return run_f32_with<K, false, true>(m, row, y, C, thr, lane, shift, strided, other, other_y);
}

template <typename K>
::testing::AssertionResult rows_within_bound_and_independent(const char* name) {
  Mismatches m;
  std::mt19937_64 rng(17);
  for (int C : {1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 24, 31, 100, 1000, 4099}) {
    for (int kind = 0; kind < 24; ++kind) {
      const int y = static_cast<int>(rng() % static_cast<std::uint64_t>(C));
      const auto row = make_row(rng, C, kind, y);
      const auto other = make_row(rng, C, kind + 3, 0);
      const float thr = kind % 8 == 6 ? 0.125f : 0.5f;
      const Reference ref = reference(row.data(), y, C, thr);
      const std::string what =
          std::string(name) + " C=" + std::to_string(C) + " kind=" + std::to_string(kind);
      const RowResult first = run_f32<K>(m, row, y, C, thr, 0, 0, true, other, 0);
      within_bound(m, first, ref, row.data(), y, C, what);
      RowResult plain = run_f32<K>(m, row, y, C, thr, 0, 0, true, other, 0, true, true);
      plain.tiny = first.tiny;  // the one result the kernel without kTiny does not give
      testing::same_row_results(m, plain, first, what + " without the tiny flag");
      for (int shift = 0; shift < 8; shift += 3) {
        for (int lane = 0; lane < 8; ++lane) {
          for (bool strided : {true, false}) {
            testing::same_row_results(
                m, run_f32<K>(m, row, y, C, thr, lane, shift, strided, other, 0), first,
                what + " lane " + std::to_string(lane) + " shift " + std::to_string(shift) +
                    (strided ? " strided" : " scattered"));
          }
          if (C > detail::kRowLanesMaxClasses) break;  // row1_f32 has no lanes
        }
      }
    }
  }
  return m.result();
}

TEST(RowKernelsF32, PortableRowsWithinTheBoundAndIndependentOfLaneAndAddress) {
  EXPECT_TRUE(rows_within_bound_and_independent<detail::portable::Kernels>("portable"));
}

#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
TEST(RowKernelsF32, Avx2RowsWithinTheBoundAndIndependentOfLaneAndAddress) {
  if (!detail::use_avx2_kernels()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  EXPECT_TRUE(rows_within_bound_and_independent<detail::avx2::Kernels>("avx2"));
}
#endif

// Rows the float32 kernels cannot vouch for are flagged, so that the pass recomputes them
// in double: a nan, +-inf, and finite scores whose differences overflow float32.
template <typename K>
::testing::AssertionResult flags_rows_it_cannot_vouch_for(const char* name) {
  Mismatches m;
  const float inf = std::numeric_limits<float>::infinity();
  for (int C : {4, 16, 17, 40}) {
    for (int which = 0; which < 4; ++which) {
      std::vector<float> row(static_cast<std::size_t>(C), 0.5f);
      const float bad[] = {std::numeric_limits<float>::quiet_NaN(), inf, -inf, -3e38f};
      row[static_cast<std::size_t>(C / 2)] = bad[which];
      if (which == 3) row[0] = 3e38f;  // 3e38 - (-3e38) overflows
      const std::vector<float> other(static_cast<std::size_t>(C), 0.25f);
      const std::string what =
          std::string(name) + " C=" + std::to_string(C) + " case " + std::to_string(which);
      m.equal(run_f32<K>(m, row, 1, C, 0.5f, 3, 0, true, other, 0).bad, true, what + " bad");
      m.equal(run_f32<K>(m, other, 0, C, 0.5f, 0, 0, true, row, 1).bad, false,
              what + ": a neighbour lane's bad");
    }
  }
  return m.result();
}

TEST(RowKernelsF32, PortableFlagsRowsItCannotVouchFor) {
  EXPECT_TRUE(flags_rows_it_cannot_vouch_for<detail::portable::Kernels>("portable"));
}

#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
TEST(RowKernelsF32, Avx2FlagsRowsItCannotVouchFor) {
  if (!detail::use_avx2_kernels()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  EXPECT_TRUE(flags_rows_it_cannot_vouch_for<detail::avx2::Kernels>("avx2"));
}
#endif

// RowResult::tiny: a row holding a zero or a subnormal (either sign) is flagged, wherever
// the cell lies (before, in and after the target's packet, in row1_f32's partial last
// packet), with and without the log-sum-exp sweep, in every lane of a strided or a
// scattered block; a row whose smallest magnitude is FLT_MIN, or that holds a nan or an
// infinity, is not, and neither is a neighbour lane.
template <typename K>
::testing::AssertionResult flags_rows_holding_a_tiny_score(const char* name) {
  Mismatches m;
  const float denorm = std::numeric_limits<float>::denorm_min();
  const float flt_min = std::numeric_limits<float>::min();
  const float inf = std::numeric_limits<float>::infinity();
  const float tiny[] = {0.0f,
                        -0.0f,
                        denorm,
                        -denorm,
                        1e-40f,
                        -1e-40f,
                        std::nextafter(flt_min, 0.0f),
                        -std::nextafter(flt_min, 0.0f)};
  const float not_tiny[] = {flt_min, -flt_min, std::numeric_limits<float>::quiet_NaN(),
                            inf,     -inf,     1.0f};
  for (int C : {1, 2, 7, 8, 9, 16, 17, 24, 40, 1000}) {
    const std::vector<float> other(static_cast<std::size_t>(C), 0.25f);
    const int y = C / 2;
    for (int c : {0, C / 3, y, C - 1}) {
      for (bool lse : {true, false}) {
        for (int lane = 0; lane < 8; lane += 3) {
          for (bool strided : {true, false}) {
            const std::string what = std::string(name) + " C=" + std::to_string(C) + " column " +
                                     std::to_string(c) + " lane " + std::to_string(lane) +
                                     (strided ? " strided" : " scattered") + (lse ? " lse" : "");
            for (float v : tiny) {
              std::vector<float> row(static_cast<std::size_t>(C), 0.5f);
              row[static_cast<std::size_t>(c)] = v;
              const std::string value = what + " value " + ::testing::PrintToString(v);
              m.equal(run_f32<K>(m, row, y, C, 0.5f, lane, 1, strided, other, 0, lse).tiny, true,
                      value + " tiny");
              m.equal(run_f32<K>(m, other, 0, C, 0.5f, lane, 1, strided, row, y, lse).tiny, false,
                      value + ": a neighbour lane's tiny");
            }
            for (float v : not_tiny) {
              std::vector<float> row(static_cast<std::size_t>(C), -2.0f);
              row[static_cast<std::size_t>(c)] = v;
              m.equal(run_f32<K>(m, row, y, C, 0.5f, lane, 1, strided, other, 0, lse).tiny, false,
                      what + " value " + ::testing::PrintToString(v) + " tiny");
            }
            if (C > detail::kRowLanesMaxClasses) break;  // row1_f32 has no lanes
          }
          if (C > detail::kRowLanesMaxClasses) break;
        }
      }
    }
  }
  return m.result();
}

TEST(RowKernelsF32, PortableFlagsRowsHoldingAZeroOrASubnormal) {
  EXPECT_TRUE(flags_rows_holding_a_tiny_score<detail::portable::Kernels>("portable"));
}

#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
TEST(RowKernelsF32, Avx2FlagsRowsHoldingAZeroOrASubnormal) {
  if (!detail::use_avx2_kernels()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  EXPECT_TRUE(flags_rows_holding_a_tiny_score<detail::avx2::Kernels>("avx2"));
}
#endif

// The pass: a float32 row's terms are the same whichever path folds it (the default
// options' contiguous blocks, the walk that looks for ignore_index, the weighted fold
// with unit weights) and wherever it lies in the batch.
TEST(RowKernelsF32, PassTermsIndependentOfTheFoldPath) {
  for (std::int64_t C : {5, 10, 16, 17, 300}) {
    const std::int64_t n = 77;
    std::mt19937_64 rng(static_cast<std::uint64_t>(C));
    std::vector<float> scores(static_cast<std::size_t>(n * C));
    std::vector<std::int64_t> target(static_cast<std::size_t>(n));
    for (auto& v : scores) v = static_cast<float>(std::normal_distribution<double>(0.0, 2.0)(rng));
    for (auto& t : target) t = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(C));
    scores[3] = -std::numeric_limits<float>::infinity();  // a masked logit: the double kernel
    const std::vector<double> ones(static_cast<std::size_t>(n), 1.0);
    MulticlassBatch b;
    b.target = ArrayView::vector(target.data(), n);
    b.scores = ArrayView::matrix(scores.data(), n, C);
    StateOptions plain;
    plain.num_classes = C;
    plain.threads = 1;
    StateOptions ignoring = plain;
    ignoring.ignore_index = -100;  // no row carries it: every row is scored
    const auto a = evaluate(b, plain);
    const auto c = evaluate(b, ignoring);
    MulticlassBatch weighted = b;
    weighted.sample_weight = ArrayView::vector(ones.data(), n);
    const auto w = evaluate(weighted, plain);
    const auto& la = a.losses[static_cast<int>(LossFamily::logits)];
    for (const SufficientState* s : {&c, &w}) {
      const auto& ls = s->losses[static_cast<int>(LossFamily::logits)];
      for (std::int64_t k = 0; k < C; ++k) {
        EXPECT_TRUE(ls.by_class[static_cast<std::size_t>(k)] ==
                    la.by_class[static_cast<std::size_t>(k)])
            << "C=" << C << " class " << k;
      }
      EXPECT_TRUE(ls.smoothing == la.smoothing) << "C=" << C;
      EXPECT_EQ(ls.infinite_smoothing, la.infinite_smoothing);
      EXPECT_EQ(s->tp, a.tp);
      EXPECT_EQ(s->topk_hits_by_class, a.topk_hits_by_class);
      EXPECT_EQ(s->topk_misses_by_predicted, a.topk_misses_by_predicted);
    }
    EXPECT_EQ(la.infinite_smoothing, 1);
  }
}

}  // namespace
}  // namespace metricaudit
