// The digit decomposition of ExactSum::add (metrics/src/exact_sum.cpp) as a
// __host__ __device__ function, so GPU threads can turn a double into the three
// 32-bit digits it adds to ExactSum's carry-save limbs, and reduce those digits
// with 64-bit integer atomics. Integer addition is associative, so the limbs a
// kernel produces are bit-identical run to run and equal to an ExactSum fed the
// same terms on the CPU (ExactSum::from_limbs rebuilds it).
//
// Why a copy and not a call: ExactSum::add lives in a .cpp compiled by the host
// compiler and throws; device code can call neither. This mirrors it line for
// line; tests/cpp/cuda/exact_digits_test.cpp checks the two agree bit for bit.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define METRICAUDIT_HD __host__ __device__
#else
#define METRICAUDIT_HD
#endif

namespace metricaudit::detail {

inline constexpr int kExactLimbs = 11;           // ExactSum::kLimbs
inline constexpr int kExactLimbBits = 32;        // ExactSum::kLimbBits
inline constexpr int kExactGridExponent = -160;  // ExactSum::kGridExponent
// The highest grid position a 53-bit mantissa may start at (exact_sum.cpp kTopBit):
// magnitudes below 2^160, so the top digit lands in limb 10 at most.
inline constexpr int kExactTopBit = (160 - kExactGridExponent) - 53;

/// What one double adds to the limbs: `sign * digit[j]` to limb `limb + j`.
struct ExactDigits {
  int limb = 0;
  bool negative = false;
  std::int64_t digit[3] = {0, 0, 0};
};

enum class DigitsStatus : int {
  zero = 0,          ///< adds nothing (x == 0, or rounds to 0 below the grid)
  ok = 1,            ///< `out` holds the digits
  out_of_range = 2,  ///< non-finite or |x| >= 2^160: ExactSum::add would throw
};

METRICAUDIT_HD inline std::uint64_t double_bits(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}

/// m * 2^-shift rounded to an integer, ties to even (exact_sum.cpp round_shift). shift >= 1.
METRICAUDIT_HD inline std::uint64_t exact_round_shift(std::uint64_t m, int shift) {
  if (shift >= 64) return 0;
  const std::uint64_t kept = m >> shift;
  const std::uint64_t rest = m & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  if (rest > half || (rest == half && (kept & 1))) return kept + 1;
  return kept;
}

/// The digits ExactSum::add(x) adds, or why it adds none.
METRICAUDIT_HD inline DigitsStatus exact_digits(double x, ExactDigits& out) {
  if (x == 0.0) return DigitsStatus::zero;
  const std::uint64_t bits = double_bits(x);
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0x7FF) return DigitsStatus::out_of_range;  // inf or nan
  std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  int exponent;
  if (biased == 0) {
    exponent = -1074;
  } else {
    mantissa |= std::uint64_t{1} << 52;
    exponent = biased - 1075;
  }
  int position = exponent - kExactGridExponent;
  if (position < 0) {
    mantissa = exact_round_shift(mantissa, -position);
    position = 0;
    if (mantissa == 0) return DigitsStatus::zero;
  }
  if (position > kExactTopBit) return DigitsStatus::out_of_range;
  const int offset = position % kExactLimbBits;
  const std::uint64_t low = mantissa << offset;
  const std::uint64_t high = offset == 0 ? 0 : mantissa >> (64 - offset);
  out.limb = position / kExactLimbBits;
  out.negative = (bits >> 63) != 0;
  out.digit[0] = static_cast<std::int64_t>(low & 0xFFFFFFFFu);
  out.digit[1] = static_cast<std::int64_t>(low >> 32);
  // At position == kExactTopBit (limb 9, offset 0) the third digit is 0 and its
  // limb (11) does not exist; callers skip zero digits, so it is never touched.
  out.digit[2] = static_cast<std::int64_t>(high);
  return DigitsStatus::ok;
}

}  // namespace metricaudit::detail
