// LabelwiseState: the sufficient state of a binary (L = 1) or multilabel (L > 1)
// evaluation: per label tp/fp/tn/fn under each way of turning scores into
// decisions, whole-row (subset) matches, and binary cross-entropy sums.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "metricaudit/exact_sum.hpp"
#include "metricaudit/state_options.hpp"
#include "metricaudit/vocabulary.hpp"

namespace metricaudit {

struct LabelwiseOptions {
  std::int64_t num_labels = 1;  ///< L (1 for binary)
  double threshold = 0.5;       ///< in [0, 1]
  int threads = 0;
};

/// The options two labelwise states must share to merge (state_options.hpp, merge_options).
OptionTexts merge_options(const LabelwiseOptions& options);

class LabelwiseState {
 public:
  explicit LabelwiseState(LabelwiseOptions options);
  const LabelwiseOptions& options() const { return options_; }
  std::int64_t num_labels() const { return options_.num_labels; }

  void merge(const LabelwiseState& other);
  friend bool operator==(const LabelwiseState& a, const LabelwiseState& b);

  std::int64_t samples = 0;
  std::int64_t batches = 0;
  bool weighted = false;
  bool scores_in_unit_interval = true;

  /// [reading][label]
  std::array<std::vector<std::int64_t>, kScoreReadings> tp, fp, tn, fn;
  /// [reading]: rows whose every label is right.
  std::array<std::int64_t, kScoreReadings> exact_match{};
  /// Weighted: [reading] sum of w_n * correct cells, sum of w_n * [row right].
  std::array<ExactSum, kScoreReadings> w_correct_cells, w_exact_match;
  ExactSum w_total;

  /// [family]: sum over rows of w_n * mean_l bce_nl; `available` false when a
  /// probability family met a score outside [0, 1].
  std::array<ExactSum, kBinaryLossFamilies> bce;
  std::array<bool, kBinaryLossFamilies> bce_available{true, true, true, true, true};
  static_assert(kBinaryLossFamilies == 5, "bce_available: one true per family");

 private:
  LabelwiseOptions options_;
};

}  // namespace metricaudit
