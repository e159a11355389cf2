#include "metricaudit/exact_sum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "metricaudit/error.hpp"

namespace metricaudit {
namespace {

TEST(ExactSum, EmptyIsZero) {
  ExactSum s;
  EXPECT_TRUE(s.is_zero());
  EXPECT_EQ(s.value(), 0.0);
}

TEST(ExactSum, CancellationIsExact) {
  // A naive double sum of 1e20 + 1 - 1e20 gives 0; the exact sum gives 1.
  ExactSum s;
  s.add(1e20);
  s.add(1.0);
  s.add(-1e20);
  EXPECT_EQ(s.value(), 1.0);
  double naive = 1e20;
  naive += 1.0;
  naive -= 1e20;
  EXPECT_EQ(naive, 0.0);
}

TEST(ExactSum, OrderIndependentBitForBit) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(0.0, 6.0);
  std::vector<double> xs(5000);
  for (auto& x : xs) x = dist(rng) * ((rng() & 1) ? 1.0 : -1.0);
  ExactSum forward, backward, shuffled;
  for (double x : xs) forward.add(x);
  for (auto it = xs.rbegin(); it != xs.rend(); ++it) backward.add(*it);
  std::shuffle(xs.begin(), xs.end(), rng);
  // Shuffled and split in two halves merged: still the same bits.
  ExactSum half;
  for (std::size_t i = 0; i < xs.size(); ++i) (i < xs.size() / 2 ? shuffled : half).add(xs[i]);
  shuffled.merge(half);
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward, shuffled);
  EXPECT_EQ(forward.value(), shuffled.value());
}

TEST(ExactSum, CorrectlyRoundedAgainstLongDouble) {
  // Sum of 0.1 a thousand times: the exact sum of the doubles rounds to the
  // double nearest to 1000 * double(0.1), which long double (64-bit mantissa) holds exactly here.
  ExactSum s;
  long double reference = 0.0L;
  for (int i = 0; i < 1000; ++i) {
    s.add(0.1);
    reference += static_cast<long double>(0.1);
  }
  EXPECT_EQ(s.value(), static_cast<double>(reference));
}

TEST(ExactSum, RoundsTiesToEven) {
  // 1 + 2^-53 is a tie between 1 and 1 + 2^-52: round to even gives 1.
  ExactSum s;
  s.add(1.0);
  s.add(std::ldexp(1.0, -53));
  EXPECT_EQ(s.value(), 1.0);
  // A sticky bit below the tie breaks it upward.
  s.add(std::ldexp(1.0, -80));
  EXPECT_EQ(s.value(), std::nextafter(1.0, 2.0));
}

TEST(ExactSum, NegativeTotals) {
  ExactSum s;
  s.add(-3.25);
  s.add(1.0);
  EXPECT_EQ(s.value(), -2.25);
}

TEST(ExactSum, TinyTermsRoundToTheGrid) {
  ExactSum s;
  s.add(std::ldexp(1.0, -170));  // below half the grid step 2^-160: contributes nothing
  EXPECT_TRUE(s.is_zero());
  s.add(std::ldexp(1.0, -100));
  EXPECT_EQ(s.value(), std::ldexp(1.0, -100));
}

TEST(ExactSum, RejectsNonFiniteAndHuge) {
  ExactSum s;
  EXPECT_THROW(s.add(std::numeric_limits<double>::infinity()), ValueRangeError);
  EXPECT_THROW(s.add(std::nan("")), ValueRangeError);
  EXPECT_THROW(s.add(1e60), ValueRangeError);
  EXPECT_THROW(s.add(std::ldexp(1.0, 160)), ValueRangeError);  // the documented bound
  EXPECT_NO_THROW(s.add(std::nextafter(std::ldexp(1.0, 160), 0.0)));
  EXPECT_NO_THROW(s.add(1e45));
}

TEST(ExactSum, LimbsRoundTripThroughElementwiseSum) {
  // What an all-reduce does: add the normalised limbs of two sums element-wise.
  ExactSum a, b;
  a.add(1.5);
  a.add(-1e-30);
  b.add(2.25e10);
  const auto la = a.limbs();
  const auto lb = b.limbs();
  std::array<std::int64_t, ExactSum::kLimbs> sum{};
  for (int i = 0; i < ExactSum::kLimbs; ++i) sum[i] = la[i] + lb[i];
  ExactSum merged = a;
  merged.merge(b);
  EXPECT_EQ(ExactSum::from_limbs(sum), merged);
  EXPECT_EQ(ExactSum::from_limbs(sum).value(), merged.value());
}

TEST(ExactSum, ManyAdditionsPastNormalisation) {
  ExactSum s;
  const double big = std::ldexp(1.0, 150);
  for (int i = 0; i < 100000; ++i) s.add(big);
  EXPECT_EQ(s.value(), big * 100000.0);
}

}  // namespace
}  // namespace metricaudit
