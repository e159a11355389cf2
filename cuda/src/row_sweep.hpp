// The GPU backend's algorithm, shared by the CUDA kernel (pass_cuda.cu) and its
// mirror on Thrust's OpenMP device system (pass_omp.cpp). Everything here is
// __host__ __device__ and free of Thrust, so both builds run the same code.
//
// Per row, a group of G "lanes" (threads on CUDA, simulated on OpenMP) splits the
// row's C scores round-robin (lane l reads columns l, l + G, ...). Each lane
// folds its scores into a RowAcc: max / first-index argmax, the online
// (max-rescaled) sum of exp, the counts that give the target's rank under the
// three tie rules (strictly greater, ties below and above the target's index),
// the element-wise threshold count and the sums the losses need. The lanes'
// RowAccs are then combined by a butterfly (lane i merges with lane i ^ s for
// s = 1, 2, 4, ...). `merge` is commutative bit for bit, so after the butterfly
// every lane holds the same result, equal to a binary tree over the lane index:
// the OpenMP mirror computes that tree and gets the same bits (up to exp/log).
// Rows whose scores all lie in [0, 1] then run a second sweep for the
// probability-family losses (they need the row sum first).
//
// Lane 0 then emits the row: integer counts, and loss / weight terms as the
// digits of ExactSum (detail/exact_digits.hpp), into one flat int64 accumulator
// described by Layout. The Sink decides how (shared-memory or global atomics on
// CUDA, host atomics on OpenMP); any order of integer adds gives the same bits.
//
// Top-k for k > 1 follows torch.topk (TieRule::torch_topk): a row whose target
// ties with other classes across the k boundary is decided by libstdc++'s
// nth_element / partial_sort, which no device runs. Such a row counts in
// topk_boundary_ties and is *deferred*: lane 0 appends a DeferredRow (row,
// target, argmax, weight, a bitmask of the undecided k) to a bounded buffer, and
// the host decides it afterwards with detail::torch_topk_contains (pass_host.cpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <cuda/std/limits>

#include "metricaudit/detail/exact_digits.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit::gpu_detail {

using detail::ExactDigits;
using detail::kExactLimbs;

inline constexpr int kMaxTopK = 16;      // fits DeferredRow::k_mask
inline constexpr int kBlockLanes = 256;  // lanes per row when a block takes one row

/// Lanes per row for C classes: sub-warp groups for small C (each lane reads a
/// few scores, several rows per warp), a warp up to 4096 classes, a block of 256
/// threads beyond (one row per block; rows are not split across blocks).
METRICAUDIT_HD inline int lanes_for(std::int64_t classes) {
  if (classes <= 3) return 1;
  if (classes <= 16) return 4;
  if (classes <= 64) return 8;
  if (classes <= 4096) return 32;
  return kBlockLanes;
}

/// Offsets of every accumulated quantity in one flat int64 array; -1 = not kept.
/// A count takes one slot; an ExactSum takes kExactLimbs consecutive slots (its
/// carry-save limbs). Per-batch scalars come first, then the per-class arrays,
/// then the confusion matrix, so a prefix can be privatised in shared memory.
struct Layout {
  // scalars
  std::int64_t samples = -1, ignored = -1, elementwise = -1, not_in_unit = -1, keras_zero = -1;
  std::int64_t negative = -1;  // rows with a negative score (Keras' categorical family)
  std::int64_t inf_terms = -1, inf_smoothing = -1;  // LossFamily::logits only
  std::int64_t smoothing[kLossFamilies] = {-1, -1, -1, -1, -1};
  std::int64_t w_total = -1, w_elementwise = -1, w_topk = -1;  // w_topk + j * kExactLimbs
  // Weighted top-k hits per tie rule with a histogram: + (rule * K + j) * kExactLimbs.
  std::int64_t w_rank_topk = -1;
  std::int64_t topk_ties = -1;  // topk_ties + j: rows tied across the k boundary
  std::int64_t scalars_end = 0;
  // per class: counts at base + c (top-k: base + j * C + c), sums at base + c * kExactLimbs
  std::int64_t tp = -1, predicted = -1, support = -1, rank[kTieRules] = {-1, -1, -1};
  std::int64_t topk_hits = -1, topk_misses = -1;
  std::int64_t by_class[kLossFamilies] = {-1, -1, -1, -1, -1};
  std::int64_t w_tp = -1, w_predicted = -1, w_support = -1;
  std::int64_t per_class_end = 0;
  std::int64_t confusion = -1;  // target * C + argmax
  std::int64_t total = 0;
};

/// Everything a row needs, passed by value to the kernel.
struct PassParams {
  const void* scores = nullptr;  // nullptr: predicted labels instead
  const void* target = nullptr;
  const void* predicted = nullptr;
  const void* weight = nullptr;  // nullptr: unweighted
  bool scores64 = false, target64 = false, predicted64 = false, weight64 = false;
  std::int64_t rows = 0;  // rows in this launch
  std::int64_t row0 = 0;  // index of the launch's first row in the batch (for error keys)
  std::int64_t classes = 0;
  bool has_ignore = false;
  std::int64_t ignore_index = 0;
  double threshold = 0.5;  // rounded to the scores' dtype by the caller
  int topk_count = 0;
  int topk[kMaxTopK] = {};
  bool family[kLossFamilies] = {};
  bool any_probability_family = false;
  bool smoothing = false;
  // Clip bounds: sklearn's in the scores' dtype, Keras' in float32 (pass_host.cpp set_clip).
  double keras_lo = 0, keras_hi = 1, sk_lo = 0, sk_hi = 1;
  Layout layout;
};

/// A row whose top-k outcome the host decides (torch.topk's tie rule), for the
/// k whose bit is set in k_mask (bit j: PassParams::topk[j]). Appended by lane 0
/// to a buffer of bounded capacity; the count keeps rising past the capacity, so
/// the host sees an overflow and re-runs the launch in smaller pieces.
struct DeferredRow {
  std::int64_t row;     // index in the batch (PassParams::row0 included)
  std::int64_t target;  // its label
  std::int64_t argmax;  // first-index argmax (a miss counts against it)
  double weight;        // its sample weight (1 when unweighted)
  std::uint32_t k_mask;
};

// ---- error keys -------------------------------------------------------------
// One 64-bit key orders every row error the way the CPU pass reports them: by
// row, then within a row the label check, the scores by column, the all--inf
// check, and a term beyond ExactSum's range. The smallest key is the error the
// CPU pass would throw. (Weights are checked before any row; they have their own key.)
METRICAUDIT_HD inline std::uint64_t key_stride(std::int64_t classes) {
  return static_cast<std::uint64_t>(classes) + 3;
}
enum class RowErrorKind : int { label = 0, score = 1, all_masked = 2, range = 3 };
METRICAUDIT_HD inline std::uint64_t error_key(std::int64_t row, std::int64_t classes,
                                              RowErrorKind kind, std::int64_t col = 0) {
  const std::uint64_t base = static_cast<std::uint64_t>(row) * key_stride(classes);
  switch (kind) {
    case RowErrorKind::label:
      return base;
    case RowErrorKind::score:
      return base + 1 + static_cast<std::uint64_t>(col);
    case RowErrorKind::all_masked:
      return base + 1 + static_cast<std::uint64_t>(classes);
    case RowErrorKind::range:
      break;
  }
  return base + 2 + static_cast<std::uint64_t>(classes);
}
inline constexpr std::uint64_t kNoError = ~std::uint64_t{0};

// ---- reading the views ------------------------------------------------------
METRICAUDIT_HD inline std::int64_t load_label(const void* p, bool is64, std::int64_t i) {
  return is64 ? static_cast<const std::int64_t*>(p)[i]
              : static_cast<std::int64_t>(static_cast<const std::int32_t*>(p)[i]);
}
METRICAUDIT_HD inline double load_real(const void* p, bool is64, std::int64_t i) {
  return is64 ? static_cast<const double*>(p)[i]
              : static_cast<double>(static_cast<const float*>(p)[i]);
}

METRICAUDIT_HD inline double clamp_to(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}
/// Keras computes in float32 whatever the input dtype: a probability is rounded to
/// float32, then clipped to [lo, hi] (multiclass_pass.cpp keras_clip).
METRICAUDIT_HD inline double keras_clip(double x, double lo, double hi) {
  return clamp_to(static_cast<double>(static_cast<float>(x)), lo, hi);
}
METRICAUDIT_HD inline double infinity() {
  return cuda::std::numeric_limits<double>::infinity();
}

// ---- sweep 1 ----------------------------------------------------------------
/// One lane's (or, after merging, one row's) summary of sweep 1.
struct RowAcc {
  double best;              // max score so far (-inf when none)
  std::int64_t arg;         // first index of `best`; `classes` when none
  double sum_exp;           // sum of exp(v - best) over the lane's scores
  std::int64_t greater;     // scores > target's score
  std::int64_t ties_below;  // scores == target's, at a lower index
  std::int64_t ties_above;  // scores == target's, at a higher index
  std::int64_t above;       // scores > threshold
  std::int64_t bad_col;     // first column holding nan or +inf; `classes` when none
  double sum_z;             // sum of the scores (label smoothing on logits)
  double row_sum;           // the same, for the probability families
  int masked;               // some score is -inf
  int in_unit;              // every score lies in [0, 1]
  int nonneg;               // every score is >= 0 (Keras' categorical family reads the row)
};

METRICAUDIT_HD inline RowAcc row_identity(std::int64_t classes) {
  return RowAcc{-infinity(), classes, 0.0, 0, 0, 0, 0, classes, 0.0, 0.0, 0, 1, 1};
}

/// Folds score v of column c into a lane's summary. zy: the target's score, y: its index.
template <typename T>
METRICAUDIT_HD inline void absorb(RowAcc& a, T v, std::int64_t c, T zy, std::int64_t y, T threshold,
                                  bool need_lse) {
  const double d = static_cast<double>(v);
  if (v != v || d == infinity()) {  // nan or +inf: an error; -inf is a masked logit
    if (c < a.bad_col) a.bad_col = c;
    return;
  }
  // The comparisons happen in T, as in the CPU pass; converting to double is exact.
  if (d > a.best) {
    // Rescale the running sum to the new maximum (exp(-inf) = 0 for the first score).
    if (need_lse) a.sum_exp = a.sum_exp * ::exp(a.best - d) + 1.0;
    a.best = d;
    a.arg = c;
  } else if (need_lse && d != -infinity()) {
    a.sum_exp += ::exp(d - a.best);
  }
  a.greater += v > zy;
  a.ties_below += (v == zy) & (c < y);
  a.ties_above += (v == zy) & (c > y);
  a.above += v > threshold;
  a.in_unit &= static_cast<int>(v >= T(0) && v <= T(1));
  a.nonneg &= static_cast<int>(v >= T(0));
  a.masked |= static_cast<int>(d == -infinity());
  a.sum_z += d;
  a.row_sum += d;
}

/// Combines two summaries. Commutative bit for bit (each output is a symmetric
/// function of the inputs: max, min, integer +, and one floating + of two
/// terms), which makes the butterfly leave the same bits in every lane.
METRICAUDIT_HD inline RowAcc merge(const RowAcc& a, const RowAcc& b, bool need_lse) {
  RowAcc r;
  const bool take_b = b.best > a.best || (b.best == a.best && b.arg < a.arg);
  r.best = take_b ? b.best : a.best;
  r.arg = take_b ? b.arg : a.arg;
  if (need_lse) {
    const double ta = a.best == -infinity() ? 0.0 : a.sum_exp * ::exp(a.best - r.best);
    const double tb = b.best == -infinity() ? 0.0 : b.sum_exp * ::exp(b.best - r.best);
    r.sum_exp = ta + tb;
  } else {
    r.sum_exp = 0.0;
  }
  r.greater = a.greater + b.greater;
  r.ties_below = a.ties_below + b.ties_below;
  r.ties_above = a.ties_above + b.ties_above;
  r.above = a.above + b.above;
  r.bad_col = a.bad_col < b.bad_col ? a.bad_col : b.bad_col;
  r.sum_z = a.sum_z + b.sum_z;
  r.row_sum = a.row_sum + b.row_sum;
  r.masked = a.masked | b.masked;
  r.in_unit = a.in_unit & b.in_unit;
  r.nonneg = a.nonneg & b.nonneg;
  return r;
}

// ---- sweep 2 (rows in [0, 1], probability families) ---------------------------
struct ProbAcc {
  double keras_smoothing;  // sum_c -log(clip(p_c / row_sum)) (Keras, label smoothing)
  double clipped_sum;      // sum_c clip(p_c, 1e-15, 1 - 1e-15) (sklearn <= 1.1)
  double bce;              // sum_c -[c == y] log q_c - [c != y] log(1 - q_c) (Keras BCE)
  double bce_smoothing;    // sum_c -log q_c - log(1 - q_c) (Keras BCE, label smoothing)
};

METRICAUDIT_HD inline ProbAcc prob_identity() {
  return ProbAcc{0.0, 0.0, 0.0, 0.0};
}

template <typename T>
METRICAUDIT_HD inline void absorb_prob(ProbAcc& a, T v, std::int64_t c, std::int64_t y,
                                       double row_sum, const PassParams& p, bool keras_smoothing) {
  const double d = static_cast<double>(v);
  if (keras_smoothing) a.keras_smoothing -= ::log(keras_clip(d / row_sum, p.keras_lo, p.keras_hi));
  if (p.family[static_cast<int>(LossFamily::sklearn_legacy_probabilities)]) {
    a.clipped_sum += clamp_to(d, 1e-15, 1.0 - 1e-15);
  }
  if (p.family[static_cast<int>(LossFamily::keras_binary_onehot)]) {
    const double q = keras_clip(d, p.keras_lo, p.keras_hi);
    if (p.smoothing) {
      const double log_q = ::log(q), log_not_q = ::log1p(-q);
      a.bce -= (c == y) ? log_q : log_not_q;
      a.bce_smoothing -= log_q + log_not_q;
    } else {
      a.bce -= (c == y) ? ::log(q) : ::log1p(-q);
    }
  }
}

METRICAUDIT_HD inline ProbAcc merge(const ProbAcc& a, const ProbAcc& b) {
  return ProbAcc{a.keras_smoothing + b.keras_smoothing, a.clipped_sum + b.clipped_sum,
                 a.bce + b.bce, a.bce_smoothing + b.bce_smoothing};
}

/// Whether a row with summary `r` runs sweep 2 (every score in [0, 1], or Keras'
/// categorical family on a non-negative row: it renormalises, multiclass_pass.cpp
/// probability_row), and whether it includes Keras smoothing.
METRICAUDIT_HD inline bool needs_prob_sweep(const RowAcc& r, const PassParams& p) {
  const bool keras = p.family[static_cast<int>(LossFamily::keras_probabilities)];
  return p.any_probability_family && r.bad_col >= p.classes &&
         (r.in_unit != 0 || (keras && r.nonneg != 0));
}
METRICAUDIT_HD inline bool keras_smoothing_sweep(const RowAcc& r, const PassParams& p) {
  return p.family[static_cast<int>(LossFamily::keras_probabilities)] && p.smoothing &&
         r.row_sum > 0.0;
}

// ---- emitting a row -----------------------------------------------------------
/// Adds w * x to the ExactSum at `base`. False when ExactSum::add would throw.
template <typename Sink>
METRICAUDIT_HD inline bool add_sum(Sink& sink, std::int64_t base, double x) {
  ExactDigits d;
  const auto status = detail::exact_digits(x, d);
  if (status == detail::DigitsStatus::zero) return true;
  if (status == detail::DigitsStatus::out_of_range) return false;
  for (int j = 0; j < 3; ++j) {
    if (d.digit[j] != 0) sink.add(base + d.limb + j, d.negative ? -d.digit[j] : d.digit[j]);
  }
  return true;
}

/// Reads row i's weight (1 when unweighted) and reports a bad one. The CPU pass
/// checks every weight, ignored rows included, before any row.
template <typename Sink>
METRICAUDIT_HD inline double row_weight(Sink& sink, const PassParams& p, std::int64_t i) {
  if (p.weight == nullptr) return 1.0;
  const double w = load_real(p.weight, p.weight64, i);
  if (!(w >= 0.0) || w == infinity()) sink.weight_error(static_cast<std::uint64_t>(p.row0 + i));
  return w;
}

/// What a row is, from its label alone (the same for every lane of the group).
enum class RowKind : int { inactive = 0, ignored = 1, bad_label = 2, scored = 3 };

METRICAUDIT_HD inline RowKind classify_row(const PassParams& p, std::int64_t i, std::int64_t& y) {
  if (i >= p.rows) return RowKind::inactive;
  y = load_label(p.target, p.target64, i);
  if (p.has_ignore && y == p.ignore_index) return RowKind::ignored;
  if (y < 0 || y >= p.classes) return RowKind::bad_label;
  return RowKind::scored;
}

/// Lane 0's work once the row's summaries are merged: every count and term of the row.
template <typename Sink>
METRICAUDIT_HD inline void emit_scored_row(Sink& sink, const PassParams& p, std::int64_t i,
                                           std::int64_t y, double zy, double w, const RowAcc& r,
                                           const ProbAcc& q) {
  const Layout& L = p.layout;
  const std::int64_t C = p.classes;
  const std::int64_t row = p.row0 + i;
  if (r.bad_col < C) {
    sink.row_error(error_key(row, C, RowErrorKind::score, r.bad_col));
    return;
  }
  if (r.best == -infinity()) {
    sink.row_error(error_key(row, C, RowErrorKind::all_masked));
    return;
  }
  const bool weighted = p.weight != nullptr;
  const std::int64_t argmax = r.arg;
  bool in_range = true;
  sink.add(L.samples, 1);
  sink.add(L.support + y, 1);
  sink.add(L.predicted + argmax, 1);
  const bool hit1 = argmax == y;
  if (hit1) sink.add(L.tp + y, 1);
  const std::int64_t rank_index = r.greater + r.ties_below;
  sink.add(L.rank[static_cast<int>(TieRule::index_order)] + rank_index, 1);
  sink.add(L.rank[static_cast<int>(TieRule::high_index_first)] + r.greater + r.ties_above, 1);
  sink.add(L.rank[static_cast<int>(TieRule::optimistic)] + r.greater, 1);
  // Top-k under torch.topk's rule (multiclass_pass.cpp): decided here unless the
  // target ties across the boundary, then deferred to the host.
  std::uint32_t deferred = 0;
  for (int j = 0; j < p.topk_count; ++j) {
    const std::int64_t k = p.topk[j];
    bool hit;
    if (k == 1) {
      hit = rank_index == 0;
    } else if (r.greater >= k) {
      hit = false;
    } else if (r.greater + r.ties_below + r.ties_above < k) {
      hit = true;
    } else {
      sink.add(L.topk_ties + j, 1);
      deferred |= std::uint32_t{1} << j;
      continue;
    }
    if (hit) {
      sink.add(L.topk_hits + j * C + y, 1);
      if (weighted) in_range &= add_sum(sink, L.w_topk + j * kExactLimbs, w);
    } else {
      sink.add(L.topk_misses + j * C + argmax, 1);
    }
  }
  if (deferred != 0) sink.defer(DeferredRow{row, y, argmax, w, deferred});
  if (weighted) {
    // The tie rules with rank histograms (multiclass_pass.cpp add_weighted_rank_hits).
    const std::int64_t K = p.topk_count;
    for (int j = 0; j < p.topk_count; ++j) {
      const std::int64_t k = p.topk[j];
      const std::int64_t base = L.w_rank_topk + j * kExactLimbs;
      if (rank_index < k) in_range &= add_sum(sink, base, w);
      if (r.greater + r.ties_above < k) in_range &= add_sum(sink, base + K * kExactLimbs, w);
      if (r.greater < k) in_range &= add_sum(sink, base + 2 * K * kExactLimbs, w);
    }
  }
  // Correct cells of the one-hot reading: the C - 1 off-target cells not above
  // the threshold, plus the target cell when it is above.
  const std::int64_t target_above = zy > p.threshold ? 1 : 0;
  const std::int64_t correct_cells = C - 1 - r.above + 2 * target_above;
  sink.add(L.elementwise, correct_cells);
  if (L.confusion >= 0) sink.add(L.confusion + y * C + argmax, 1);
  if (weighted) {
    in_range &= add_sum(sink, L.w_support + y * kExactLimbs, w);
    in_range &= add_sum(sink, L.w_predicted + argmax * kExactLimbs, w);
    if (hit1) in_range &= add_sum(sink, L.w_tp + y * kExactLimbs, w);
    in_range &= add_sum(sink, L.w_total, w);
    in_range &= add_sum(sink, L.w_elementwise, w * static_cast<double>(correct_cells));
  }
  if (r.in_unit == 0) sink.add(L.not_in_unit, 1);
  if (r.nonneg == 0) sink.add(L.negative, 1);

  constexpr int kLogits = static_cast<int>(LossFamily::logits);
  if (p.family[kLogits]) {
    const double lse = r.best + ::log(r.sum_exp);
    if (zy == -infinity()) {
      sink.add(L.inf_terms, 1);
    } else {
      in_range &= add_sum(sink, L.by_class[kLogits] + y * kExactLimbs, w * (lse - zy));
    }
    if (p.smoothing) {
      if (r.masked != 0) {
        sink.add(L.inf_smoothing, 1);
      } else {
        // sum_c -log softmax(z)_c = C * lse - sum_c z_c
        in_range &=
            add_sum(sink, L.smoothing[kLogits], w * (static_cast<double>(C) * lse - r.sum_z));
      }
    }
  }
  if (needs_prob_sweep(r, p)) {
    constexpr int kKeras = static_cast<int>(LossFamily::keras_probabilities);
    constexpr int kSk = static_cast<int>(LossFamily::sklearn_probabilities);
    constexpr int kSkOld = static_cast<int>(LossFamily::sklearn_legacy_probabilities);
    constexpr int kBce = static_cast<int>(LossFamily::keras_binary_onehot);
    if (p.family[kKeras]) {
      if (r.row_sum <= 0.0) {
        sink.add(L.keras_zero, 1);
      } else {
        in_range &= add_sum(sink, L.by_class[kKeras] + y * kExactLimbs,
                            w * -::log(keras_clip(zy / r.row_sum, p.keras_lo, p.keras_hi)));
        if (p.smoothing) in_range &= add_sum(sink, L.smoothing[kKeras], w * q.keras_smoothing);
      }
    }
    if (r.in_unit != 0) {  // the other families need every score in [0, 1]
      if (p.family[kSk]) {
        in_range &= add_sum(sink, L.by_class[kSk] + y * kExactLimbs,
                            w * -::log(clamp_to(zy, p.sk_lo, p.sk_hi)));
      }
      if (p.family[kSkOld]) {
        in_range &= add_sum(sink, L.by_class[kSkOld] + y * kExactLimbs,
                            w * -::log(clamp_to(zy, 1e-15, 1.0 - 1e-15) / q.clipped_sum));
      }
      if (p.family[kBce]) {
        in_range &=
            add_sum(sink, L.by_class[kBce] + y * kExactLimbs, w * (q.bce / static_cast<double>(C)));
        if (p.smoothing) {
          in_range &=
              add_sum(sink, L.smoothing[kBce], w * (q.bce_smoothing / static_cast<double>(C)));
        }
      }
    }
  }
  if (!in_range) sink.row_error(error_key(row, C, RowErrorKind::range));
}

/// A row given as a predicted label (no scores): the counts a label answers.
template <typename Sink>
METRICAUDIT_HD inline void label_row(Sink& sink, const PassParams& p, std::int64_t i) {
  const Layout& L = p.layout;
  const std::int64_t C = p.classes;
  std::int64_t y = 0;
  const double w = row_weight(sink, p, i);
  const RowKind kind = classify_row(p, i, y);
  if (kind == RowKind::inactive) return;
  if (kind == RowKind::ignored) {
    sink.add(L.ignored, 1);
    return;
  }
  const std::int64_t row = p.row0 + i;
  if (kind == RowKind::bad_label) {
    sink.row_error(error_key(row, C, RowErrorKind::label));
    return;
  }
  const std::int64_t pred = load_label(p.predicted, p.predicted64, i);
  if (pred < 0 || pred >= C) {
    // The CPU pass checks the prediction right after the target: key it as the
    // row's second check (the score slots are unused without scores).
    sink.row_error(error_key(row, C, RowErrorKind::score, 0));
    return;
  }
  const bool weighted = p.weight != nullptr;
  bool in_range = true;
  sink.add(L.samples, 1);
  sink.add(L.support + y, 1);
  sink.add(L.predicted + pred, 1);
  const bool hit = pred == y;
  if (hit) sink.add(L.tp + y, 1);
  for (int j = 0; j < p.topk_count; ++j) {
    if (p.topk[j] != 1) continue;  // a label answers top-1 only
    if (hit) {
      sink.add(L.topk_hits + j * C + y, 1);
      if (weighted) {
        in_range &= add_sum(sink, L.w_topk + j * kExactLimbs, w);
        // No rank: a right label is a top-1 hit under every tie rule.
        for (int rule = 0; rule < kTieRules; ++rule) {
          in_range &= add_sum(sink, L.w_rank_topk + (rule * p.topk_count + j) * kExactLimbs, w);
        }
      }
    } else {
      sink.add(L.topk_misses + j * C + pred, 1);
    }
  }
  if (L.confusion >= 0) sink.add(L.confusion + y * C + pred, 1);
  if (weighted) {
    in_range &= add_sum(sink, L.w_support + y * kExactLimbs, w);
    in_range &= add_sum(sink, L.w_predicted + pred * kExactLimbs, w);
    if (hit) in_range &= add_sum(sink, L.w_tp + y * kExactLimbs, w);
    in_range &= add_sum(sink, L.w_total, w);
  }
  if (!in_range) sink.row_error(error_key(row, C, RowErrorKind::range));
}

}  // namespace metricaudit::gpu_detail
