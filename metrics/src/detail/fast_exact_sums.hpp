// Per-entry exact sums with a fast tier: the pass's loss terms (per target class, and
// the smoothing total) are added here rather than into ExactSum one call at a time.
//
// A term x with 2^-40 <= x < 2^24 (every non-negative loss term of ordinary data) is an
// integer on the grid 2^-92: its 53-bit mantissa shifted by at most 63 bits, below
// 2^116. It is added to a 128-bit unsigned integer per entry (one shift, one add with
// carry). Any 2^12 such terms stay below 2^128, so every entry is moved into its
// ExactSum (exactly: the grid 2^-92 is a sub-grid of ExactSum's 2^-160) after at most
// 2^12 fast additions, and when the pass is done. Every other term (zero, negative,
// below 2^-40, from 2^24, non-finite) goes straight to ExactSum::add, which rounds or
// throws as it always did. The sum is the same exact integer whichever tier took a
// term, so the result is ExactSum's: the exact sum rounded once, whatever the order,
// the thread count or the split of the rows.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "metricaudit/exact_sum.hpp"

namespace metricaudit::detail {

class FastExactSums {
  __extension__ typedef unsigned __int128 U128;

 public:
  static_assert(sizeof(double) == 8 && sizeof(std::uint64_t) == 8);
  static constexpr int kMinExponent = -40;  ///< smallest fast term: 2^-40
  static constexpr int kMaxExponent = 24;   ///< fast terms are below 2^24
  static constexpr std::int64_t kFlushEvery = std::int64_t{1} << 12;

  bool empty() const { return acc_.empty(); }
  void resize(std::int64_t entries) { acc_.assign(static_cast<std::size_t>(entries), 0); }

  /// Adds x to entry i; sums[i] is the entry's ExactSum (the slow tier, and where the
  /// fast tier is moved to).
  __attribute__((always_inline)) void add(std::int64_t i, double x, ExactSum* sums) {
    if (add_fast(acc_.data(), i, x)) {
      if (++pending_ == kFlushEvery) [[unlikely]]
        flush_into(sums);
    } else {
      sums[i].add(x);
    }
  }

  /// Room for n more fast additions, flushing first if needed: a view whose add() neither
  /// counts nor checks, for a block of n terms.
  class Block {
   public:
    __attribute__((always_inline)) void add(std::int64_t i, double x) const {
      if (!add_fast(acc_, i, x)) [[unlikely]]
        sums_[i].add(x);
    }

   private:
    friend class FastExactSums;
    Block(U128* acc, ExactSum* sums) : acc_(acc), sums_(sums) {}
    U128* acc_;
    ExactSum* sums_;
  };
  Block reserve(std::int64_t n, ExactSum* sums) {
    if (pending_ + n > kFlushEvery) flush_into(sums);
    pending_ += n;
    return Block(acc_.data(), sums);
  }

  /// Moves every entry into sums[i] (exact) and clears the fast tier.
  void flush_into(ExactSum* sums) {
    for (std::size_t i = 0; i < acc_.size(); ++i) {
      if (acc_[i] == 0) continue;
      sums[i].merge(to_exact(acc_[i]));
      acc_[i] = 0;
    }
    pending_ = 0;
  }

 private:
  static constexpr std::uint64_t kMantissaMask = (std::uint64_t{1} << 52) - 1;

  // Adds x to acc[i] when it lies in the fast window; false (nothing added) otherwise.
  __attribute__((always_inline)) static bool add_fast(U128* acc, std::int64_t i, double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    // Biased exponent minus the window's first: wraps to a huge value for x < 2^-40,
    // and the sign bit puts every negative x beyond the window too.
    const std::uint64_t shift = (bits >> 52) - std::uint64_t{1023 + kMinExponent};
    if (shift >= std::uint64_t{kMaxExponent - kMinExponent}) [[unlikely]]
      return false;
    const std::uint64_t mantissa = (bits & kMantissaMask) | (std::uint64_t{1} << 52);
    // mantissa << shift as two words (shift < 64; the high word by two shifts, so that
    // shift = 0 needs no branch).
    const std::uint64_t low = mantissa << shift;
    const std::uint64_t high = (mantissa >> 1) >> (63 - shift);
    // 128-bit add as two words (GCC 12 round-trips a composed __int128 through memory).
    std::uint64_t* word = reinterpret_cast<std::uint64_t*>(acc + i);
    unsigned long long sum;
    const bool carry = __builtin_uaddll_overflow(word[0], low, &sum);
    word[0] = sum;
    word[1] += high + carry;
    return true;
  }
  // The fast grid 2^(kMinExponent - 52) as a bit position on ExactSum's grid.
  static constexpr int kPosition = (kMinExponent - 52) - ExactSum::kGridExponent;
  static_assert(kPosition >= 0 && (kPosition + 128) / ExactSum::kLimbBits < ExactSum::kLimbs,
                "the fast grid must lie on ExactSum's, and its 128 bits within the limbs");

  static ExactSum to_exact(U128 v) {
    std::array<std::int64_t, ExactSum::kLimbs> limbs{};
    constexpr int first = kPosition / ExactSum::kLimbBits;
    constexpr int offset = kPosition % ExactSum::kLimbBits;
    // v << offset spans at most 160 bits: five 32-bit digits from limb `first`.
    const U128 low = v << offset;
    const auto high =
        offset == 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(v >> (128 - offset));
    for (int d = 0; d < 4; ++d) {
      limbs[static_cast<std::size_t>(first + d)] =
          static_cast<std::int64_t>(static_cast<std::uint64_t>(low >> (32 * d)) & 0xFFFFFFFFu);
    }
    limbs[static_cast<std::size_t>(first + 4)] = static_cast<std::int64_t>(high);
    return ExactSum::from_limbs(limbs);
  }

  std::vector<U128> acc_;
  std::int64_t pending_ = 0;
};

}  // namespace metricaudit::detail
