// The CPU backend's one pass over a multi-class batch. Per row: one sweep for
// the argmax (first maximal index, as torch and numpy), the target's rank under
// the three tie rules, the element-wise threshold count and the domain checks;
// a second sweep over the (cache-resident) row for the log-sum-exp and the
// probability-family logs. All accumulation goes into integer counts and
// ExactSum, so the result does not depend on how rows are split or ordered.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "detail/exact_limbs.hpp"
#include "detail/parallel.hpp"
#include "detail/row_kernels.hpp"
#include "detail/validate.hpp"
#include "metricaudit/detail/torch_topk.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit {
namespace {

using detail::label_at;
using detail::real_at;

std::string at(std::int64_t i) {
  return " at index " + std::to_string(i);
}
std::string at(std::int64_t i, std::int64_t c) {
  return " at index (" + std::to_string(i) + ", " + std::to_string(c) + ")";
}

[[noreturn]] void fail_row(std::int64_t row, const std::string& message) {
  throw detail::RowError{row, std::make_exception_ptr(ValueRangeError(message))};
}

struct ShapeInfo {
  std::int64_t n = 0;
  std::int64_t c = 0;
};

ShapeInfo validate(const SufficientState& state, const MulticlassBatch& b) {
  detail::require_nonempty(b.target, "target");
  detail::require_integer(b.target, "target");
  const std::int64_t n = b.target.rows;
  detail::require_vector(b.target, "target", n);
  const std::int64_t c = state.num_classes();
  const bool has_scores = !b.scores.empty();
  const bool has_preds = !b.predicted.empty();
  if (has_scores == has_preds) {
    throw InvalidArgument(
        "preds: expected exactly one of scores (N, C) and predicted labels (N,), got " +
        std::string(has_scores ? "both" : "neither"));
  }
  if (has_scores) {
    detail::require_floating(b.scores, "preds");
    if (b.scores.ndim != 2 || b.scores.rows != n || b.scores.cols != c) {
      throw ShapeError("preds: expected scores of shape (" + std::to_string(n) + ", " +
                       std::to_string(c) + ") (N from target, C = num_classes), got " +
                       detail::shape_string(b.scores));
    }
  } else {
    detail::require_integer(b.predicted, "preds");
    detail::require_vector(b.predicted, "preds", n);
  }
  if (!b.sample_weight.empty()) detail::check_weights(b.sample_weight, n);
  return {n, c};
}

// Per-thread working state: a partial SufficientState plus flags that are
// decided for the whole batch.
struct Partial {
  SufficientState state;
  bool all_in_unit = true;
  bool keras_row_sum_zero = false;
  // The logits family's sums, kept as ExactSum-compatible limbs (added inline, no
  // call per row) and folded into `state` once the pass is done (fold_limbs).
  detail::LimbArray logit_limbs;
  detail::LimbArray smoothing_limbs;
  detail::LimbArray column_limbs;  // StateOptions::smoothing_columns
};

// Clipping bounds in the dtype the library computes in (Keras and sklearn
// compute in the scores' dtype; the bounds are that dtype's values).
template <typename T>
struct Clip {
  // keras/src/backend/config.py: epsilon() = 1e-7, used as clip(x, eps, 1 - eps).
  static constexpr double keras_lo = static_cast<double>(static_cast<T>(1e-7));
  static constexpr double keras_hi =
      static_cast<double>(static_cast<T>(T(1) - static_cast<T>(1e-7)));
  // sklearn/metrics/_classification.py (>= 1.5): eps = np.finfo(y_pred.dtype).eps.
  static constexpr double sk_lo = static_cast<double>(std::numeric_limits<T>::epsilon());
  static constexpr double sk_hi = static_cast<double>(T(1) - std::numeric_limits<T>::epsilon());
};

inline double clamp(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

// The probability families of one row whose scores all lie in [0, 1] (scalar: on
// logits they are skipped; on probabilities they are what the caller asked for).
template <typename T>
void probability_terms(Partial& p, const T* row, std::int64_t C, std::int64_t y, double w) {
  SufficientState& s = p.state;
  const StateOptions& o = s.options();
  auto& keras = s.losses[static_cast<int>(LossFamily::keras_probabilities)];
  auto& sk = s.losses[static_cast<int>(LossFamily::sklearn_probabilities)];
  auto& sk_old = s.losses[static_cast<int>(LossFamily::sklearn_legacy_probabilities)];
  auto& bce = s.losses[static_cast<int>(LossFamily::keras_binary_onehot)];
  const T zy = row[y];
  double row_sum = 0.0;
  for (std::int64_t c = 0; c < C; ++c) row_sum += static_cast<double>(row[c]);
  const double py = static_cast<double>(zy);
  if (keras.enabled) {
    if (row_sum <= 0.0) {
      p.keras_row_sum_zero = true;
    } else {
      keras.by_class[y].add(w *
                            -std::log(clamp(py / row_sum, Clip<T>::keras_lo, Clip<T>::keras_hi)));
      if (o.smoothing_terms) {
        double t = 0.0;
        for (std::int64_t c = 0; c < C; ++c) {
          t -= std::log(
              clamp(static_cast<double>(row[c]) / row_sum, Clip<T>::keras_lo, Clip<T>::keras_hi));
        }
        keras.smoothing.add(w * t);
      }
    }
  }
  if (sk.enabled) sk.by_class[y].add(w * -std::log(clamp(py, Clip<T>::sk_lo, Clip<T>::sk_hi)));
  if (sk_old.enabled) {
    // sklearn <= 1.1: clip to [1e-15, 1 - 1e-15], then divide by the clipped row sum.
    double clipped_sum = 0.0;
    for (std::int64_t c = 0; c < C; ++c) {
      clipped_sum += clamp(static_cast<double>(row[c]), 1e-15, 1.0 - 1e-15);
    }
    sk_old.by_class[y].add(w * -std::log(clamp(py, 1e-15, 1.0 - 1e-15) / clipped_sum));
  }
  if (bce.enabled) {
    // Label smoothing y' = y (1 - e) + e / 2 splits each cell's term into
    // (1 - e) * BCE(y) + (e / 2) * (-log q - log(1 - q)) (keras/src/losses/losses.py
    // binary_crossentropy): the second part is kept as the smoothing term.
    double t = 0.0, smooth = 0.0;
    for (std::int64_t c = 0; c < C; ++c) {
      const double q = clamp(static_cast<double>(row[c]), Clip<T>::keras_lo, Clip<T>::keras_hi);
      if (o.smoothing_terms) {
        const double log_q = std::log(q), log_not_q = std::log1p(-q);
        t -= (c == y) ? log_q : log_not_q;
        smooth -= log_q + log_not_q;
      } else {
        t -= (c == y) ? std::log(q) : std::log1p(-q);
      }
    }
    bce.by_class[y].add(w * (t / static_cast<double>(C)));
    if (o.smoothing_terms) bce.smoothing.add(w * (smooth / static_cast<double>(C)));
  }
}

// StateOptions::topk_sets: one count per class among the row's k predicted classes,
// chosen as torch.topk chooses them (torchmetrics <= 1.6.0's select_topk one-hot,
// src/torchmetrics/utilities/data.py). At k = 1 torchmetrics takes the argmax.
template <typename T>
void count_topk_set(std::int64_t* set, const T* row, std::int64_t C, std::int64_t k,
                    std::int64_t argmax) {
  if (k == 1) {
    ++set[argmax];
    return;
  }
  detail::torch_topk_visit(row, C, k, [set](std::int64_t c) { ++set[c]; });
}

// StateOptions::smoothing_columns: w * -log softmax(z)_c = w * (lse - z_c) for each
// column, handed to `add` (an ExactSum on the reference path, limbs on the fast one);
// a -inf logit makes that term +inf, counted per column instead.
template <typename T, typename Add>
void smoothing_columns(const T* row, std::int64_t C, double lse, double w,
                       std::vector<std::int64_t>& infinite, Add&& add) {
  for (std::int64_t c = 0; c < C; ++c) {
    const double v = static_cast<double>(row[c]);
    if (std::isinf(v)) {
      ++infinite[static_cast<std::size_t>(c)];
    } else {
      add(c, w * (lse - v));
    }
  }
}

// Weighted top-k hits under the tie rules that have rank histograms (TieRule order).
inline void add_weighted_rank_hits(SufficientState& s, std::int64_t greater,
                                   std::int64_t ties_below, std::int64_t ties_above, double w) {
  const auto& ks = s.options().top_k;
  for (std::size_t j = 0; j < ks.size(); ++j) {
    const std::int64_t k = ks[j];
    if (greater + ties_below < k) s.w_topk_hits_by_rule[0][j].add(w);  // index_order
    if (greater + ties_above < k) s.w_topk_hits_by_rule[1][j].add(w);  // high_index_first
    if (greater < k) s.w_topk_hits_by_rule[2][j].add(w);               // optimistic
  }
}

template <typename T>
void score_rows_reference(Partial& p, const MulticlassBatch& b, std::int64_t begin,
                          std::int64_t end) {
  SufficientState& s = p.state;
  const StateOptions& o = s.options();
  const std::int64_t C = o.num_classes;
  const Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> scores(
      static_cast<const T*>(b.scores.data), b.scores.rows, C);
  const bool weighted = !b.sample_weight.empty();
  // The libraries compare in the scores' dtype (torch and Keras cast the Python
  // threshold to the tensor's dtype), so the threshold is rounded to T first.
  const T threshold = static_cast<T>(o.threshold);
  auto& logits = s.losses[static_cast<int>(LossFamily::logits)];
  auto& keras = s.losses[static_cast<int>(LossFamily::keras_probabilities)];
  auto& sk = s.losses[static_cast<int>(LossFamily::sklearn_probabilities)];
  auto& sk_old = s.losses[static_cast<int>(LossFamily::sklearn_legacy_probabilities)];
  auto& bce = s.losses[static_cast<int>(LossFamily::keras_binary_onehot)];
  const bool any_prob_family = keras.enabled || sk.enabled || sk_old.enabled || bce.enabled;

  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t y = label_at(b.target, i);
    if (o.ignore_index && y == *o.ignore_index) {
      ++s.ignored;
      continue;
    }
    if (y < 0 || y >= C) {
      fail_row(i,
               "target: expected labels in [0, " + std::to_string(C) + ")" +
                   (o.ignore_index ? " or ignore_index=" + std::to_string(*o.ignore_index) : "") +
                   ", got " + std::to_string(y) + at(i));
    }
    const T* row = scores.row(i).data();
    const T zy = row[y];
    // Sweep 1: argmax, rank, threshold count, domain checks.
    T best = -std::numeric_limits<T>::infinity();
    std::int64_t argmax = 0;
    std::int64_t greater = 0, ties_below = 0, ties_above = 0, above = 0;
    bool in_unit = true;
    for (std::int64_t c = 0; c < C; ++c) {
      const T v = row[c];
      if (std::isnan(v) || v == std::numeric_limits<T>::infinity()) {
        fail_row(i, "preds: expected finite scores (-inf allowed as a masked logit), got " +
                        std::string(std::isnan(v) ? "nan" : "inf") + at(i, c));
      }
      if (v > best) {
        best = v;
        argmax = c;
      }
      greater += v > zy;
      ties_below += (v == zy) & (c < y);
      ties_above += (v == zy) & (c > y);
      above += v > threshold;
      in_unit = in_unit && v >= T(0) && v <= T(1);
    }
    if (best == -std::numeric_limits<T>::infinity()) {
      fail_row(i, "preds: expected at least one finite score per row, got a row of -inf" + at(i));
    }
    const double w = weighted ? real_at(b.sample_weight, i) : 1.0;
    ++s.samples;
    ++s.support[y];
    ++s.predicted[argmax];
    const bool hit1 = argmax == y;
    if (hit1) ++s.tp[y];
    const std::int64_t rank_index = greater + ties_below;
    ++s.rank_histogram[static_cast<int>(TieRule::index_order)][rank_index];
    ++s.rank_histogram[static_cast<int>(TieRule::high_index_first)][greater + ties_above];
    ++s.rank_histogram[static_cast<int>(TieRule::optimistic)][greater];
    for (std::size_t j = 0; j < o.top_k.size(); ++j) {
      const std::int64_t k = o.top_k[j];
      bool hit;
      if (k == 1) {
        hit = rank_index == 0;  // torchmetrics takes the argmax at top_k = 1
      } else if (greater >= k) {
        hit = false;
      } else if (greater + ties_below + ties_above < k) {
        hit = true;
      } else {
        // The target ties across the boundary: which tied classes torch keeps is
        // decided by its selection algorithm, so run it.
        ++s.topk_boundary_ties[j];
        hit = detail::torch_topk_contains(row, C, k, y);
      }
      if (hit) {
        ++s.topk_hits_by_class[j][y];
        if (weighted) s.w_topk_hits[j].add(w);
      } else {
        ++s.topk_misses_by_predicted[j][argmax];
      }
      if (o.topk_sets) count_topk_set(s.topk_set_by_class[j].data(), row, C, k, argmax);
    }
    const std::int64_t correct_cells = C - 1 - above + 2 * (zy > threshold);
    s.elementwise_correct += correct_cells;
    if (!s.confusion.empty()) ++s.confusion[static_cast<std::size_t>(y * C + argmax)];
    if (weighted) {
      s.w_support[y].add(w);
      s.w_predicted[argmax].add(w);
      if (hit1) s.w_tp[y].add(w);
      s.w_total.add(w);
      s.w_elementwise_correct.add(w * static_cast<double>(correct_cells));
      add_weighted_rank_hits(s, greater, ties_below, ties_above, w);
    }
    p.all_in_unit = p.all_in_unit && in_unit;

    // Sweep 2: losses.
    if (logits.enabled) {
      const double m = static_cast<double>(best);
      double sum_exp = 0.0, sum_z = 0.0;
      bool masked = false;
      for (std::int64_t c = 0; c < C; ++c) {
        const double v = static_cast<double>(row[c]);
        sum_exp += std::exp(v - m);
        sum_z += v;
        masked = masked || std::isinf(v);
      }
      const double lse = m + std::log(sum_exp);
      if (std::isinf(static_cast<double>(zy))) {
        ++logits.infinite_terms;
      } else {
        logits.by_class[y].add(w * (lse - static_cast<double>(zy)));
      }
      if (o.smoothing_terms) {
        if (masked) {
          ++logits.infinite_smoothing;
        } else {
          // sum_c -log softmax(z)_c = C * lse - sum_c z_c
          logits.smoothing.add(w * (static_cast<double>(C) * lse - sum_z));
        }
      }
      if (o.smoothing_columns) {
        smoothing_columns(row, C, lse, w, logits.infinite_by_column,
                          [&](std::int64_t c, double x) { logits.smoothing_by_column[c].add(x); });
      }
    }
    if (any_prob_family && in_unit) probability_terms<T>(p, row, C, y, w);
  }
}

// The pass proper: the row kernels (detail/row_kernels.hpp) compute each row's
// argmax, ranks, counts and log-sum-exp; this folds them into the partial state.
// A row the kernel flags (nan, +inf, a row of -inf) or a bad target sends the rest of
// the range to score_rows_reference, which reports the first error exactly as before.
// Instantiated with and without weights: the unweighted fold (the common case) carries
// none of the weighted sums' branches and keeps more of its pointers in registers.
template <typename T, typename K, bool kWeighted>
void score_rows_fast(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
  SufficientState& s = p.state;
  const StateOptions& o = s.options();
  const std::int64_t C = o.num_classes;
  const T* const scores = static_cast<const T*>(b.scores.data);
  constexpr bool weighted = kWeighted;
  const double threshold = static_cast<double>(static_cast<T>(o.threshold));
  auto& logits = s.losses[static_cast<int>(LossFamily::logits)];
  const bool any_prob_family =
      s.losses[static_cast<int>(LossFamily::keras_probabilities)].enabled ||
      s.losses[static_cast<int>(LossFamily::sklearn_probabilities)].enabled ||
      s.losses[static_cast<int>(LossFamily::sklearn_legacy_probabilities)].enabled ||
      s.losses[static_cast<int>(LossFamily::keras_binary_onehot)].enabled;
  const bool want_lse = logits.enabled;
  const bool smoothing = o.smoothing_terms;
  if (want_lse && p.logit_limbs.empty()) p.logit_limbs.resize(C);
  if (want_lse && smoothing && p.smoothing_limbs.empty()) p.smoothing_limbs.resize(1);
  const bool columns = want_lse && o.smoothing_columns;
  if (columns && p.column_limbs.empty()) p.column_limbs.resize(C);
  std::int64_t* const support = s.support.data();
  std::int64_t* const predicted = s.predicted.data();
  std::int64_t* const tp = s.tp.data();
  std::int64_t* const hist0 = s.rank_histogram[static_cast<int>(TieRule::index_order)].data();
  std::int64_t* const hist1 = s.rank_histogram[static_cast<int>(TieRule::high_index_first)].data();
  std::int64_t* const hist2 = s.rank_histogram[static_cast<int>(TieRule::optimistic)].data();
  std::int64_t* const confusion = s.confusion.empty() ? nullptr : s.confusion.data();
  const std::size_t n_k = o.top_k.size();
  // Per requested k: k, and where its hits and misses go (fixed for the pass).
  struct TopK {
    std::int64_t k;
    std::int64_t* hits;
    std::int64_t* misses;
    std::int64_t* set;  // null unless StateOptions::topk_sets
  };
  std::vector<TopK> topk(n_k);
  for (std::size_t j = 0; j < n_k; ++j) {
    topk[j] = {o.top_k[j], s.topk_hits_by_class[j].data(), s.topk_misses_by_predicted[j].data(),
               o.topk_sets ? s.topk_set_by_class[j].data() : nullptr};
  }
  std::int64_t samples = 0, ignored = 0, elementwise = 0;
  bool all_in_unit = p.all_in_unit;

  auto fold = [&](std::int64_t i, const T* row, std::int64_t y, const detail::RowResult& r)
      __attribute__((always_inline)) {
    const double w = weighted ? real_at(b.sample_weight, i) : 1.0;
    const std::int64_t argmax = r.argmax;
    ++samples;
    ++support[y];
    ++predicted[argmax];
    const bool hit1 = argmax == y;
    tp[y] += hit1;
    const std::int64_t rank_index = r.greater + r.ties_below;
    ++hist0[rank_index];
    ++hist1[r.greater + r.ties_above];
    ++hist2[r.greater];
    for (std::size_t j = 0; j < n_k; ++j) {
      // Branch-free where the data decides (hits are unpredictable on real scores); only
      // the rare boundary tie branches off to torch's selection.
      const std::int64_t k = topk[j].k;
      const bool first = k == 1;  // torchmetrics takes the argmax at top_k = 1
      const bool sure_miss = r.greater >= k;
      const bool sure_hit = r.greater + r.ties_below + r.ties_above < k;
      bool hit = first ? rank_index == 0 : sure_hit;
      if (!first && !sure_miss && !sure_hit) [[unlikely]] {
        ++s.topk_boundary_ties[j];
        hit = detail::torch_topk_contains(row, C, k, y);
      }
      topk[j].hits[y] += hit;
      topk[j].misses[argmax] += !hit;
      if (weighted && hit) s.w_topk_hits[j].add(w);
      if (topk[j].set) [[unlikely]] {
        count_topk_set(topk[j].set, row, C, k, argmax);
      }
    }
    const T zy = row[y];
    const std::int64_t correct_cells = C - 1 - r.above + 2 * (static_cast<double>(zy) > threshold);
    elementwise += correct_cells;
    if (confusion) ++confusion[static_cast<std::size_t>(y * C + argmax)];
    if (weighted) {
      s.w_support[y].add(w);
      s.w_predicted[argmax].add(w);
      if (hit1) s.w_tp[y].add(w);
      s.w_total.add(w);
      s.w_elementwise_correct.add(w * static_cast<double>(correct_cells));
      add_weighted_rank_hits(s, r.greater, r.ties_below, r.ties_above, w);
    }
    all_in_unit = all_in_unit && r.in_unit;
    if (want_lse) {
      if (std::isinf(static_cast<double>(zy))) {
        ++logits.infinite_terms;
      } else {
        p.logit_limbs.add(y, w * (r.lse - static_cast<double>(zy)));
      }
      if (smoothing) {
        if (r.masked) {
          ++logits.infinite_smoothing;
        } else {
          // sum_c -log softmax(z)_c = C * lse - sum_c z_c
          p.smoothing_limbs.add(0, w * (static_cast<double>(C) * r.lse - r.sum_z));
        }
      }
      if (columns) [[unlikely]] {
        smoothing_columns(row, C, r.lse, w, logits.infinite_by_column,
                          [&](std::int64_t c, double x) { p.column_limbs.add(c, x); });
      }
    }
    if (any_prob_family && r.in_unit) probability_terms<T>(p, row, C, y, w);
  };
  auto flush = [&] {
    s.samples += samples;
    s.ignored += ignored;
    s.elementwise_correct += elementwise;
    p.all_in_unit = all_in_unit;
    samples = ignored = elementwise = 0;
  };
  // Rows whose target is valid and not ignored; anything else goes to the reference.
  auto target_ok = [&](std::int64_t y) { return y >= 0 && y < C; };

  std::int64_t i = begin;
  if (C <= detail::kRowLanesMaxClasses) {
    // Four rows per packet: collect four scored rows, run them, fold them in order.
    const T* rows[4];
    long long ys[4];
    std::int64_t idx[4];
    detail::RowBlock res;
    while (i < end) {
      int n = 0;
      std::int64_t next = i, block_ignored = 0;
      bool stop = false;
      while (n < 4 && next < end) {
        const std::int64_t y = label_at(b.target, next);
        if (o.ignore_index && y == *o.ignore_index) {
          ++block_ignored;
          ++next;
          continue;
        }
        if (!target_ok(y)) {
          stop = true;
          break;
        }
        rows[n] = scores + next * C;
        ys[n] = y;
        idx[n] = next;
        ++n;
        ++next;
      }
      for (int l = n; l < 4; ++l) {  // spare lanes repeat a real row; results dropped
        rows[l] = n ? rows[0] : scores + i * C;
        ys[l] = n ? ys[0] : 0;
      }
      if (n) K::template rows4<T>(rows, ys, C, threshold, want_lse, res);
      for (int l = 0; l < n; ++l) stop = stop || res.bad[l] != 0;
      if (stop) {
        // Nothing of this block is folded yet: the reference path takes it from its
        // first row and reports the first error in row order.
        flush();
        score_rows_reference<T>(p, b, i, end);
        return;
      }
      for (int l = 0; l < n; ++l) fold(idx[l], rows[l], ys[l], res.row(l));
      ignored += block_ignored;
      i = next;
    }
  } else {
    detail::RowResult r;
    for (; i < end; ++i) {
      const std::int64_t y = label_at(b.target, i);
      if (o.ignore_index && y == *o.ignore_index) {
        ++ignored;
        continue;
      }
      if (!target_ok(y)) break;
      const T* row = scores + i * C;
      K::template row1<T>(row, y, C, threshold, want_lse, r);
      if (r.bad) break;
      fold(i, row, y, r);
    }
    if (i < end) {
      flush();
      score_rows_reference<T>(p, b, i, end);
      return;
    }
  }
  flush();
}

template <typename T>
void score_rows(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
  if (detail::use_avx2_kernels()) {
    if (b.sample_weight.empty()) {
      score_rows_fast<T, detail::avx2::Kernels, false>(p, b, begin, end);
    } else {
      score_rows_fast<T, detail::avx2::Kernels, true>(p, b, begin, end);
    }
    return;
  }
#endif
  if (b.sample_weight.empty()) {
    score_rows_fast<T, detail::portable::Kernels, false>(p, b, begin, end);
  } else {
    score_rows_fast<T, detail::portable::Kernels, true>(p, b, begin, end);
  }
}

void label_rows(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
  SufficientState& s = p.state;
  const StateOptions& o = s.options();
  const std::int64_t C = o.num_classes;
  const bool weighted = !b.sample_weight.empty();
  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t y = label_at(b.target, i);
    if (o.ignore_index && y == *o.ignore_index) {
      ++s.ignored;
      continue;
    }
    if (y < 0 || y >= C) {
      fail_row(i,
               "target: expected labels in [0, " + std::to_string(C) + ")" +
                   (o.ignore_index ? " or ignore_index=" + std::to_string(*o.ignore_index) : "") +
                   ", got " + std::to_string(y) + at(i));
    }
    const std::int64_t pred = label_at(b.predicted, i);
    if (pred < 0 || pred >= C) {
      fail_row(i, "preds: expected labels in [0, " + std::to_string(C) + "), got " +
                      std::to_string(pred) + at(i));
    }
    const double w = weighted ? real_at(b.sample_weight, i) : 1.0;
    ++s.samples;
    ++s.support[y];
    ++s.predicted[pred];
    const bool hit = pred == y;
    if (hit) ++s.tp[y];
    for (std::size_t j = 0; j < o.top_k.size(); ++j) {
      if (o.top_k[j] != 1) continue;  // a label answers top-1 only
      if (hit) {
        ++s.topk_hits_by_class[j][y];
        if (weighted) {
          s.w_topk_hits[j].add(w);
          // A label has no rank: a right one is a top-1 hit under every tie rule.
          for (auto& by_rule : s.w_topk_hits_by_rule) by_rule[j].add(w);
        }
      } else {
        ++s.topk_misses_by_predicted[j][pred];
      }
      if (o.topk_sets) ++s.topk_set_by_class[j][pred];
    }
    if (!s.confusion.empty()) ++s.confusion[static_cast<std::size_t>(y * C + pred)];
    if (weighted) {
      s.w_support[y].add(w);
      s.w_predicted[pred].add(w);
      if (hit) s.w_tp[y].add(w);
      s.w_total.add(w);
    }
  }
}

}  // namespace

void update(SufficientState& state, const MulticlassBatch& batch) {
  const ShapeInfo shape = validate(state, batch);
  const bool has_scores = !batch.scores.empty();
  const bool weighted = !batch.sample_weight.empty();
  const std::int64_t element = has_scores ? (batch.scores.dtype == DType::float32 ? 4 : 8) : 8;
  auto make = [&] {
    Partial p{SufficientState(state.options()), true, false, {}, {}, {}};
    if (weighted) p.state.promote_to_weighted();
    return p;
  };
  auto body = [&](Partial& p, std::int64_t begin, std::int64_t end) {
    if (!has_scores) {
      label_rows(p, batch, begin, end);
    } else if (batch.scores.dtype == DType::float32) {
      score_rows<float>(p, batch, begin, end);
    } else {
      score_rows<double>(p, batch, begin, end);
    }
  };
  auto partials =
      detail::parallel_rows<Partial>(shape.n, detail::chunk_rows(has_scores ? shape.c : 1, element),
                                     state.options().threads, make, body);

  for (auto& p : partials) {
    auto& logits = p.state.losses[static_cast<int>(LossFamily::logits)];
    if (!p.logit_limbs.empty()) p.logit_limbs.fold_into(logits.by_class);
    if (!p.smoothing_limbs.empty()) p.smoothing_limbs.fold_into(logits.smoothing);
    if (!p.column_limbs.empty()) p.column_limbs.fold_into(logits.smoothing_by_column);
  }
  bool all_in_unit = true, keras_zero = false;
  for (const auto& p : partials) {
    all_in_unit = all_in_unit && p.all_in_unit;
    keras_zero = keras_zero || p.keras_row_sum_zero;
  }
  SufficientState batch_state = std::move(partials.front().state);
  for (std::size_t i = 1; i < partials.size(); ++i) {
    partials[i].state.batches = 1;  // merge skips empty states
    batch_state.batches = 1;
    batch_state.merge(partials[i].state);
  }
  batch_state.batches = 1;
  batch_state.has_scores = has_scores;
  batch_state.scores_in_unit_interval = has_scores && all_in_unit;
  for (int f = 0; f < kLossFamilies; ++f) {
    auto& l = batch_state.losses[f];
    if (!l.enabled) continue;
    const bool probability_family = f != static_cast<int>(LossFamily::logits);
    l.available = has_scores && (!probability_family || all_in_unit);
    if (f == static_cast<int>(LossFamily::keras_probabilities) && keras_zero) l.available = false;
  }
  state.merge(batch_state);
}

SufficientState evaluate(const MulticlassBatch& batch, const StateOptions& options) {
  SufficientState state(options);
  update(state, batch);
  return state;
}

}  // namespace metricaudit
