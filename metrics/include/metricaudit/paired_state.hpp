// Per-sample states: what a significance test needs of one evaluation, or of two
// models evaluated on the same samples, kept as sums so that batches, threads and
// machines merge by addition, exactly (counts are int64, sums ExactSum), like
// SufficientState. They hold no sample: O(1) memory whatever N.
//
// A reading that is the plain mean of one number per sample (micro accuracy at k: 1
// for a hit, 0 for a miss; a cross-entropy: the sample's loss term) is "per sample":
// - SampleState: one run, the count, sum and sum of squares of its per-sample values
//   (the moments of a proportion, or of the losses for Welch's interval);
// - PairedState: two runs on the same samples (same target vector), read per sample
//   each under its own reading: the 2x2 table of hits (McNemar) and the moments of
//   the per-sample differences x_b - x_a (the paired t interval).
// The tests themselves are in significance.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "metricaudit/array_view.hpp"
#include "metricaudit/convention.hpp"
#include "metricaudit/exact_sum.hpp"
#include "metricaudit/state_options.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

/// The number one sample contributes to a per-sample reading.
struct SampleReading {
  enum class Kind {
    hit,   ///< 1 when the target is among the top_k classes under `ties`, else 0
    loss,  ///< the sample's cross-entropy term under `loss`
  };
  Kind kind = Kind::hit;
  int top_k = 1;
  TieRule ties = TieRule::index_order;
  LossFamily loss = LossFamily::logits;
};

/// The per-sample reading whose unweighted mean `convention` is, or nullopt when it is
/// not a mean of one number per sample: micro accuracy at any k and tie rule, and an
/// unweighted, unsmoothed mean cross-entropy of any loss family, are; macro and weighted
/// averages, class weights, label smoothing and sums are not.
std::optional<SampleReading> sample_reading(const Convention& convention);

/// Count, exact sum and exact sum of squares of a per-sample value; +inf values (a loss
/// of a -inf logit at the target) are counted apart, since no moment is finite then.
class SampleMoments {
 public:
  /// Adds one value: finite, or +inf (counted in infinite()). Throws ValueRangeError for
  /// NaN, -inf and magnitudes whose square reaches 2^160 (ExactSum's range).
  void add(double x);
  void merge(const SampleMoments& other);

  std::int64_t count() const { return count_; }  ///< values added, infinite ones included
  std::int64_t infinite() const { return infinite_; }
  const ExactSum& sum() const { return sum_; }  ///< of the finite values
  const ExactSum& sum_squares() const { return sum_squares_; }

  /// Mean of the values: NaN when empty, +inf when some value is +inf.
  double mean() const;
  /// sum (x - mean)^2 over the values, from the exact sums with one rounding of the
  /// sum's square (no cancellation beyond the final subtraction): NaN when empty or
  /// when some value is infinite.
  double squared_deviations() const;
  /// squared_deviations() / (count - 1): NaN for fewer than 2 values.
  double variance() const;

  friend bool operator==(const SampleMoments& a, const SampleMoments& b) = default;

 private:
  std::int64_t count_ = 0;
  std::int64_t infinite_ = 0;
  ExactSum sum_, sum_squares_;
};

/// One run's evaluation read per sample.
struct SampleState {
  SampleReading reading;
  SampleMoments values;  ///< 0/1 hits, or losses

  /// Adds another state of the same reading (IncompatibleError otherwise).
  void merge(const SampleState& other);
};

/// Folds a batch (scores or predicted labels; no sample weights: the tests are
/// unweighted) into `state`. Errors as update(SufficientState&): the argument and the
/// first offending index; a loss reading of predicted labels is UnavailableError.
void update(SampleState& state, const MulticlassBatch& batch);

/// Two models' outputs on the same samples: one target, and for each model either
/// scores (N, C_a) / (N, C_b) or predicted labels (N,).
struct PairedBatch {
  ArrayView target;  ///< (N,) int32/int64 labels, shared by both
  ArrayView scores_a, predicted_a;
  ArrayView scores_b, predicted_b;
};

/// Two runs on the same samples, each read under its own per-sample reading (both hits
/// or both losses: e.g. Keras' clipped cross-entropy for a probabilities model and the
/// logits cross-entropy for a logits model).
struct PairedState {
  SampleState a, b;
  /// Hit readings: table[i][j] = samples with a's outcome i and b's outcome j (0 miss,
  /// 1 hit); table[1][0] and table[0][1] are the discordant pairs. Zeros for losses.
  std::array<std::array<std::int64_t, 2>, 2> table{};
  /// Per-sample differences x_b - x_a (+inf when either loss is infinite).
  SampleMoments difference;

  /// Throws InvalidArgument unless both readings are of the same kind.
  PairedState(SampleReading reading_a, SampleReading reading_b);
  std::int64_t samples() const { return difference.count(); }
  /// Adds another state of the same readings (IncompatibleError otherwise).
  void merge(const PairedState& other);
};

/// Folds a paired batch into `state` (same error contract as update(SampleState&, ...),
/// naming "preds_a" / "preds_b").
void update(PairedState& state, const PairedBatch& batch);

}  // namespace metricaudit
