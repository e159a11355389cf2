// ExactSum: an order-independent, exact accumulator for doubles.
//
// Why: the design requires that the same inputs give bit-identical results
// whatever the thread count, batch split or merge order. Floating-point
// addition is not associative, so a plain `double` running sum depends on
// order. ExactSum keeps the sum as a fixed-point integer on the grid 2^-160 in
// carry-save limbs (11 limbs of 32-bit digits held in int64), so addition is
// integer addition: associative and commutative, hence order-independent.
// `value()` rounds the exact integer once, to nearest (ties to even).
//
// Range: every double with magnitude in [2^-107, 2^160) is added exactly
// (its 53-bit mantissa lies on the grid). Smaller magnitudes are rounded to the
// grid (deterministically, ties to even): an absolute error below 2^-161 per
// term. Magnitudes >= 2^160 (~1.5e48) and non-finite values are rejected by
// `add` with ValueRangeError; callers count infinities separately.
//
// Merging is limb-wise addition, so the limbs can be summed by any transport
// (e.g. torch.distributed.all_reduce on the int64 limbs) and stay exact as long
// as fewer than 2^31 un-normalised additions meet in one limb.
#pragma once

#include <array>
#include <cstdint>

namespace metricaudit {

class ExactSum {
 public:
  static constexpr int kLimbs = 11;
  static constexpr int kLimbBits = 32;
  static constexpr int kGridExponent = -160;  ///< the value of limb 0's lowest bit is 2^-160

  /// Adds x exactly (see the range above). Throws ValueRangeError when x is out of range.
  void add(double x);
  /// Adds another sum (exact).
  void merge(const ExactSum& other);
  /// The sum rounded once to the nearest double.
  double value() const;
  bool is_zero() const;

  /// Normalised limbs: the exact value is sum(limbs[i] * 2^(32 i - 160)), every
  /// limb but the last in [0, 2^32). Up to 2^31 such arrays can be summed
  /// element-wise in int64 and handed to from_limbs without loss.
  std::array<std::int64_t, kLimbs> limbs() const;
  /// Rebuilds a sum from limbs (e.g. after an external all-reduce).
  static ExactSum from_limbs(const std::array<std::int64_t, kLimbs>& limbs);

  friend bool operator==(const ExactSum& a, const ExactSum& b);

 private:
  void normalize();
  std::array<std::int64_t, kLimbs> limbs_{};
  std::int64_t pending_ = 0;  // additions since the last normalisation
};

}  // namespace metricaudit
