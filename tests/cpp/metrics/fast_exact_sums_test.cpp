// The pass's fast exact tier (metrics/src/detail/fast_exact_sums.hpp): whatever tier
// takes a term, the sums equal ExactSum's of the same terms, bit for bit.
#include "../../../metrics/src/detail/fast_exact_sums.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "metricaudit/error.hpp"

namespace metricaudit {
namespace {

using detail::FastExactSums;

// Terms across both tiers: ordinary loss terms, the window's edges, tiny and huge
// ones, zeros and negatives (the slow tier).
std::vector<double> mixed_terms(std::uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> xs;
  xs.reserve(static_cast<std::size_t>(n));
  const double edges[] = {std::ldexp(1.0, FastExactSums::kMinExponent),
                          std::nextafter(std::ldexp(1.0, FastExactSums::kMinExponent), 0.0),
                          std::ldexp(1.0, FastExactSums::kMaxExponent),
                          std::nextafter(std::ldexp(1.0, FastExactSums::kMaxExponent), 0.0),
                          0.0,
                          -0.0,
                          std::numeric_limits<double>::denorm_min(),
                          1e-300,
                          1e40};
  for (int i = 0; i < n; ++i) {
    const double u = unit(rng);
    double x;
    if (i % 97 == 0) {
      x = edges[static_cast<std::size_t>(i / 97) % std::size(edges)];
    } else if (u < 0.8) {
      x = std::exp(std::uniform_real_distribution<double>(-30.0, 12.0)(rng));  // loss terms
    } else if (u < 0.9) {
      x = std::ldexp(unit(rng), -static_cast<int>(rng() % 200));  // below the window
    } else if (u < 0.95) {
      x = std::ldexp(1.0 + unit(rng), 24 + static_cast<int>(rng() % 100));  // above it
    } else {
      x = -std::exp(std::uniform_real_distribution<double>(-20.0, 20.0)(rng));
    }
    xs.push_back(x);
  }
  return xs;
}

TEST(FastExactSums, EqualsExactSumWhicheverTierTakesATerm) {
  constexpr int kEntries = 5;
  // More than kFlushEvery fast terms: the fast tier moves into ExactSum on the way.
  const auto xs = mixed_terms(3, 3 * static_cast<int>(FastExactSums::kFlushEvery) + 123);
  std::vector<ExactSum> reference(kEntries), fast(kEntries);
  FastExactSums tier;
  tier.resize(kEntries);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const auto e = static_cast<std::int64_t>(i % kEntries);
    reference[static_cast<std::size_t>(e)].add(xs[i]);
    tier.add(e, xs[i], fast.data());
  }
  tier.flush_into(fast.data());
  for (int e = 0; e < kEntries; ++e) {
    EXPECT_TRUE(fast[static_cast<std::size_t>(e)] == reference[static_cast<std::size_t>(e)])
        << "entry " << e;
    EXPECT_EQ(fast[static_cast<std::size_t>(e)].value(),
              reference[static_cast<std::size_t>(e)].value());
  }
}

TEST(FastExactSums, BlocksEqualSingleAdds) {
  const auto xs = mixed_terms(5, 20000);
  std::vector<ExactSum> single(3), blocked(3);
  FastExactSums a, b;
  a.resize(3);
  b.resize(3);
  for (std::size_t i = 0; i < xs.size(); ++i)
    a.add(static_cast<std::int64_t>(i % 3), xs[i], single.data());
  for (std::size_t i = 0; i < xs.size(); i += 8) {
    const auto block = b.reserve(8, blocked.data());
    for (std::size_t j = i; j < std::min(xs.size(), i + 8); ++j) {
      block.add(static_cast<std::int64_t>(j % 3), xs[j]);
    }
  }
  a.flush_into(single.data());
  b.flush_into(blocked.data());
  for (std::size_t e = 0; e < 3; ++e) EXPECT_TRUE(single[e] == blocked[e]) << "entry " << e;
}

TEST(FastExactSums, FullWindowTermsDoNotOverflowBeforeAFlush) {
  // kFlushEvery terms just below 2^kMaxExponent with every mantissa bit set: the
  // largest fast sum, which must still fit the 128-bit tier.
  const double big = std::nextafter(std::ldexp(1.0, FastExactSums::kMaxExponent), 0.0);
  ExactSum reference;
  std::vector<ExactSum> fast(1);
  FastExactSums tier;
  tier.resize(1);
  for (std::int64_t i = 0; i < 2 * FastExactSums::kFlushEvery; ++i) {
    reference.add(big);
    tier.add(0, big, fast.data());
  }
  tier.flush_into(fast.data());
  EXPECT_TRUE(fast[0] == reference);
}

TEST(FastExactSums, OutOfRangeTermsThrowAsExactSumDoes) {
  std::vector<ExactSum> sums(1);
  FastExactSums tier;
  tier.resize(1);
  EXPECT_THROW(tier.add(0, 1e60, sums.data()), ValueRangeError);
  EXPECT_THROW(tier.add(0, std::numeric_limits<double>::infinity(), sums.data()), ValueRangeError);
}

}  // namespace
}  // namespace metricaudit
