#include "metricaudit/exact_sum.hpp"

#include <bit>
#include <cmath>
#include <string>

#include "metricaudit/error.hpp"

namespace metricaudit {
namespace {

constexpr std::int64_t kDigitMask = (std::int64_t{1} << ExactSum::kLimbBits) - 1;
// Each limb holds a signed sum of 32-bit digits; 2^30 additions keep |limb| < 2^62.
constexpr std::int64_t kNormalizeEvery = std::int64_t{1} << 30;
// Accepted magnitudes are below 2^160: a 53-bit mantissa's lowest bit then sits at
// grid position <= (160 - (-160)) - 53 = 267, so its three digits land in limbs
// <= 10 (the last one). The GPU backend's copy (cuda/.../exact_digits.hpp) must agree.
constexpr int kMaxExponent = 160;
constexpr int kTopBit = (kMaxExponent - ExactSum::kGridExponent) - 53;

// Rounds m * 2^-shift to an integer, ties to even. shift >= 1.
std::uint64_t round_shift(std::uint64_t m, int shift) {
  if (shift >= 64) return 0;  // m < 2^53 < 2^63: below half of the grid step, rounds to 0
  const std::uint64_t kept = m >> shift;
  const std::uint64_t rest = m & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  if (rest > half || (rest == half && (kept & 1))) return kept + 1;
  return kept;
}

}  // namespace

void ExactSum::add(double x) {
  if (x == 0.0) return;
  if (!std::isfinite(x)) {
    throw ValueRangeError("ExactSum: cannot add a non-finite value (" + std::to_string(x) + ")");
  }
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const bool negative = (bits >> 63) != 0;
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  int exponent;  // x = mantissa * 2^exponent
  if (biased == 0) {
    exponent = -1074;
  } else {
    mantissa |= std::uint64_t{1} << 52;
    exponent = biased - 1075;
  }
  int position = exponent - kGridExponent;  // bit position of the mantissa's lowest bit on the grid
  if (position < 0) {
    mantissa = round_shift(mantissa, -position);
    position = 0;
    if (mantissa == 0) return;
  }
  if (position > kTopBit) {
    throw ValueRangeError("ExactSum: |value| " + std::to_string(x) +
                          " is beyond the accumulator's range (2^160)");
  }
  if (pending_ >= kNormalizeEvery) normalize();
  const int limb = position / kLimbBits;
  const int offset = position % kLimbBits;
  // mantissa << offset spans up to 85 bits: split it into three 32-bit digits.
  const std::uint64_t low = mantissa << offset;
  const std::uint64_t high = offset == 0 ? 0 : mantissa >> (64 - offset);
  const auto d0 = static_cast<std::int64_t>(low & kDigitMask);
  const auto d1 = static_cast<std::int64_t>(low >> 32);
  const auto d2 = static_cast<std::int64_t>(high);
  if (negative) {
    limbs_[limb] -= d0;
    limbs_[limb + 1] -= d1;
    limbs_[limb + 2] -= d2;
  } else {
    limbs_[limb] += d0;
    limbs_[limb + 1] += d1;
    limbs_[limb + 2] += d2;
  }
  ++pending_;
}

void ExactSum::merge(const ExactSum& other) {
  if (pending_ + other.pending_ >= kNormalizeEvery) normalize();
  ExactSum rhs = other;
  if (pending_ + rhs.pending_ >= kNormalizeEvery) rhs.normalize();
  for (int i = 0; i < kLimbs; ++i) limbs_[i] += rhs.limbs_[i];
  pending_ += rhs.pending_ + 1;
}

void ExactSum::normalize() {
  // Carry propagation: every limb but the top one ends in [0, 2^32); the top one
  // keeps the sign. Arithmetic shift rounds toward -inf, which is what a
  // two's-complement carry needs.
  for (int i = 0; i + 1 < kLimbs; ++i) {
    const std::int64_t carry = limbs_[i] >> kLimbBits;
    limbs_[i] -= carry * (std::int64_t{1} << kLimbBits);
    limbs_[i + 1] += carry;
  }
  pending_ = 0;
}

bool ExactSum::is_zero() const {
  ExactSum copy = *this;
  copy.normalize();
  for (auto l : copy.limbs_) {
    if (l != 0) return false;
  }
  return true;
}

double ExactSum::value() const {
  ExactSum n = *this;
  n.normalize();
  // Magnitude as 32-bit digits (two's-complement negate when the top limb is negative).
  std::array<std::uint64_t, kLimbs + 1> digits{};
  const bool negative = n.limbs_[kLimbs - 1] < 0;
  {
    // Digits of the (possibly negative) normalised number, then |.|.
    std::array<std::int64_t, kLimbs> v = n.limbs_;
    if (negative) {
      // -v: negate every limb and re-normalise (carry-save negation is exact).
      for (auto& l : v) l = -l;
      for (int i = 0; i + 1 < kLimbs; ++i) {
        const std::int64_t carry = v[i] >> kLimbBits;
        v[i] -= carry * (std::int64_t{1} << kLimbBits);
        v[i + 1] += carry;
      }
    }
    for (int i = 0; i + 1 < kLimbs; ++i) digits[i] = static_cast<std::uint64_t>(v[i]);
    // The top limb may exceed 32 bits: split it.
    const auto top = static_cast<std::uint64_t>(v[kLimbs - 1]);
    digits[kLimbs - 1] = top & static_cast<std::uint64_t>(kDigitMask);
    digits[kLimbs] = top >> 32;
  }
  int hi = kLimbs;
  while (hi >= 0 && digits[hi] == 0) --hi;
  if (hi < 0) return 0.0;
  // Highest set bit, as a global bit index.
  const int top_bit = hi * kLimbBits + (63 - std::countl_zero(digits[hi]));
  // Gather 64 bits [top_bit - 63, top_bit] and a sticky bit for everything below.
  auto bit_range = [&](int lo_bit) -> std::uint64_t {
    std::uint64_t r = 0;
    for (int b = 63; b >= 0; --b) {
      const int g = lo_bit + b;
      r <<= 1;
      if (g >= 0) r |= (digits[g / kLimbBits] >> (g % kLimbBits)) & 1U;
    }
    return r;
  };
  const int lo_bit = top_bit - 63;
  std::uint64_t head = bit_range(lo_bit);
  bool sticky = false;
  for (int g = 0; g < lo_bit && !sticky; ++g) {
    sticky = ((digits[g / kLimbBits] >> (g % kLimbBits)) & 1U) != 0;
  }
  // head has 64 significant bits; the conversion rounds to 53 at bit 11 and
  // cannot see `sticky`, so fold it into bit 0 (below the rounding point).
  if (sticky) head |= 1U;
  const double magnitude = std::ldexp(static_cast<double>(head), lo_bit + kGridExponent);
  return negative ? -magnitude : magnitude;
}

std::array<std::int64_t, ExactSum::kLimbs> ExactSum::limbs() const {
  ExactSum n = *this;
  n.normalize();
  return n.limbs_;
}

ExactSum ExactSum::from_limbs(const std::array<std::int64_t, kLimbs>& limbs) {
  ExactSum s;
  s.limbs_ = limbs;
  s.pending_ = kNormalizeEvery;  // unknown history: normalise before the next addition
  return s;
}

bool operator==(const ExactSum& a, const ExactSum& b) {
  ExactSum x = a, y = b;
  x.normalize();
  y.normalize();
  return x.limbs_ == y.limbs_;
}

}  // namespace metricaudit
