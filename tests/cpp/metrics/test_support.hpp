// Small builders shared by the metrics tests: own the arrays, hand out views.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "metricaudit/metricaudit.hpp"

namespace metricaudit::testing {

/// A multi-class batch that owns its arrays.
struct OwnedBatch {
  std::vector<std::int64_t> target;
  std::vector<double> scores;  // row-major N x C
  std::vector<std::int64_t> predicted;
  std::vector<double> weights;
  std::int64_t classes = 0;

  MulticlassBatch view() const {
    MulticlassBatch b;
    const auto n = static_cast<std::int64_t>(target.size());
    b.target = ArrayView::vector(target.data(), n);
    if (!scores.empty()) b.scores = ArrayView::matrix(scores.data(), n, classes);
    // Each array's own length, so tests can build mismatched shapes on purpose.
    if (!predicted.empty()) {
      b.predicted =
          ArrayView::vector(predicted.data(), static_cast<std::int64_t>(predicted.size()));
    }
    if (!weights.empty()) {
      b.sample_weight =
          ArrayView::vector(weights.data(), static_cast<std::int64_t>(weights.size()));
    }
    return b;
  }
  /// Rows [begin, end) as a batch over the same memory.
  MulticlassBatch slice(std::int64_t begin, std::int64_t end) const {
    MulticlassBatch b;
    const std::int64_t n = end - begin;
    b.target = ArrayView::vector(target.data() + begin, n);
    if (!scores.empty()) b.scores = ArrayView::matrix(scores.data() + begin * classes, n, classes);
    if (!predicted.empty()) b.predicted = ArrayView::vector(predicted.data() + begin, n);
    if (!weights.empty()) b.sample_weight = ArrayView::vector(weights.data() + begin, n);
    return b;
  }
};

inline StateOptions options_for(std::int64_t classes) {
  StateOptions o;
  o.num_classes = classes;
  return o;
}

/// Random logits with deliberate ties and absent classes.
inline OwnedBatch random_batch(std::uint64_t seed, std::int64_t n, std::int64_t classes,
                               bool weights = false, bool probabilities = false) {
  std::mt19937_64 rng(seed);
  OwnedBatch b;
  b.classes = classes;
  // Use only a subset of the classes as targets, so some are absent.
  const std::int64_t used = std::max<std::int64_t>(1, classes - classes / 3);
  std::uniform_int_distribution<std::int64_t> label(0, used - 1);
  std::normal_distribution<double> z(0.0, 2.0);
  std::uniform_int_distribution<int> coarse(0, 3);
  for (std::int64_t i = 0; i < n; ++i) {
    b.target.push_back(label(rng));
    double sum = 0.0;
    for (std::int64_t c = 0; c < classes; ++c) {
      // One row in four is quantised so that exact ties occur.
      double v = (i % 4 == 0) ? static_cast<double>(coarse(rng)) : z(rng);
      if (probabilities) v = std::exp(v);
      sum += v;
      b.scores.push_back(v);
    }
    if (probabilities) {
      for (std::int64_t c = 0; c < classes; ++c)
        b.scores[static_cast<std::size_t>(i * classes + c)] /= sum;
    }
    if (weights) b.weights.push_back(std::uniform_real_distribution<double>(0.0, 3.0)(rng));
  }
  return b;
}

}  // namespace metricaudit::testing
