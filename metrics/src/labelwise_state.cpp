#include "metricaudit/labelwise_state.hpp"

#include <string>

#include "metricaudit/error.hpp"

namespace metricaudit {

LabelwiseState::LabelwiseState(LabelwiseOptions options) : options_(options) {
  if (options_.num_labels < 1) {
    throw InvalidArgument("num_labels: expected an integer >= 1, got " +
                          std::to_string(options_.num_labels));
  }
  if (!(options_.threshold >= 0.0 && options_.threshold <= 1.0)) {
    throw InvalidArgument("threshold: expected a value in [0, 1], got " +
                          std::to_string(options_.threshold));
  }
  const auto l = static_cast<std::size_t>(options_.num_labels);
  for (int r = 0; r < kScoreReadings; ++r) {
    tp[r].assign(l, 0);
    fp[r].assign(l, 0);
    tn[r].assign(l, 0);
    fn[r].assign(l, 0);
  }
}

void LabelwiseState::merge(const LabelwiseState& other) {
  if (options_.num_labels != other.options_.num_labels ||
      options_.threshold != other.options_.threshold) {
    throw IncompatibleError("merge: the states have different num_labels or threshold (" +
                            std::to_string(options_.num_labels) + " vs " +
                            std::to_string(other.options_.num_labels) + ")");
  }
  samples += other.samples;
  batches += other.batches;
  weighted = weighted || other.weighted;
  scores_in_unit_interval = scores_in_unit_interval && other.scores_in_unit_interval;
  for (int r = 0; r < kScoreReadings; ++r) {
    for (std::size_t j = 0; j < tp[r].size(); ++j) {
      tp[r][j] += other.tp[r][j];
      fp[r][j] += other.fp[r][j];
      tn[r][j] += other.tn[r][j];
      fn[r][j] += other.fn[r][j];
    }
    exact_match[r] += other.exact_match[r];
    w_correct_cells[r].merge(other.w_correct_cells[r]);
    w_exact_match[r].merge(other.w_exact_match[r]);
  }
  w_total.merge(other.w_total);
  for (int f = 0; f < kBinaryLossFamilies; ++f) {
    bce[f].merge(other.bce[f]);
    bce_available[f] = bce_available[f] && other.bce_available[f];
  }
}

bool operator==(const LabelwiseState& a, const LabelwiseState& b) {
  return a.options_.num_labels == b.options_.num_labels &&
         a.options_.threshold == b.options_.threshold && a.samples == b.samples &&
         a.weighted == b.weighted && a.scores_in_unit_interval == b.scores_in_unit_interval &&
         a.tp == b.tp && a.fp == b.fp && a.tn == b.tn && a.fn == b.fn &&
         a.exact_match == b.exact_match && a.w_correct_cells == b.w_correct_cells &&
         a.w_exact_match == b.w_exact_match && a.w_total == b.w_total && a.bce == b.bce &&
         a.bce_available == b.bce_available;
}

}  // namespace metricaudit
