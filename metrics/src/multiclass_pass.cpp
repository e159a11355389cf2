// The CPU backend's one pass over a multi-class batch. Per row: one sweep for
// the argmax (first maximal index, as torch and numpy), the target's rank under
// the three tie rules, the element-wise threshold count and the domain checks;
// a second sweep over the (cache-resident) row for the log-sum-exp and the
// probability-family logs. All accumulation goes into integer counts and
// ExactSum, so the result does not depend on how rows are split or ordered.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "detail/exact_limbs.hpp"
#include "detail/loss_terms.hpp"
#include "detail/parallel.hpp"
#include "detail/row_kernels.hpp"
#include "detail/validate.hpp"
#include "metricaudit/detail/multiclass_batch.hpp"
#include "metricaudit/detail/torch_topk.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit {
namespace {

using detail::label_at;
using detail::real_at;

[[noreturn]] void fail_row(std::int64_t row, const std::string& message) {
  throw detail::RowError{row, std::make_exception_ptr(ValueRangeError(message))};
}

// The batch checks every backend shares, then the weight values (on the host here).
std::int64_t validate(const SufficientState& state, const MulticlassBatch& b) {
  const std::int64_t n = detail::check_multiclass_batch(state, b);
  if (!b.sample_weight.empty()) detail::check_weights(b.sample_weight, n);
  return n;
}

// Per-thread working state: a partial SufficientState plus flags that are
// decided for the whole batch.
struct Partial {
  SufficientState state;
  bool all_in_unit = true;
  bool keras_row_sum_zero = false;
  // A negative score was seen: Keras' categorical cross-entropy on probabilities, which
  // renormalises rows (so scores above 1 are read), is then unavailable for the batch.
  bool keras_negative = false;
  // The logits family's sums, kept as ExactSum-compatible limbs (added inline, no
  // call per row) and folded into `state` once the pass is done (fold_limbs).
  detail::LimbArray logit_limbs;
  detail::LimbArray smoothing_limbs;
  detail::LimbArray column_limbs;  // StateOptions::smoothing_columns
};

using detail::clamp;
using detail::Clip;
using detail::keras_clip;
using detail::kSklearnLegacyHi;
using detail::kSklearnLegacyLo;

// Whether a row goes through probability_terms: its scores all lie in [0, 1], or they
// are all >= 0 and Keras' categorical family, which renormalises, reads it. The rows are
// the same on every backend (cuda/src/row_sweep.hpp needs_prob_sweep), whatever the split.
inline bool probability_row(const Partial& p, bool any_prob_family, bool in_unit, bool nonneg) {
  const auto& keras = p.state.losses[static_cast<int>(LossFamily::keras_probabilities)];
  return any_prob_family && (in_unit || (nonneg && keras.enabled));
}

// The probability families of one row (scalar: on logits they are skipped; on
// probabilities they are what the caller asked for). Keras' categorical family reads
// any non-negative row (it divides by the row sum first, keras/src/backend/jax/nn.py);
// the others need every score in [0, 1].
template <typename T>
void probability_terms(Partial& p, const T* row, std::int64_t C, std::int64_t y, double w,
                       bool in_unit) {
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
      keras.by_class[y].add(w * -std::log(keras_clip(py / row_sum)));
      if (o.smoothing_terms) {
        double t = 0.0;
        for (std::int64_t c = 0; c < C; ++c) {
          t -= std::log(keras_clip(static_cast<double>(row[c]) / row_sum));
        }
        keras.smoothing.add(w * t);
      }
    }
  }
  if (!in_unit) return;
  if (sk.enabled) sk.by_class[y].add(w * -std::log(clamp(py, Clip<T>::sk_lo, Clip<T>::sk_hi)));
  if (sk_old.enabled) {
    // sklearn <= 1.1: clip to [1e-15, 1 - 1e-15], then divide by the clipped row sum.
    double clipped_sum = 0.0;
    for (std::int64_t c = 0; c < C; ++c) {
      clipped_sum += clamp(static_cast<double>(row[c]), kSklearnLegacyLo, kSklearnLegacyHi);
    }
    sk_old.by_class[y].add(w *
                           -std::log(clamp(py, kSklearnLegacyLo, kSklearnLegacyHi) / clipped_sum));
  }
  if (bce.enabled) {
    // Label smoothing y' = y (1 - e) + e / 2 splits each cell's term into
    // (1 - e) * BCE(y) + (e / 2) * (-log q - log(1 - q)) (keras/src/losses/losses.py
    // binary_crossentropy): the second part is kept as the smoothing term.
    double t = 0.0, smooth = 0.0;
    for (std::int64_t c = 0; c < C; ++c) {
      const double q = keras_clip(static_cast<double>(row[c]));
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

// The first bad row of [begin, end), once the row kernels flagged one: a label out of
// range, a nan or +inf score, a row of -inf. Its error, in row then column order, is the
// batch's (the rows before it are not folded: a batch with a bad row changes nothing).
template <typename T>
[[noreturn]] void fail_at_first_bad_row(const MulticlassBatch& b, const StateOptions& o,
                                        std::int64_t begin, std::int64_t end) {
  const std::int64_t C = o.num_classes;
  const T* const scores = static_cast<const T*>(b.scores.data);
  for (std::int64_t i = begin; i < end; ++i) {
    const std::int64_t y = label_at(b.target, i);
    if (o.ignore_index && y == *o.ignore_index) continue;
    if (y < 0 || y >= C) fail_row(i, detail::bad_target_message(o, y, i));
    const T* row = scores + i * C;
    bool finite = false;
    for (std::int64_t c = 0; c < C; ++c) {
      const T v = row[c];
      if (std::isnan(v) || v == std::numeric_limits<T>::infinity()) {
        fail_row(i, detail::bad_score_message(static_cast<double>(v), i, c));
      }
      finite = finite || v != -std::numeric_limits<T>::infinity();
    }
    if (!finite) fail_row(i, detail::masked_row_message(i));
  }
  throw Error("multiclass pass: the row kernels flagged a row of [" + std::to_string(begin) + ", " +
              std::to_string(end) + ") that the scalar checks accept");
}

// The one accumulation of a scored row: folds the row kernels' result (argmax, ranks,
// counts, log-sum-exp; detail/row_kernels.hpp) into a partial state. Counts that every
// row touches stay in members until flush(). Instantiated with and without weights: the
// unweighted fold (the common case) carries none of the weighted sums' branches.
template <typename T, bool kWeighted>
class ScoredRowFold {
 public:
  ScoredRowFold(Partial& p, const MulticlassBatch& b)
      : p_(p),
        s_(p.state),
        b_(b),
        C_(s_.num_classes()),
        threshold_(static_cast<double>(static_cast<T>(s_.options().threshold))),
        logits_(s_.losses[static_cast<int>(LossFamily::logits)]),
        want_lse_(logits_.enabled),
        smoothing_(s_.options().smoothing_terms),
        columns_(want_lse_ && s_.options().smoothing_columns),
        all_in_unit_(p.all_in_unit),
        keras_negative_(p.keras_negative) {
    for (int f = 0; f < kLossFamilies; ++f) {
      any_prob_family_ = any_prob_family_ || (f != static_cast<int>(LossFamily::logits) &&
                                              s_.losses[static_cast<std::size_t>(f)].enabled);
    }
    if (want_lse_ && p.logit_limbs.empty()) p.logit_limbs.resize(C_);
    if (want_lse_ && smoothing_ && p.smoothing_limbs.empty()) p.smoothing_limbs.resize(1);
    if (columns_ && p.column_limbs.empty()) p.column_limbs.resize(C_);
    const StateOptions& o = s_.options();
    for (std::size_t j = 0; j < o.top_k.size(); ++j) {
      topk_.push_back({o.top_k[j], s_.topk_hits_by_class[j].data(),
                       s_.topk_misses_by_predicted[j].data(),
                       o.topk_sets ? s_.topk_set_by_class[j].data() : nullptr});
    }
  }

  /// Whether the kernels must compute the log-sum-exp (the logits family is kept).
  bool want_lse() const { return want_lse_; }
  void ignore(std::int64_t rows) { ignored_ += rows; }

  __attribute__((always_inline)) void operator()(std::int64_t i, const T* row, std::int64_t y,
                                                 const detail::RowResult& r) {
    const double w = kWeighted ? real_at(b_.sample_weight, i) : 1.0;
    const std::int64_t argmax = r.argmax;
    ++samples_;
    ++support_[y];
    ++predicted_[argmax];
    const bool hit1 = argmax == y;
    tp_[y] += hit1;
    const std::int64_t rank_index = r.greater + r.ties_below;
    ++hist0_[rank_index];
    ++hist1_[r.greater + r.ties_above];
    ++hist2_[r.greater];
    for (std::size_t j = 0; j < topk_.size(); ++j) {
      // Branch-free where the data decides (hits are unpredictable on real scores); only
      // the rare boundary tie branches off to torch's selection.
      const std::int64_t k = topk_[j].k;
      const bool first = k == 1;  // torchmetrics takes the argmax at top_k = 1
      const bool sure_miss = r.greater >= k;
      const bool sure_hit = r.greater + r.ties_below + r.ties_above < k;
      bool hit = first ? rank_index == 0 : sure_hit;
      if (!first && !sure_miss && !sure_hit) [[unlikely]] {
        ++s_.topk_boundary_ties[j];
        hit = detail::torch_topk_contains(row, C_, k, y);
      }
      topk_[j].hits[y] += hit;
      topk_[j].misses[argmax] += !hit;
      if (kWeighted && hit) s_.w_topk_hits[j].add(w);
      if (topk_[j].set) [[unlikely]] {
        count_topk_set(topk_[j].set, row, C_, k, argmax);
      }
    }
    const T zy = row[y];
    const std::int64_t correct_cells =
        C_ - 1 - r.above + 2 * (static_cast<double>(zy) > threshold_);
    elementwise_ += correct_cells;
    if (confusion_) ++confusion_[static_cast<std::size_t>(y * C_ + argmax)];
    if (kWeighted) {
      s_.w_support[y].add(w);
      s_.w_predicted[argmax].add(w);
      if (hit1) s_.w_tp[y].add(w);
      s_.w_total.add(w);
      s_.w_elementwise_correct.add(w * static_cast<double>(correct_cells));
      add_weighted_rank_hits(s_, r.greater, r.ties_below, r.ties_above, w);
    }
    all_in_unit_ = all_in_unit_ && r.in_unit;
    keras_negative_ = keras_negative_ || !r.nonneg;
    if (want_lse_) {
      if (std::isinf(static_cast<double>(zy))) {
        ++logits_.infinite_terms;
      } else {
        p_.logit_limbs.add(y, w * (r.lse - static_cast<double>(zy)));
      }
      if (smoothing_) {
        if (r.masked) {
          ++logits_.infinite_smoothing;
        } else {
          // sum_c -log softmax(z)_c = C * lse - sum_c z_c
          p_.smoothing_limbs.add(0, w * (static_cast<double>(C_) * r.lse - r.sum_z));
        }
      }
      if (columns_) [[unlikely]] {
        smoothing_columns(row, C_, r.lse, w, logits_.infinite_by_column,
                          [&](std::int64_t c, double x) { p_.column_limbs.add(c, x); });
      }
    }
    if (probability_row(p_, any_prob_family_, r.in_unit, r.nonneg)) {
      probability_terms<T>(p_, row, C_, y, w, r.in_unit);
    }
  }

  /// Moves the member counts into the partial state.
  void flush() {
    s_.samples += samples_;
    s_.ignored += ignored_;
    s_.elementwise_correct += elementwise_;
    p_.all_in_unit = all_in_unit_;
    p_.keras_negative = keras_negative_;
    samples_ = ignored_ = elementwise_ = 0;
  }

 private:
  // Per requested k: k, and where its hits and misses go (fixed for the pass).
  struct TopK {
    std::int64_t k;
    std::int64_t* hits;
    std::int64_t* misses;
    std::int64_t* set;  // null unless StateOptions::topk_sets
  };
  Partial& p_;
  SufficientState& s_;
  const MulticlassBatch& b_;
  const std::int64_t C_;
  const double threshold_;
  LossSums& logits_;
  const bool want_lse_, smoothing_, columns_;
  bool any_prob_family_ = false;
  std::int64_t* const support_ = s_.support.data();
  std::int64_t* const predicted_ = s_.predicted.data();
  std::int64_t* const tp_ = s_.tp.data();
  std::int64_t* const hist0_ = s_.rank_histogram[static_cast<int>(TieRule::index_order)].data();
  std::int64_t* const hist1_ =
      s_.rank_histogram[static_cast<int>(TieRule::high_index_first)].data();
  std::int64_t* const hist2_ = s_.rank_histogram[static_cast<int>(TieRule::optimistic)].data();
  std::int64_t* const confusion_ = s_.confusion.empty() ? nullptr : s_.confusion.data();
  std::vector<TopK> topk_;
  std::int64_t samples_ = 0, ignored_ = 0, elementwise_ = 0;
  bool all_in_unit_, keras_negative_;
};

// The pass proper over rows [begin, end): the row kernels K compute each row, the fold
// accumulates it. A row the kernels flag (nan, +inf, a row of -inf) or a bad target ends
// the range: fail_at_first_bad_row reports the first error in row order.
template <typename T, typename K, bool kWeighted>
void score_rows_fast(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
  const StateOptions& o = p.state.options();
  const std::int64_t C = o.num_classes;
  const T* const scores = static_cast<const T*>(b.scores.data);
  const double threshold = static_cast<double>(static_cast<T>(o.threshold));
  ScoredRowFold<T, kWeighted> fold(p, b);
  const bool want_lse = fold.want_lse();
  auto ignored = [&](std::int64_t y) { return o.ignore_index && y == *o.ignore_index; };
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
        if (ignored(y)) {
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
      if (stop) fail_at_first_bad_row<T>(b, o, i, end);
      for (int l = 0; l < n; ++l) fold(idx[l], rows[l], ys[l], res.row(l));
      fold.ignore(block_ignored);
      i = next;
    }
  } else {
    detail::RowResult r;
    for (; i < end; ++i) {
      const std::int64_t y = label_at(b.target, i);
      if (ignored(y)) {
        fold.ignore(1);
        continue;
      }
      if (!target_ok(y)) fail_at_first_bad_row<T>(b, o, i, end);
      const T* row = scores + i * C;
      K::template row1<T>(row, y, C, threshold, want_lse, r);
      if (r.bad) fail_at_first_bad_row<T>(b, o, i, end);
      fold(i, row, y, r);
    }
  }
  fold.flush();
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
    if (y < 0 || y >= C) fail_row(i, detail::bad_target_message(o, y, i));
    const std::int64_t pred = label_at(b.predicted, i);
    if (pred < 0 || pred >= C) fail_row(i, detail::bad_prediction_message(C, pred, i));
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
  const std::int64_t n = validate(state, batch);
  const bool has_scores = !batch.scores.empty();
  const bool weighted = !batch.sample_weight.empty();
  const std::int64_t element = has_scores ? (batch.scores.dtype == DType::float32 ? 4 : 8) : 8;
  auto make = [&] {
    Partial p{SufficientState(state.options()), true, false, false, {}, {}, {}};
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
  auto partials = detail::parallel_rows<Partial>(
      n, detail::chunk_rows(has_scores ? state.num_classes() : 1, element), state.options().threads,
      make, body);

  for (auto& p : partials) {
    auto& logits = p.state.losses[static_cast<int>(LossFamily::logits)];
    if (!p.logit_limbs.empty()) p.logit_limbs.fold_into(logits.by_class);
    if (!p.smoothing_limbs.empty()) p.smoothing_limbs.fold_into(logits.smoothing);
    if (!p.column_limbs.empty()) p.column_limbs.fold_into(logits.smoothing_by_column);
  }
  bool all_in_unit = true, keras_zero = false, keras_negative = false;
  for (const auto& p : partials) {
    all_in_unit = all_in_unit && p.all_in_unit;
    keras_zero = keras_zero || p.keras_row_sum_zero;
    keras_negative = keras_negative || p.keras_negative;
  }
  SufficientState batch_state = std::move(partials.front().state);
  for (std::size_t i = 1; i < partials.size(); ++i) {
    partials[i].state.batches = 1;  // merge skips empty states
    batch_state.batches = 1;
    batch_state.merge(partials[i].state);
  }
  detail::finish_batch(batch_state, has_scores, all_in_unit, keras_zero, keras_negative);
  state.merge(batch_state);
}

SufficientState evaluate(const MulticlassBatch& batch, const StateOptions& options) {
  SufficientState state(options);
  update(state, batch);
  return state;
}

}  // namespace metricaudit
