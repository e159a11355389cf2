// Per-class ExactSum accumulation without a call per term: the same fixed-point
// digits as ExactSum::add (metrics/src/exact_sum.cpp: grid 2^-160, 11 limbs of 32-bit
// digits in int64), added inline into plain limb arrays and handed to ExactSum at the
// end through ExactSum::from_limbs + merge. Integer addition, so the result is the same
// exact integer, hence the same ExactSum, whatever the order of the terms.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "metricaudit/exact_sum.hpp"

namespace metricaudit::detail {

class LimbArray {
 public:
  static constexpr int kLimbs = ExactSum::kLimbs;
  using Limbs = std::array<std::int64_t, kLimbs>;

  bool empty() const { return limbs_.empty(); }
  void resize(std::int64_t n) { limbs_.assign(static_cast<std::size_t>(n), Limbs{}); }

  /// Adds x to entry i exactly (as ExactSum::add would).
  __attribute__((always_inline)) void add(std::int64_t i, double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const int biased = static_cast<int>((bits >> 52) & 0x7FF);
    // Normal, finite, and on the grid without rounding: 2^-107 <= |x| < 2^160. The rest
    // (zero, tiny, huge, non-finite) takes ExactSum's own path, which rounds or throws.
    if (biased < 1023 - 107 || biased >= 1023 + 160 || pending_ >= kNormalizeEvery) {
      slow_add(i, x);
      return;
    }
    const std::uint64_t mantissa =
        (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
    const int position = biased - 1075 - ExactSum::kGridExponent;  // >= 0 here
    const int limb = position >> 5;
    const int offset = position & 31;
    const std::uint64_t low = mantissa << offset;
    const std::uint64_t high = offset == 0 ? 0 : mantissa >> (64 - offset);
    // Conditional negation: (d ^ s) - s with s = 0 or -1.
    const std::int64_t sign = -static_cast<std::int64_t>(bits >> 63);
    std::int64_t* l = limbs_[static_cast<std::size_t>(i)].data() + limb;
    l[0] += (static_cast<std::int64_t>(low & 0xFFFFFFFFu) ^ sign) - sign;
    l[1] += (static_cast<std::int64_t>(low >> 32) ^ sign) - sign;
    l[2] += (static_cast<std::int64_t>(high) ^ sign) - sign;
    ++pending_;
  }

  /// Adds every entry to sums[i] (sums.size() == entries) and clears.
  void fold_into(std::vector<ExactSum>& sums) {
    for (std::size_t i = 0; i < limbs_.size(); ++i) {
      Limbs& l = limbs_[i];
      bool any = false;
      for (auto v : l) any = any || v != 0;
      if (!any) continue;
      normalize(l);
      sums[i].merge(ExactSum::from_limbs(l));
      l = Limbs{};
    }
    pending_ = 0;
  }
  void fold_into(ExactSum& sum) {
    std::vector<ExactSum> one(1);
    fold_into(one);
    sum.merge(one[0]);
  }

 private:
  // As ExactSum: 2^30 unnormalised additions keep every |limb| < 2^62.
  static constexpr std::int64_t kNormalizeEvery = std::int64_t{1} << 30;

  static void normalize(Limbs& l) {
    for (int k = 0; k + 1 < kLimbs; ++k) {
      const std::int64_t carry = l[k] >> 32;
      l[k] -= carry * (std::int64_t{1} << 32);
      l[k + 1] += carry;
    }
  }
  __attribute__((noinline)) void slow_add(std::int64_t i, double x) {
    if (pending_ >= kNormalizeEvery) {
      for (auto& l : limbs_) normalize(l);
      pending_ = 0;
    }
    if (x == 0.0) return;
    ExactSum e;
    e.add(x);  // rounds to the grid or throws, as ExactSum does
    const Limbs d = e.limbs();
    Limbs& l = limbs_[static_cast<std::size_t>(i)];
    for (int k = 0; k < kLimbs; ++k) l[k] += d[k];
    ++pending_;
  }

  std::vector<Limbs> limbs_;
  std::int64_t pending_ = 0;
};

}  // namespace metricaudit::detail
