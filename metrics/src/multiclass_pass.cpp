// The CPU backend's one pass over a multi-class batch. Per row: one sweep for
// the argmax (first maximal index, as torch and numpy), the target's rank under
// the three tie rules, the element-wise threshold count and the domain checks;
// a second sweep over the (cache-resident) row for the log-sum-exp and the
// probability-family logs. Float32 scores take the float32 kernels (error bound in
// detail/row_kernels_f32.inc), float64 scores the double ones. All accumulation goes
// into integer counts and exact sums (detail/fast_exact_sums.hpp, then ExactSum), so
// the result does not depend on how rows are split or ordered.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "detail/fast_exact_sums.hpp"
#include "detail/loss_terms.hpp"
#include "detail/parallel.hpp"
#include "detail/row_kernels.hpp"
#include "detail/tiny_scores.hpp"
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
  // The logits family's sums: a fast exact tier per entry, moved into `state`'s
  // ExactSums as it fills and once the pass is done (flush_fast_sums).
  detail::FastExactSums logit_sums;     // per target class
  detail::FastExactSums smoothing_sum;  // one entry
  detail::FastExactSums column_sums;    // StateOptions::smoothing_columns, per column
  // update()'s tiny_rows was asked for: the scored rows holding a zero or a subnormal
  // score, in row order within this thread's chunks.
  bool track_tiny = false;
  std::vector<std::int64_t> tiny_rows;

  void flush_fast_sums() {
    auto& logits = state.losses[static_cast<int>(LossFamily::logits)];
    if (!logit_sums.empty()) logit_sums.flush_into(logits.by_class.data());
    if (!smoothing_sum.empty()) smoothing_sum.flush_into(&logits.smoothing);
    if (!column_sums.empty()) column_sums.flush_into(logits.smoothing_by_column.data());
  }
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

// -log softmax(z)_c = lse - z_c, with lse in the kernels' two parts (RowResult).
inline double neg_log_softmax(const detail::RowResult& r, double z) {
  return (r.lse_hi - z) + r.lse_lo;
}

// StateOptions::smoothing_columns: w * -log softmax(z)_c for each column, handed to
// `add`; a -inf logit makes that term +inf, counted per column instead.
template <typename T, typename Add>
void smoothing_columns(const T* row, std::int64_t C, const detail::RowResult& r, double w,
                       std::vector<std::int64_t>& infinite, Add&& add) {
  for (std::int64_t c = 0; c < C; ++c) {
    const double v = static_cast<double>(row[c]);
    if (std::isinf(v)) {
      ++infinite[static_cast<std::size_t>(c)];
    } else {
      add(c, w * neg_log_softmax(r, v));
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
// unweighted fold (the common case) carries none of the weighted sums' branches. Top-1
// hits and misses are not counted here: they are tp and predicted - tp (update()).
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
        keras_negative_(p.keras_negative),
        tiny_(p.track_tiny ? &p.tiny_rows : nullptr) {
    for (int f = 0; f < kLossFamilies; ++f) {
      any_prob_family_ = any_prob_family_ || (f != static_cast<int>(LossFamily::logits) &&
                                              s_.losses[static_cast<std::size_t>(f)].enabled);
    }
    if (want_lse_ && p.logit_sums.empty()) p.logit_sums.resize(C_);
    if (want_lse_ && smoothing_ && p.smoothing_sum.empty()) p.smoothing_sum.resize(1);
    if (columns_ && p.column_sums.empty()) p.column_sums.resize(C_);
    const StateOptions& o = s_.options();
    plain_ = !kWeighted && confusion_ == nullptr && !o.topk_sets && !columns_;
    for (std::size_t j = 0; j < o.top_k.size(); ++j) {
      TopK t{o.top_k[j], j, s_.topk_hits_by_class[j].data(), s_.topk_misses_by_predicted[j].data(),
             o.topk_sets ? s_.topk_set_by_class[j].data() : nullptr};
      // k = 1 needs per-row work only for its weighted sum or its predicted set.
      if (t.k > 1) {
        topk_.push_back(t);
      } else if (kWeighted || t.set) {
        top1_.push_back(t);
      }
    }
  }

  /// Whether the kernels must compute the log-sum-exp (the logits family is kept).
  bool want_lse() const { return want_lse_; }
  /// Whether block8 may fold rows: unweighted, and no option that adds per-row work
  /// beyond the counts, the top-k hits and the logits family's sums.
  bool plain() const { return plain_; }
  /// Whether the rows holding a zero or a subnormal are recorded (RowResult::tiny).
  bool tracks_tiny() const { return tiny_ != nullptr; }
  void ignore(std::int64_t rows) { ignored_ += rows; }

  /// Folds eight consecutive rows from `first` (rows8's results, none special) under
  /// plain() options: what operator() does, with the block's totals from the kernel.
  void block8(std::int64_t first, const T* first_row, const int* y8, const detail::RowBlock8& r) {
    // The default options keep one k > 1 (top-5): its pointers in registers.
    if (topk_.size() == 1) {
      block8_with(first_row, y8, r, topk_.data(), std::integral_constant<std::size_t, 1>{});
    } else {
      block8_with(first_row, y8, r, topk_.data(), topk_.size());
    }
    if (r.any_tiny && tiny_) [[unlikely]] {
      for (int l = 0; l < 8; ++l) {
        if (r.tiny[l]) tiny_->push_back(first + l);
      }
    }
  }
  __attribute__((always_inline)) void operator()(std::int64_t i, const T* row, std::int64_t y,
                                                 const detail::RowResult& r) {
    const double w = kWeighted ? real_at(b_.sample_weight, i) : 1.0;
    const std::int64_t argmax = r.argmax;
    if (r.tiny && tiny_) [[unlikely]] {
      tiny_->push_back(i);
    }
    ++samples_;
    ++support_[y];
    ++predicted_[argmax];
    const bool hit1 = argmax == y;
    tp_[y] += hit1;
    const std::int64_t rank_index = r.greater + r.ties_below;
    ++hist0_[rank_index];
    ++hist1_[r.greater + r.ties_above];
    ++hist2_[r.greater];
    for (const TopK& t : top1_) {
      if (kWeighted && hit1) s_.w_topk_hits[t.j].add(w);
      if (t.set) ++t.set[argmax];  // torchmetrics takes the argmax at top_k = 1
    }
    for (const TopK& t : topk_) {
      // Branch-free where the data decides (hits are unpredictable on real scores); only
      // the rare boundary tie branches off to torch's selection.
      const std::int64_t k = t.k;
      const bool sure_miss = r.greater >= k;
      bool hit = r.greater + r.ties_below + r.ties_above < k;
      if (!sure_miss && !hit) [[unlikely]] {
        ++s_.topk_boundary_ties[t.j];
        hit = detail::torch_topk_contains(row, C_, k, y);
      }
      t.hits[y] += hit;
      t.misses[argmax] += !hit;
      if (kWeighted && hit) s_.w_topk_hits[t.j].add(w);
      if (t.set) [[unlikely]] {
        count_topk_set(t.set, row, C_, k, argmax);
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
        p_.logit_sums.add(y, w * neg_log_softmax(r, static_cast<double>(zy)),
                          logits_.by_class.data());
      }
      if (smoothing_) {
        if (r.masked) {
          ++logits_.infinite_smoothing;
        } else {
          // sum_c -log softmax(z)_c (the kernels' smoothing term)
          p_.smoothing_sum.add(0, w * r.smoothing, &logits_.smoothing);
        }
      }
      if (columns_) [[unlikely]] {
        smoothing_columns(row, C_, r, w, logits_.infinite_by_column, [&](std::int64_t c, double x) {
          p_.column_sums.add(c, x, logits_.smoothing_by_column.data());
        });
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

  template <typename Count>
  __attribute__((always_inline)) void block8_with(const T* first_row, const int* y8,
                                                  const detail::RowBlock8& r, const auto* topk,
                                                  Count topks) {
    std::int64_t* const support = support_;
    std::int64_t* const predicted = predicted_;
    std::int64_t* const tp = tp_;
    std::int64_t* const hist0 = hist0_;
    std::int64_t* const hist1 = hist1_;
    std::int64_t* const hist2 = hist2_;
    const auto loss_sums = p_.logit_sums.reserve(want_lse_ ? 8 : 0, logits_.by_class.data());
    const auto smoothing_sum =
        p_.smoothing_sum.reserve(want_lse_ && smoothing_ ? 8 : 0, &logits_.smoothing);
    const std::size_t n_topk = topks;
    for (int l = 0; l < 8; ++l) {
      const std::int64_t y = y8[l], argmax = r.argmax[l], greater = r.greater[l];
      const std::int64_t below = r.ties_below[l], after = r.ties_above[l];
      ++support[y];
      ++predicted[argmax];
      tp[y] += argmax == y;
      ++hist0[greater + below];
      ++hist1[greater + after];
      ++hist2[greater];
      for (std::size_t j = 0; j < n_topk; ++j) {
        const std::int64_t k = topk[j].k;
        bool hit = greater + below + after < k;
        if (greater < k && !hit) [[unlikely]] {
          ++s_.topk_boundary_ties[topk[j].j];
          hit = detail::torch_topk_contains(first_row + l * C_, C_, k, y);
        }
        topk[j].hits[y] += hit;
        topk[j].misses[argmax] += !hit;
      }
      if (want_lse_) {
        loss_sums.add(y, r.loss[l]);
        if (smoothing_) smoothing_sum.add(0, r.smoothing[l]);
      }
    }
    samples_ += 8;
    elementwise_ += r.correct_cells;
    if (r.any_nonneg) [[unlikely]] {
      for (int l = 0; l < 8; ++l) {
        if (probability_row(p_, any_prob_family_, r.in_unit[l] != 0, r.nonneg[l] != 0)) {
          probability_terms<T>(p_, first_row + l * C_, C_, y8[l], 1.0, r.in_unit[l] != 0);
        }
      }
    }
    keras_negative_ = keras_negative_ || !r.all_nonneg;
    if (all_in_unit_) {
      for (int l = 0; l < 8; ++l) all_in_unit_ = all_in_unit_ && r.in_unit[l] != 0;
    }
  }

 private:
  // Per requested k: k, its index j in options().top_k, and where its counts go.
  struct TopK {
    std::int64_t k;
    std::size_t j;
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
  std::vector<TopK> topk_;  // k > 1
  std::vector<TopK> top1_;  // k = 1, when weighted or with topk_sets
  std::int64_t samples_ = 0, ignored_ = 0, elementwise_ = 0;
  bool all_in_unit_, keras_negative_;
  std::vector<std::int64_t>* const tiny_;  // Partial::tiny_rows when tracked, else null
  bool plain_ = false;
};

// Scores the pass reads next, asked for kPrefetchRows rows ahead: the float32 kernels'
// contiguous blocks of eight rows (C <= 16) read the rows by gathers, which the hardware
// prefetcher does not follow, and stalled on memory. bench_pass, one thread, this VM (AMD
// EPYC): full/f32/1e7x10 293 -> 242 ms, counts 182 -> 129 ms; the distance (16 to 128
// rows) made no difference. Measured without a gain, so not done: the next row of the
// wide-row kernel (1e6 x 1000, plain loads the prefetcher follows) and the double
// kernels' four-row walk (float64 1e7 x 10, noise larger than any change).
constexpr std::int64_t kPrefetchRows = 32;

template <typename T>
inline void prefetch(const T* first, std::int64_t count) {
  const char* p = reinterpret_cast<const char*>(first);
  const auto bytes = static_cast<std::size_t>(count) * sizeof(T);
  for (std::size_t k = 0; k < bytes; k += 64) __builtin_prefetch(p + k);
}

// The rows of [begin, end) that a pass scores, in order: labels checked against C and
// ignore_index (a row with a bad label ends the walk: fail_at_first_bad_row reports it).
// Hands `visit(n, rows, ys, idx)` blocks of up to kLanes scored rows, and the fold the
// ignored ones.
template <int kLanes, typename T, typename Fold, typename Visit>
void walk_rows(const MulticlassBatch& b, const StateOptions& o, std::int64_t begin,
               std::int64_t end, Fold& fold, Visit&& visit) {
  const std::int64_t C = o.num_classes;
  const T* const scores = static_cast<const T*>(b.scores.data);
  const T* rows[kLanes];
  std::int64_t ys[kLanes], idx[kLanes];
  std::int64_t i = begin;
  while (i < end) {
    int n = 0;
    std::int64_t next = i, block_ignored = 0;
    while (n < kLanes && next < end) {
      const std::int64_t y = label_at(b.target, next);
      if (o.ignore_index && y == *o.ignore_index) {
        ++block_ignored;
        ++next;
        continue;
      }
      if (y < 0 || y >= C) {
        if (n) visit(n, rows, ys, idx);
        fold.ignore(block_ignored);
        fail_at_first_bad_row<T>(b, o, next, end);
      }
      rows[n] = scores + next * C;
      ys[n] = y;
      idx[n] = next;
      ++n;
      ++next;
    }
    if (n) visit(n, rows, ys, idx);
    fold.ignore(block_ignored);
    i = next;
  }
}

// The double kernels K over rows [begin, end) (float64 scores, and float32 rows that
// the float32 kernels flag). A row they flag as bad (nan, +inf, a row of -inf) ends
// the range: fail_at_first_bad_row reports the first error in row order.
template <typename T, typename K, bool kWeighted>
void score_rows_double(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
  const StateOptions& o = p.state.options();
  const std::int64_t C = o.num_classes;
  const double threshold = static_cast<double>(static_cast<T>(o.threshold));
  ScoredRowFold<T, kWeighted> fold(p, b);
  const bool want_lse = fold.want_lse();
  const bool tiny = fold.tracks_tiny();  // the double kernels leave RowResult::tiny false
  if (C <= detail::kRowLanesMaxClasses) {
    // Four rows per packet; spare lanes repeat a real row, their results dropped.
    detail::RowBlock res;
    walk_rows<4, T>(
        b, o, begin, end, fold,
        [&](int n, const T* const* rows, const std::int64_t* ys, const std::int64_t* idx) {
          const T* r4[4];
          long long y4[4];
          for (int l = 0; l < 4; ++l) {
            r4[l] = rows[l < n ? l : 0];
            y4[l] = ys[l < n ? l : 0];
          }
          K::template rows4<T>(r4, y4, C, threshold, want_lse, res);
          for (int l = 0; l < n; ++l) {
            if (res.bad[l]) fail_at_first_bad_row<T>(b, o, idx[0], end);
          }
          for (int l = 0; l < n; ++l) {
            detail::RowResult r = res.row(l);
            r.tiny = tiny && detail::row_has_tiny(rows[l], C);
            fold(idx[l], rows[l], ys[l], r);
          }
        });
  } else {
    detail::RowResult r;
    walk_rows<1, T>(
        b, o, begin, end, fold,
        [&](int, const T* const* rows, const std::int64_t* ys, const std::int64_t* idx) {
          K::template row1<T>(rows[0], ys[0], C, threshold, want_lse, r);
          if (r.bad) fail_at_first_bad_row<T>(b, o, idx[0], end);
          r.tiny = tiny && detail::row_has_tiny(rows[0], C);
          fold(idx[0], rows[0], ys[0], r);
        });
  }
  fold.flush();
}

// The float32 kernels over rows [begin, end) of float32 scores. A row they flag as
// special (a non-finite score, sums beyond float32) is recomputed by the double kernel
// row1 (the same for every such row, whatever its block), which reports bad rows.
// kTiny: the kernels also flag the rows holding a zero or a subnormal (the fold records
// them: update's tiny_rows); without it they spend nothing on it.
template <typename K, bool kWeighted, bool kLse, bool kTiny>
void score_rows_f32(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end,
                    ScoredRowFold<float, kWeighted>& fold) {
  const StateOptions& o = p.state.options();
  const std::int64_t C = o.num_classes;
  const int c32 = static_cast<int>(C);
  const float threshold = static_cast<float>(o.threshold);
  const float* const scores = static_cast<const float*>(b.scores.data);
  auto fold_row = [&](std::int64_t i, const float* row, std::int64_t y,
                      const detail::RowResult& r) {
    if (r.bad) [[unlikely]] {
      detail::RowResult d;
      K::template row1<float>(row, y, C, static_cast<double>(threshold), kLse, d);
      if (d.bad) fail_at_first_bad_row<float>(b, o, i, end);
      d.tiny = r.tiny;  // the float32 sweep saw every score of the row
      fold(i, row, y, d);
      return;
    }
    fold(i, row, y, r);
  };
  if (C > detail::kRowLanesMaxClasses) {
    detail::RowResult r;
    walk_rows<1, float>(
        b, o, begin, end, fold,
        [&](int, const float* const* rows, const std::int64_t* ys, const std::int64_t* idx) {
          K::template row1_f32<kLse, kTiny>(rows[0], static_cast<int>(ys[0]), c32, threshold, r);
          fold_row(idx[0], rows[0], ys[0], r);
        });
    return;
  }
  detail::RowBlock8 res;
  int y8[8];
  std::int64_t i = begin;
  if (!kWeighted && !o.ignore_index) {
    // The default options: contiguous blocks of eight rows whose labels all lie in
    // [0, C); the first block with another label goes to the walk below.
    const bool plain = fold.plain();
    auto blocks = [&](const auto* t) {
      for (; i + 8 <= end; i += 8) {
        bool out_of_range = false;
        for (int l = 0; l < 8; ++l) {
          const std::int64_t y = t[i + l];
          out_of_range |= static_cast<std::uint64_t>(y) >= static_cast<std::uint64_t>(C);
          y8[l] = static_cast<int>(y);
        }
        if (out_of_range) return;
        if (i + kPrefetchRows + 8 <= end) prefetch(scores + (i + kPrefetchRows) * C, 8 * C);
        K::template rows8_strided<kLse, kTiny>(scores + i * C, y8, c32, threshold, res);
        if (plain && !res.any_special) {
          fold.block8(i, scores + i * C, y8, res);
        } else {
          for (int l = 0; l < 8; ++l) fold_row(i + l, scores + (i + l) * C, y8[l], res.row(l));
        }
      }
    };
    if (b.target.dtype == DType::int32) {
      blocks(static_cast<const std::int32_t*>(b.target.data));
    } else {
      blocks(static_cast<const std::int64_t*>(b.target.data));
    }
  }
  walk_rows<8, float>(
      b, o, i, end, fold,
      [&](int n, const float* const* rows, const std::int64_t* ys, const std::int64_t* idx) {
        const float* r8[8];
        for (int l = 0; l < 8; ++l) {
          r8[l] = rows[l < n ? l : 0];
          y8[l] = static_cast<int>(ys[l < n ? l : 0]);
        }
        K::template rows8_scattered<kLse, kTiny>(r8, y8, c32, threshold, res);
        for (int l = 0; l < n; ++l) fold_row(idx[l], rows[l], ys[l], res.row(l));
      });
}

template <typename K, bool kWeighted>
void score_rows_f32(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
  ScoredRowFold<float, kWeighted> fold(p, b);
  const bool tiny = fold.tracks_tiny();
  if (fold.want_lse() && tiny) {
    score_rows_f32<K, kWeighted, true, true>(p, b, begin, end, fold);
  } else if (fold.want_lse()) {
    score_rows_f32<K, kWeighted, true, false>(p, b, begin, end, fold);
  } else if (tiny) {
    score_rows_f32<K, kWeighted, false, true>(p, b, begin, end, fold);
  } else {
    score_rows_f32<K, kWeighted, false, false>(p, b, begin, end, fold);
  }
  fold.flush();
}

// The float32 kernels count in int32 lanes, and their error bound counts on fewer than
// 2^24 columns (docs/float32-log-sum-exp.md); wider rows take the double kernels.
constexpr std::int64_t kFloat32KernelsMaxClasses = std::int64_t{1} << 24;

template <typename K, bool kWeighted>
void score_rows_with(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
  if (b.scores.dtype == DType::float32 && p.state.num_classes() <= kFloat32KernelsMaxClasses) {
    score_rows_f32<K, kWeighted>(p, b, begin, end);
  } else if (b.scores.dtype == DType::float32) {
    score_rows_double<float, K, kWeighted>(p, b, begin, end);
  } else {
    score_rows_double<double, K, kWeighted>(p, b, begin, end);
  }
}

template <typename K>
void score_rows_with(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
  if (b.sample_weight.empty()) {
    score_rows_with<K, false>(p, b, begin, end);
  } else {
    score_rows_with<K, true>(p, b, begin, end);
  }
}

void score_rows(Partial& p, const MulticlassBatch& b, std::int64_t begin, std::int64_t end) {
#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
  if (detail::use_avx2_kernels()) {
    score_rows_with<detail::avx2::Kernels>(p, b, begin, end);
    return;
  }
#endif
  score_rows_with<detail::portable::Kernels>(p, b, begin, end);
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
      // A label answers top-1 only; its hits and misses are tp and predicted - tp (update).
      if (o.top_k[j] != 1) continue;
      if (hit && weighted) {
        s.w_topk_hits[j].add(w);
        // A label has no rank: a right one is a top-1 hit under every tie rule.
        for (auto& by_rule : s.w_topk_hits_by_rule) by_rule[j].add(w);
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

// Top-1 (torchmetrics takes the first-index argmax, and a label is its own
// prediction): a hit is a row whose prediction is its target, so per class the hits
// are tp and the misses predicted - tp. Set once per batch instead of per row.
void count_top1(SufficientState& s) {
  const auto& ks = s.options().top_k;
  for (std::size_t j = 0; j < ks.size(); ++j) {
    if (ks[j] != 1) continue;
    s.topk_hits_by_class[j] = s.tp;
    auto& misses = s.topk_misses_by_predicted[j];
    for (std::size_t c = 0; c < misses.size(); ++c) misses[c] = s.predicted[c] - s.tp[c];
  }
}

}  // namespace

void update(SufficientState& state, const MulticlassBatch& batch,
            std::vector<std::int64_t>* tiny_rows) {
  const std::int64_t n = validate(state, batch);
  const bool has_scores = !batch.scores.empty();
  const bool weighted = !batch.sample_weight.empty();
  const std::int64_t element = has_scores ? (batch.scores.dtype == DType::float32 ? 4 : 8) : 8;
  auto make = [&] {
    Partial p{SufficientState(state.options()),   true, false, false, {}, {}, {},
              tiny_rows != nullptr && has_scores, {}};
    if (weighted) p.state.promote_to_weighted();
    return p;
  };
  auto body = [&](Partial& p, std::int64_t begin, std::int64_t end) {
    if (has_scores) {
      score_rows(p, batch, begin, end);
    } else {
      label_rows(p, batch, begin, end);
    }
  };
  auto partials = detail::parallel_rows<Partial>(
      n, detail::chunk_rows(has_scores ? state.num_classes() : 1, element), state.options().threads,
      make, body);

  for (auto& p : partials) p.flush_fast_sums();
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
  count_top1(batch_state);
  detail::finish_batch(batch_state, has_scores, all_in_unit, keras_zero, keras_negative);
  if (tiny_rows) *tiny_rows = detail::merged_tiny_rows(partials);
  state.merge(batch_state);
}

SufficientState evaluate(const MulticlassBatch& batch, const StateOptions& options) {
  SufficientState state(options);
  update(state, batch);
  return state;
}

}  // namespace metricaudit
