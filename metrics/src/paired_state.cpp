// Per-sample states: one value per sample (a hit, or a loss term), folded into exact
// moments; for two models on the same samples also the 2x2 table of hits and the
// moments of the differences. Rows are split into fixed chunks (detail::parallel_rows)
// and partial states merge by exact addition, so results do not depend on threads.
#include "metricaudit/paired_state.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "detail/loss_terms.hpp"
#include "detail/parallel.hpp"
#include "detail/validate.hpp"
#include "metricaudit/detail/torch_topk.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/vocabulary.hpp"

namespace metricaudit {
namespace {

using detail::label_at;

std::string index_text(std::int64_t i) {
  return " at index " + std::to_string(i);
}

[[noreturn]] void fail_row(std::int64_t row, const std::string& message) {
  throw detail::RowError{row, std::make_exception_ptr(ValueRangeError(message))};
}

// One model's outputs in a batch: scores or predicted labels, under a reading.
struct Side {
  const char* name;  // "preds", "preds_a", "preds_b"
  ArrayView scores, predicted;
  SampleReading reading;
};

void validate_side(const Side& s, std::int64_t n) {
  const bool has_scores = !s.scores.empty();
  const bool has_preds = !s.predicted.empty();
  if (has_scores == has_preds) {
    throw InvalidArgument(std::string(s.name) +
                          ": expected exactly one of scores (N, C) and predicted labels (N,), "
                          "got " +
                          (has_scores ? "both" : "neither"));
  }
  if (has_scores) {
    detail::require_floating(s.scores, s.name);
    if (s.scores.ndim != 2 || s.scores.rows != n || s.scores.cols < 1) {
      throw ShapeError(std::string(s.name) + ": expected scores of shape (" + std::to_string(n) +
                       ", C) (N from target), got " + detail::shape_string(s.scores));
    }
    if (s.reading.kind == SampleReading::Kind::hit &&
        (s.reading.top_k < 1 || s.reading.top_k > s.scores.cols)) {
      throw InvalidArgument(std::string(s.name) +
                            ": top_k must lie in [1, C = " + std::to_string(s.scores.cols) +
                            "], got " + std::to_string(s.reading.top_k));
    }
    return;
  }
  detail::require_integer(s.predicted, s.name);
  detail::require_vector(s.predicted, s.name, n);
  if (s.reading.kind == SampleReading::Kind::loss) {
    throw UnavailableError(std::string(s.name) +
                           ": a cross-entropy needs scores (logits or probabilities), got "
                           "predicted labels only");
  }
  if (s.reading.top_k != 1) {
    throw UnavailableError(std::string(s.name) + ": top-" + std::to_string(s.reading.top_k) +
                           " accuracy needs scores, got predicted labels only");
  }
}

std::int64_t validate_target(const ArrayView& target) {
  detail::require_nonempty(target, "target");
  detail::require_integer(target, "target");
  const std::int64_t n = target.rows;
  detail::require_vector(target, "target", n);
  return n;
}

// Whether the target ranks among the top k of `row` under the tie rule.
template <typename T>
bool hit_at(const T* row, std::int64_t C, std::int64_t y, const SampleReading& r, const Side& s,
            std::int64_t i) {
  const T zy = row[y];
  std::int64_t greater = 0, ties_below = 0, ties_above = 0;
  bool finite_somewhere = false;
  for (std::int64_t c = 0; c < C; ++c) {
    const T v = row[c];
    if (std::isnan(v) || v == std::numeric_limits<T>::infinity()) {
      fail_row(i, std::string(s.name) +
                      ": expected finite scores (-inf allowed as a masked logit), got " +
                      (std::isnan(v) ? "nan" : "inf") + " at index (" + std::to_string(i) + ", " +
                      std::to_string(c) + ")");
    }
    finite_somewhere = finite_somewhere || v != -std::numeric_limits<T>::infinity();
    greater += v > zy;
    ties_below += (v == zy) & (c < y);
    ties_above += (v == zy) & (c > y);
  }
  if (!finite_somewhere) {
    fail_row(i, std::string(s.name) +
                    ": expected at least one finite score per row, got a row of -inf" +
                    index_text(i));
  }
  const std::int64_t k = r.top_k;
  switch (r.ties) {
    case TieRule::index_order:
      return greater + ties_below < k;
    case TieRule::high_index_first:
      return greater + ties_above < k;
    case TieRule::optimistic:
      return greater < k;
    case TieRule::torch_topk:
      if (k == 1) return greater + ties_below == 0;  // torchmetrics takes the argmax
      if (greater >= k) return false;
      if (greater + ties_below + ties_above < k) return true;
      return detail::torch_topk_contains(row, C, k, y);
  }
  return false;
}

template <typename T>
double scores_value(const Side& s, std::int64_t i, std::int64_t y) {
  const std::int64_t C = s.scores.cols;
  const T* row = static_cast<const T*>(s.scores.data) + i * C;
  if (y < 0 || y >= C) {
    fail_row(i, "target: expected labels in [0, " + std::to_string(C) + ") (C of " + s.name +
                    "), got " + std::to_string(y) + index_text(i));
  }
  if (s.reading.kind == SampleReading::Kind::hit) {
    return hit_at(row, C, y, s.reading, s, i) ? 1.0 : 0.0;
  }
  for (std::int64_t c = 0; c < C; ++c) {
    const T v = row[c];
    if (std::isnan(v) || v == std::numeric_limits<T>::infinity()) {
      fail_row(i, std::string(s.name) + ": expected finite scores, got " +
                      (std::isnan(v) ? "nan" : "inf") + " at index (" + std::to_string(i) + ", " +
                      std::to_string(c) + ")");
    }
  }
  const detail::RowLoss l = detail::row_loss(s.reading.loss, row, C, y);
  if (!l.defined) {
    fail_row(i, std::string(s.name) + ": the " + to_name(s.reading.loss) +
                    " cross-entropy needs probabilities (scores in [0, 1]; for Keras' "
                    "categorical, >= 0 with a positive row sum), got another row" +
                    index_text(i));
  }
  return l.value;
}

// The value sample i contributes under the side's reading.
double value_at(const Side& s, std::int64_t i, std::int64_t y) {
  if (s.scores.empty()) {
    if (y < 0)
      fail_row(i, "target: expected labels >= 0, got " + std::to_string(y) + index_text(i));
    return label_at(s.predicted, i) == y ? 1.0 : 0.0;
  }
  return s.scores.dtype == DType::float32 ? scores_value<float>(s, i, y)
                                          : scores_value<double>(s, i, y);
}

std::int64_t chunk_for(const ArrayView& a, const ArrayView& b) {
  const std::int64_t cols = std::max(a.empty() ? 1 : a.cols, b.empty() ? 1 : b.cols);
  return detail::chunk_rows(cols, 8);
}

bool same_reading(const SampleReading& x, const SampleReading& y) {
  if (x.kind != y.kind) return false;
  if (x.kind == SampleReading::Kind::hit) return x.top_k == y.top_k && x.ties == y.ties;
  return x.loss == y.loss;
}

void require_same(const SampleReading& x, const SampleReading& y) {
  if (!same_reading(x, y)) {
    throw IncompatibleError("merge: the states read their samples differently");
  }
}

}  // namespace

std::optional<SampleReading> sample_reading(const Convention& c) {
  SampleReading r;
  if (c.metric == Metric::accuracy) {
    if (c.average != Average::micro) return std::nullopt;
    r.kind = SampleReading::Kind::hit;
    r.top_k = c.top_k;
    r.ties = c.ties;
    return r;
  }
  if (c.metric == Metric::cross_entropy) {
    if (!c.class_weights.empty() || c.label_smoothing != 0.0 || c.reduction != Reduction::mean) {
      return std::nullopt;
    }
    r.kind = SampleReading::Kind::loss;
    r.loss = c.loss;
    return r;
  }
  return std::nullopt;
}

// ---- SampleMoments ----------------------------------------------------------

void SampleMoments::add(double x) {
  if (x == std::numeric_limits<double>::infinity()) {
    ++count_;
    ++infinite_;
    return;
  }
  if (!std::isfinite(x)) {
    throw ValueRangeError("value: expected a finite per-sample value or +inf, got " +
                          std::string(std::isnan(x) ? "nan" : "-inf"));
  }
  // x^2 = square + rest exactly (fma), so that the sum of squares is exact too: with
  // squares rounded, a large mean would swamp a small spread in squared_deviations().
  const double square = x * x;
  if (!std::isfinite(square)) {
    throw ValueRangeError("value: its square overflows a double");
  }
  const double rest = std::fma(x, x, -square);
  // Both before either is changed, so a refused value leaves the moments as they were.
  ExactSum s = sum_, q = sum_squares_;
  s.add(x);
  q.add(square);
  q.add(rest);
  sum_ = s;
  sum_squares_ = q;
  ++count_;
}

void SampleMoments::merge(const SampleMoments& other) {
  count_ += other.count_;
  infinite_ += other.infinite_;
  sum_.merge(other.sum_);
  sum_squares_.merge(other.sum_squares_);
}

double SampleMoments::mean() const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (infinite_ > 0) return std::numeric_limits<double>::infinity();
  return sum_.value() / static_cast<double>(count_);
}

double SampleMoments::squared_deviations() const {
  if (count_ == 0 || infinite_ > 0) return std::numeric_limits<double>::quiet_NaN();
  // sum (x - m)^2 = S2 - S1^2 / n with S1, S2 exact. S1 = s + e (s its rounding, e the
  // rest, read off the exact sum); S1^2 = hi + lo + 2 s e (+ e^2, below any rounding),
  // hi + lo = s * s exactly (fma); hi / n = q1 + r1 / n exactly (fma). Subtracting q1 and
  // (r1 + lo + 2 s e) / n inside the exact sum leaves one rounding, at the end.
  const double n = static_cast<double>(count_);
  const double s = sum_.value();
  ExactSum rest = sum_;
  rest.add(-s);
  const double e = rest.value();
  const double hi = s * s;
  const double lo = std::fma(s, s, -hi);
  const double q1 = hi / n;
  const double r1 = std::fma(-q1, n, hi);
  const double q2 = (r1 + lo + 2.0 * s * e) / n;
  ExactSum v = sum_squares_;
  v.add(-q1);
  v.add(-q2);
  return std::max(0.0, v.value());
}

double SampleMoments::variance() const {
  if (count_ < 2) return std::numeric_limits<double>::quiet_NaN();
  return squared_deviations() / static_cast<double>(count_ - 1);
}

// ---- SampleState --------------------------------------------------------------

void SampleState::merge(const SampleState& other) {
  require_same(reading, other.reading);
  values.merge(other.values);
}

void update(SampleState& state, const MulticlassBatch& batch) {
  const std::int64_t n = validate_target(batch.target);
  if (!batch.sample_weight.empty()) {
    throw InvalidArgument(
        "sample_weight: per-sample states are unweighted (the tests count samples)");
  }
  const Side side{"preds", batch.scores, batch.predicted, state.reading};
  validate_side(side, n);
  const auto partials = detail::parallel_rows<SampleMoments>(
      n, chunk_for(batch.scores, batch.scores), 0, [] { return SampleMoments(); },
      [&](SampleMoments& m, std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          m.add(value_at(side, i, label_at(batch.target, i)));
        }
      });
  for (const auto& p : partials) state.values.merge(p);
}

// ---- PairedState --------------------------------------------------------------

PairedState::PairedState(SampleReading reading_a, SampleReading reading_b)
    : a{reading_a, {}}, b{reading_b, {}} {
  if (reading_a.kind != reading_b.kind) {
    throw InvalidArgument(
        "PairedState: both runs must be read the same way per sample (two hit readings or "
        "two loss readings)");
  }
}

void PairedState::merge(const PairedState& other) {
  require_same(a.reading, other.a.reading);
  require_same(b.reading, other.b.reading);
  a.values.merge(other.a.values);
  b.values.merge(other.b.values);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) table[i][j] += other.table[i][j];
  }
  difference.merge(other.difference);
}

void update(PairedState& state, const PairedBatch& batch) {
  const std::int64_t n = validate_target(batch.target);
  const Side side_a{"preds_a", batch.scores_a, batch.predicted_a, state.a.reading};
  const Side side_b{"preds_b", batch.scores_b, batch.predicted_b, state.b.reading};
  validate_side(side_a, n);
  validate_side(side_b, n);
  const bool hits = state.a.reading.kind == SampleReading::Kind::hit;
  const auto partials = detail::parallel_rows<PairedState>(
      n, chunk_for(batch.scores_a, batch.scores_b), 0,
      [&] { return PairedState(state.a.reading, state.b.reading); },
      [&](PairedState& p, std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          const std::int64_t y = label_at(batch.target, i);
          const double xa = value_at(side_a, i, y);
          const double xb = value_at(side_b, i, y);
          p.a.values.add(xa);
          p.b.values.add(xb);
          if (hits) ++p.table[xa > 0.5 ? 1 : 0][xb > 0.5 ? 1 : 0];
          // Two infinite losses have no difference; one infinite loss, an infinite one.
          p.difference.add(
              std::isinf(xa) || std::isinf(xb) ? std::numeric_limits<double>::infinity() : xb - xa);
        }
      });
  for (const auto& p : partials) state.merge(p);
}

}  // namespace metricaudit
