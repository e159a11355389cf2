#include "metricaudit/detail/multiclass_batch.hpp"

#include <cmath>
#include <string>

#include "detail/validate.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::detail {

std::int64_t check_multiclass_batch(const SufficientState& state, const MulticlassBatch& b) {
  require_nonempty(b.target, "target");
  require_integer(b.target, "target");
  const std::int64_t n = b.target.rows;
  require_vector(b.target, "target", n);
  const std::int64_t c = state.num_classes();
  const bool has_scores = !b.scores.empty();
  const bool has_preds = !b.predicted.empty();
  if (has_scores == has_preds) {
    throw InvalidArgument(
        "preds: expected exactly one of scores (N, C) and predicted labels (N,), got " +
        std::string(has_scores ? "both" : "neither"));
  }
  if (has_scores) {
    require_floating(b.scores, "preds");
    if (b.scores.ndim != 2 || b.scores.rows != n || b.scores.cols != c) {
      throw ShapeError("preds: expected scores of shape (" + std::to_string(n) + ", " +
                       std::to_string(c) + ") (N from target, C = num_classes), got " +
                       shape_string(b.scores));
    }
  } else {
    require_integer(b.predicted, "preds");
    require_vector(b.predicted, "preds", n);
  }
  if (!b.sample_weight.empty()) {
    require_floating(b.sample_weight, "sample_weight");
    require_vector(b.sample_weight, "sample_weight", n);
  }
  return n;
}

namespace {
std::string at(std::int64_t i) {
  return " at index " + std::to_string(i);
}
}  // namespace

std::string bad_target_message(const StateOptions& o, std::int64_t y, std::int64_t row) {
  return "target: expected labels in [0, " + std::to_string(o.num_classes) + ")" +
         (o.ignore_index ? " or ignore_index=" + std::to_string(*o.ignore_index) : "") + ", got " +
         std::to_string(y) + at(row);
}

std::string bad_prediction_message(std::int64_t classes, std::int64_t label, std::int64_t row) {
  return "preds: expected labels in [0, " + std::to_string(classes) + "), got " +
         std::to_string(label) + at(row);
}

std::string bad_score_message(double v, std::int64_t row, std::int64_t col) {
  return "preds: expected finite scores (-inf allowed as a masked logit), got " +
         std::string(std::isnan(v) ? "nan" : "inf") + " at index (" + std::to_string(row) + ", " +
         std::to_string(col) + ")";
}

std::string masked_row_message(std::int64_t row) {
  return "preds: expected at least one finite score per row, got a row of -inf" + at(row);
}

void finish_batch(SufficientState& s, bool has_scores, bool all_in_unit, bool keras_row_sum_zero,
                  bool keras_negative) {
  s.batches = 1;
  s.has_scores = has_scores;
  s.scores_in_unit_interval = has_scores && all_in_unit;
  for (int f = 0; f < kLossFamilies; ++f) {
    auto& l = s.losses[static_cast<std::size_t>(f)];
    if (!l.enabled) continue;
    const bool probability_family = f != static_cast<int>(LossFamily::logits);
    l.available = has_scores && (!probability_family || all_in_unit);
    if (f == static_cast<int>(LossFamily::keras_probabilities)) {
      l.available = has_scores && !keras_negative && !keras_row_sum_zero;
    }
  }
}

}  // namespace metricaudit::detail
