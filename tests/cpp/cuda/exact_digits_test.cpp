// detail::exact_digits (the __host__ __device__ copy of ExactSum::add's
// decomposition) against ExactSum itself, bit for bit, across the whole range:
// subnormals, values rounded onto the grid, both signs, the top of the range.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "metricaudit/detail/exact_digits.hpp"
#include "metricaudit/exact_sum.hpp"

namespace metricaudit {
namespace {

using detail::DigitsStatus;
using detail::ExactDigits;

// Sums terms by their digits, as the kernels do, into ExactSum's limb layout.
ExactSum by_digits(const std::vector<double>& terms) {
  std::array<std::int64_t, ExactSum::kLimbs> limbs{};
  for (double x : terms) {
    ExactDigits d;
    if (detail::exact_digits(x, d) != DigitsStatus::ok) continue;
    for (int j = 0; j < 3; ++j) {
      if (d.digit[j] == 0) continue;
      limbs[static_cast<std::size_t>(d.limb + j)] += d.negative ? -d.digit[j] : d.digit[j];
    }
  }
  return ExactSum::from_limbs(limbs);
}

// The device digits' layout is ExactSum's: checked when this file compiles.
static_assert(detail::kExactLimbs == ExactSum::kLimbs);
static_assert(detail::kExactLimbBits == ExactSum::kLimbBits);
static_assert(detail::kExactGridExponent == ExactSum::kGridExponent);

TEST(ExactDigits, AgreesWithExactSumBitForBit) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  std::uniform_int_distribution<int> exponent(-1080, 159);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> terms;
    ExactSum reference;
    for (int i = 0; i < 300; ++i) {
      double x = std::ldexp(mantissa(rng), exponent(rng));
      if (rng() & 1) x = -x;
      terms.push_back(x);
      reference.add(x);
    }
    ASSERT_TRUE(reference == by_digits(terms)) << "trial " << trial;
  }
}

TEST(ExactDigits, EdgesOfTheRange) {
  // ExactSum::add accepts magnitudes below 2^160 (a mantissa starting at grid bit
  // 267 at most), as exact_sum.hpp documents.
  const double top = std::ldexp(1.0, 160);
  const std::vector<double> ok = {std::numeric_limits<double>::denorm_min(),
                                  std::ldexp(1.0, -161),  // a tie on the grid: rounds to even (0)
                                  std::ldexp(3.0, -162),  // rounds up onto the grid
                                  std::ldexp(1.0, -107),  // the smallest exact magnitude
                                  std::nextafter(top, 0.0),  // the largest in range
                                  -std::nextafter(top, 0.0),
                                  std::ldexp(1.0, 159) + std::ldexp(1.0, 107),
                                  1.0,
                                  -0.1,
                                  1e-30};
  ExactSum reference;
  for (double x : ok) reference.add(x);
  EXPECT_TRUE(reference == by_digits(ok));
  ExactDigits d;
  EXPECT_EQ(detail::exact_digits(top, d), DigitsStatus::out_of_range);
  EXPECT_EQ(detail::exact_digits(std::numeric_limits<double>::infinity(), d),
            DigitsStatus::out_of_range);
  EXPECT_EQ(detail::exact_digits(std::numeric_limits<double>::quiet_NaN(), d),
            DigitsStatus::out_of_range);
  EXPECT_EQ(detail::exact_digits(0.0, d), DigitsStatus::zero);
  EXPECT_EQ(detail::exact_digits(std::numeric_limits<double>::denorm_min(), d), DigitsStatus::zero);
}

}  // namespace
}  // namespace metricaudit
