// Shared by the GPU backend's tests: random batches that own their memory, and
// a comparison of a GPU state with the CPU backend's under the documented
// agreement (metricaudit/gpu.hpp): counts and weight sums identical, loss sums
// within a relative tolerance.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "metricaudit/metricaudit.hpp"

namespace metricaudit::gpu_testing {

/// The loss-sum tolerance the tests hold the GPU backend to (gpu.hpp states 1e-12).
inline constexpr double kLossRelTolerance = 1e-11;
/// With float32 scores the CPU backend computes the log-sum-exp in float32 within
/// kFloat32LossRelativeError of the exact value (evaluate.hpp); the GPU in double.
inline constexpr double kFloat32LossRelTolerance = kFloat32LossRelativeError + kLossRelTolerance;

struct RandomSpec {
  std::int64_t rows = 100;
  std::int64_t classes = 10;
  bool float32 = false;        // scores as float32 (else float64)
  bool int32_target = false;   // targets as int32 (else int64)
  bool probabilities = false;  // rows on the simplex (else logits)
  bool weights = false;
  bool masked = false;            // sprinkle -inf logits (some at the target)
  std::int64_t ignore_every = 0;  // every k-th target is set to ignore_value
  std::int64_t ignore_value = -100;
  bool labels_only = false;  // predicted labels instead of scores
};

/// A multi-class batch that owns its arrays (host memory).
struct Batch {
  std::int64_t classes = 0;
  std::vector<std::int64_t> target64;
  std::vector<std::int32_t> target32;
  std::vector<double> scores64;
  std::vector<float> scores32;
  std::vector<std::int64_t> predicted;
  std::vector<double> weights;

  std::int64_t rows() const {
    return static_cast<std::int64_t>(target64.empty() ? target32.size() : target64.size());
  }
  MulticlassBatch view() const {
    MulticlassBatch b;
    const std::int64_t n = rows();
    b.target = target64.empty() ? ArrayView::vector(target32.data(), n)
                                : ArrayView::vector(target64.data(), n);
    if (!scores64.empty()) b.scores = ArrayView::matrix(scores64.data(), n, classes);
    if (!scores32.empty()) b.scores = ArrayView::matrix(scores32.data(), n, classes);
    if (!predicted.empty()) b.predicted = ArrayView::vector(predicted.data(), n);
    if (!weights.empty()) b.sample_weight = ArrayView::vector(weights.data(), n);
    return b;
  }
};

inline Batch random_batch(std::uint64_t seed, const RandomSpec& spec) {
  std::mt19937_64 rng(seed);
  Batch b;
  b.classes = spec.classes;
  const std::int64_t C = spec.classes;
  // A third of the classes never appear as targets (absent classes).
  const std::int64_t used = std::max<std::int64_t>(1, C - C / 3);
  std::uniform_int_distribution<std::int64_t> label(0, used - 1);
  std::uniform_int_distribution<std::int64_t> any_class(0, C - 1);
  std::normal_distribution<double> z(0.0, 3.0);
  std::uniform_int_distribution<int> coarse(0, 3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> row(static_cast<std::size_t>(C));
  for (std::int64_t i = 0; i < spec.rows; ++i) {
    std::int64_t y = label(rng);
    if (spec.ignore_every > 0 && i % spec.ignore_every == spec.ignore_every - 1) {
      y = spec.ignore_value;
    }
    b.target64.push_back(y);
    if (spec.weights) b.weights.push_back(3.0 * unit(rng));
    if (spec.labels_only) {
      b.predicted.push_back(unit(rng) < 0.5 && y >= 0 ? y : any_class(rng));
      continue;
    }
    double sum = 0.0;
    for (std::int64_t c = 0; c < C; ++c) {
      // One row in three is quantised to a few values, so exact ties (with the
      // target and at the top) are common.
      double v = (i % 3 == 0) ? static_cast<double>(coarse(rng)) : z(rng);
      if (spec.probabilities) v = std::exp(v);
      row[static_cast<std::size_t>(c)] = v;
      sum += v;
    }
    if (spec.probabilities) {
      for (auto& v : row) v /= sum;
      if (i % 7 == 3) row[static_cast<std::size_t>(any_class(rng))] = 0.0;  // clipped cells
    }
    if (spec.masked && i % 5 == 1) {
      // Mask a few columns; every tenth such row masks the target itself.
      for (int k = 0; k < 3; ++k) {
        row[static_cast<std::size_t>(any_class(rng))] = -std::numeric_limits<double>::infinity();
      }
      if (i % 10 == 1 && y >= 0) {
        row[static_cast<std::size_t>(y)] = -std::numeric_limits<double>::infinity();
      }
      // Keep at least one finite score.
      row[static_cast<std::size_t>((y >= 0 ? y + 1 : 0) % C)] = 1.0;
    }
    for (double v : row) {
      if (spec.float32) {
        b.scores32.push_back(static_cast<float>(v));
      } else {
        b.scores64.push_back(v);
      }
    }
  }
  if (spec.int32_target) {
    for (auto y : b.target64) b.target32.push_back(static_cast<std::int32_t>(y));
    b.target64.clear();
  }
  return b;
}

/// Rows built so that the target often ties with other classes across the
/// boundary of every k <= max_k (torch.topk's tie rule decides those): per row, a
/// few distinct high scores above a tie group at the top level, the rest lower,
/// and the target in the tie group with probability `in_tie`. The first few rows
/// tie everywhere (one value).
inline Batch tie_batch(std::uint64_t seed, std::int64_t rows, std::int64_t classes, int max_k,
                       bool float32, bool weights, double in_tie = 0.5) {
  std::mt19937_64 rng(seed);
  Batch b;
  b.classes = classes;
  const std::int64_t C = classes;
  std::uniform_int_distribution<std::int64_t> any_class(0, C - 1);
  std::uniform_int_distribution<int> above_count(0, max_k - 1);
  std::uniform_int_distribution<int> levels(1, 4);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> row(static_cast<std::size_t>(C));
  std::vector<std::int64_t> top;
  for (std::int64_t i = 0; i < rows; ++i) {
    const int L = i < 4 ? 1 : levels(rng);
    std::uniform_int_distribution<int> level(0, L - 1);
    top.clear();
    for (std::int64_t c = 0; c < C; ++c) {
      const int v = level(rng);
      row[static_cast<std::size_t>(c)] = 0.25 * v;
      if (v == L - 1) top.push_back(c);
    }
    // A few classes strictly above the tie group (distinct values).
    const int above = i < 4 ? 0 : std::min<int>(above_count(rng), static_cast<int>(C) - 1);
    for (int a = 0; a < above; ++a) {
      const std::int64_t c = any_class(rng);
      row[static_cast<std::size_t>(c)] = 2.0 + 0.5 * a;
      std::erase(top, c);
    }
    std::int64_t y = any_class(rng);
    if (!top.empty() && unit(rng) < in_tie) {
      y = top[static_cast<std::size_t>(rng() % top.size())];
    }
    b.target64.push_back(y);
    if (weights) b.weights.push_back(3.0 * unit(rng));
    for (double v : row) {
      if (float32) {
        b.scores32.push_back(static_cast<float>(v));
      } else {
        b.scores64.push_back(v);
      }
    }
  }
  return b;
}

// Appends to `why` when two loss sums differ by more than `tolerance`, relative.
inline void check_close(std::ostringstream& why, const ExactSum& cpu, const ExactSum& gpu,
                        const std::string& what, double tolerance) {
  const double a = cpu.value(), b = gpu.value();
  if (!(std::fabs(a - b) <= tolerance * std::max(std::fabs(a), std::fabs(b)) + 1e-300)) {
    why << "\n  " << what << ": cpu " << a << " gpu " << b << " (relative tolerance " << tolerance
        << ")";
  }
}

// Appends to `why` when a field differs (values printed as GoogleTest prints them).
template <typename T>
void check_equal(std::ostringstream& why, const char* what, const T& cpu, const T& gpu) {
  if (!(cpu == gpu)) {
    why << "\n  " << what << ": cpu " << ::testing::PrintToString(cpu) << ", gpu "
        << ::testing::PrintToString(gpu);
  }
}

/// The loss-sum tolerance for a batch: its scores' dtype decides.
inline double loss_tolerance(const Batch& b) {
  return b.scores32.empty() ? kLossRelTolerance : kFloat32LossRelTolerance;
}

/// The documented agreement between a GPU state and the CPU state of the same batches
/// (loss sums within `loss_tolerance`, relative: loss_tolerance(batch) for one batch).
inline ::testing::AssertionResult agrees(const SufficientState& cpu, const SufficientState& gpu,
                                         double loss_tolerance = kLossRelTolerance) {
  std::ostringstream why;
#define METRICAUDIT_FIELD(f) check_equal(why, #f, cpu.f, gpu.f)
  METRICAUDIT_FIELD(samples);
  METRICAUDIT_FIELD(ignored);
  METRICAUDIT_FIELD(batches);
  METRICAUDIT_FIELD(has_scores);
  METRICAUDIT_FIELD(mixed_inputs);
  METRICAUDIT_FIELD(weighted);
  METRICAUDIT_FIELD(scores_in_unit_interval);
  METRICAUDIT_FIELD(tp);
  METRICAUDIT_FIELD(predicted);
  METRICAUDIT_FIELD(support);
  for (int r = 0; r < kTieRules; ++r) METRICAUDIT_FIELD(rank_histogram[r]);
  METRICAUDIT_FIELD(topk_hits_by_class);
  METRICAUDIT_FIELD(topk_misses_by_predicted);
  METRICAUDIT_FIELD(topk_boundary_ties);
  METRICAUDIT_FIELD(elementwise_correct);
  METRICAUDIT_FIELD(confusion);
  // Weight sums: the same doubles summed exactly on both sides.
  METRICAUDIT_FIELD(w_tp);
  METRICAUDIT_FIELD(w_predicted);
  METRICAUDIT_FIELD(w_support);
  METRICAUDIT_FIELD(w_total);
  METRICAUDIT_FIELD(w_topk_hits);
  METRICAUDIT_FIELD(w_topk_hits_by_rule);
  METRICAUDIT_FIELD(w_elementwise_correct);
  for (int f = 0; f < kLossFamilies; ++f) {
    METRICAUDIT_FIELD(losses[f].enabled);
    METRICAUDIT_FIELD(losses[f].available);
    METRICAUDIT_FIELD(losses[f].infinite_terms);
    METRICAUDIT_FIELD(losses[f].infinite_smoothing);
    const auto& a = cpu.losses[f];
    const auto& b = gpu.losses[f];
    const std::string family = "losses[" + std::to_string(f) + "]";
    if (a.by_class.size() != b.by_class.size()) {
      why << "\n  " << family << ".by_class: " << a.by_class.size() << " vs " << b.by_class.size()
          << " classes";
      continue;
    }
    for (std::size_t c = 0; c < a.by_class.size(); ++c) {
      check_close(why, a.by_class[c], b.by_class[c],
                  family + ".by_class[" + std::to_string(c) + "]", loss_tolerance);
    }
    check_close(why, a.smoothing, b.smoothing, family + ".smoothing", loss_tolerance);
  }
#undef METRICAUDIT_FIELD
  if (why.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the GPU state differs from the CPU state:" << why.str();
}

}  // namespace metricaudit::gpu_testing
