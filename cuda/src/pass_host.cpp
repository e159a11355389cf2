// The host side of the GPU pass, shared by the CUDA and OpenMP builds: argument
// checks (the CPU pass's messages), the accumulator layout, chunking, and the
// conversion of the flat accumulator back into a SufficientState that merges
// with CPU states, and the rows whose top-k the device deferred (a target tied
// across the k boundary), decided here by torch.topk's selection.
#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "backend.hpp"
#include "metricaudit/detail/torch_topk.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/gpu.hpp"

namespace metricaudit {
namespace gpu_detail {
namespace {

// Each ExactSum slot receives at most one digit per row, each below 2^32, so a
// launch of at most 2^30 rows keeps every slot below 2^62 in magnitude.
constexpr std::int64_t kMaxLaunchRows = std::int64_t{1} << 30;
// Deferred-row buffer per launch: min(rows, this) entries (40 MiB at most). A
// row is deferred at most once (one entry holds all its undecided k), so a launch
// of at most this many rows cannot overflow; a larger launch that does is re-run
// in launches of this many rows.
constexpr std::int64_t kMaxDeferred = std::int64_t{1} << 20;
// Host staging for the deferred rows' scores, per copy (at least one row).
constexpr std::int64_t kStagingBytes = std::int64_t{64} << 20;

// ---- argument checks: the same order and messages as multiclass_pass.cpp ----
// (metrics/src/detail/validate.hpp is private to the core; these mirror it.)
std::string shape_string(const ArrayView& v) {
  if (v.ndim == 1) return "(" + std::to_string(v.rows) + ",)";
  return "(" + std::to_string(v.rows) + ", " + std::to_string(v.cols) + ")";
}
void require_integer(const ArrayView& v, const char* argument) {
  if (v.dtype != DType::int32 && v.dtype != DType::int64) {
    throw DTypeError(std::string(argument) + ": expected int32 or int64, got " +
                     std::string(dtype_name(v.dtype)));
  }
}
void require_floating(const ArrayView& v, const char* argument) {
  if (v.dtype != DType::float32 && v.dtype != DType::float64) {
    throw DTypeError(std::string(argument) + ": expected float32 or float64, got " +
                     std::string(dtype_name(v.dtype)));
  }
}
void require_vector(const ArrayView& v, const char* argument, std::int64_t n) {
  const bool column = v.ndim == 2 && v.cols == 1;
  if ((v.ndim != 1 && !column) || v.rows != n || v.rows < 0) {
    throw ShapeError(std::string(argument) + ": expected shape (" + std::to_string(n) + ",), got " +
                     shape_string(v));
  }
}

std::int64_t validate(const SufficientState& state, const MulticlassBatch& b) {
  if (b.target.data == nullptr || b.target.rows <= 0) {
    throw InvalidArgument("target: expected at least one sample, got an empty array");
  }
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
    // The values (finite, >= 0) are checked by the pass itself, where they live.
  }
  const auto& top_k = state.options().top_k;
  if (top_k.size() > static_cast<std::size_t>(kMaxTopK)) {
    throw InvalidArgument("top_k: the GPU backend keeps at most " + std::to_string(kMaxTopK) +
                          " values, got " + std::to_string(top_k.size()));
  }
  if (state.options().smoothing_columns) {
    throw UnavailableError(
        "smoothing_columns: the GPU backend does not keep per-column smoothing sums; update a "
        "CPU state (label smoothing with class weights needs them)");
  }
  if (state.options().topk_sets) {
    // A per-row selection with torch's tie order, C counts per k: the CPU backend's job.
    throw UnavailableError(
        "topk_sets: the GPU backend does not keep top-k sets; update a CPU state (the "
        "torchmetrics <= 1.6.0 precision/F1 at top_k > 1 reading needs them)");
  }
  return n;
}

// ---- layout -------------------------------------------------------------------
Layout make_layout(const StateOptions& o, bool weighted) {
  Layout L;
  std::int64_t next = 0;
  auto slot = [&](std::int64_t width) {
    const std::int64_t at = next;
    next += width;
    return at;
  };
  const std::int64_t C = o.num_classes;
  const auto K = static_cast<std::int64_t>(o.top_k.size());
  std::array<bool, kLossFamilies> on{};
  for (LossFamily f : o.losses) on[static_cast<std::size_t>(f)] = true;
  L.samples = slot(1);
  L.ignored = slot(1);
  L.elementwise = slot(1);
  L.not_in_unit = slot(1);
  L.keras_zero = slot(1);
  L.inf_terms = slot(1);
  L.inf_smoothing = slot(1);
  for (int f = 0; f < kLossFamilies; ++f) {
    if (on[static_cast<std::size_t>(f)] && o.smoothing_terms) L.smoothing[f] = slot(kExactLimbs);
  }
  if (weighted) {
    L.w_total = slot(kExactLimbs);
    L.w_elementwise = slot(kExactLimbs);
    L.w_topk = slot(K * kExactLimbs);
    L.w_rank_topk = slot(kTieRules * K * kExactLimbs);
  }
  L.topk_ties = slot(K);
  L.scalars_end = next;
  L.tp = slot(C);
  L.predicted = slot(C);
  L.support = slot(C);
  for (auto& r : L.rank) r = slot(C);
  L.topk_hits = slot(K * C);
  L.topk_misses = slot(K * C);
  for (int f = 0; f < kLossFamilies; ++f) {
    if (on[static_cast<std::size_t>(f)]) L.by_class[f] = slot(C * kExactLimbs);
  }
  if (weighted) {
    L.w_tp = slot(C * kExactLimbs);
    L.w_predicted = slot(C * kExactLimbs);
    L.w_support = slot(C * kExactLimbs);
  }
  L.per_class_end = next;
  if (o.confusion_matrix) L.confusion = slot(C * C);
  L.total = next;
  return L;
}

template <typename T>
void set_clip(PassParams& p) {
  // multiclass_pass.cpp Clip<T>: the bounds are values of the scores' dtype.
  p.keras_lo = static_cast<double>(static_cast<T>(1e-7));
  p.keras_hi = static_cast<double>(static_cast<T>(T(1) - static_cast<T>(1e-7)));
  p.sk_lo = static_cast<double>(std::numeric_limits<T>::epsilon());
  p.sk_hi = static_cast<double>(T(1) - std::numeric_limits<T>::epsilon());
}

PassParams make_params(const SufficientState& state, const MulticlassBatch& b, bool weighted) {
  const StateOptions& o = state.options();
  PassParams p;
  p.classes = o.num_classes;
  p.target64 = b.target.dtype == DType::int64;
  if (!b.scores.empty()) {
    if (b.scores.dtype == DType::float32) {
      set_clip<float>(p);
      p.threshold = static_cast<double>(static_cast<float>(o.threshold));
    } else {
      p.scores64 = true;
      set_clip<double>(p);
      p.threshold = o.threshold;
    }
  } else {
    p.predicted64 = b.predicted.dtype == DType::int64;
  }
  p.weight64 = weighted && b.sample_weight.dtype == DType::float64;
  p.has_ignore = o.ignore_index.has_value();
  p.ignore_index = o.ignore_index.value_or(0);
  p.topk_count = static_cast<int>(o.top_k.size());
  for (int j = 0; j < p.topk_count; ++j) p.topk[j] = o.top_k[static_cast<std::size_t>(j)];
  for (LossFamily f : o.losses) p.family[static_cast<int>(f)] = true;
  p.any_probability_family = false;
  for (int f = 1; f < kLossFamilies; ++f) p.any_probability_family |= p.family[f];
  p.smoothing = o.smoothing_terms;
  p.layout = make_layout(o, weighted);
  return p;
}

const void* advance(const void* data, DType dtype, std::int64_t elements) {
  const std::int64_t size = (dtype == DType::int32 || dtype == DType::float32) ? 4 : 8;
  return static_cast<const char*>(data) + elements * size;
}

// ---- from the accumulator back to a state ------------------------------------
ExactSum sum_at(const std::vector<std::int64_t>& acc, std::int64_t base) {
  std::array<std::int64_t, ExactSum::kLimbs> limbs{};
  std::copy_n(acc.begin() + base, ExactSum::kLimbs, limbs.begin());
  return ExactSum::from_limbs(limbs);
}
void counts_at(const std::vector<std::int64_t>& acc, std::int64_t base,
               std::vector<std::int64_t>& into) {
  std::copy_n(acc.begin() + base, into.size(), into.begin());
}
void sums_at(const std::vector<std::int64_t>& acc, std::int64_t base, std::vector<ExactSum>& into) {
  for (std::size_t c = 0; c < into.size(); ++c) {
    into[c] = sum_at(acc, base + static_cast<std::int64_t>(c) * kExactLimbs);
  }
}

/// One launch's accumulator as a state (batches = 1 so that merge takes it).
SufficientState to_state(const SufficientState& like, const PassParams& p,
                         const std::vector<std::int64_t>& acc, bool weighted,
                         std::int64_t& not_in_unit, std::int64_t& keras_zero) {
  const Layout& L = p.layout;
  const std::int64_t C = p.classes;
  SufficientState s(like.options());
  if (weighted) s.promote_to_weighted();
  s.batches = 1;
  s.samples = acc[static_cast<std::size_t>(L.samples)];
  s.ignored = acc[static_cast<std::size_t>(L.ignored)];
  s.elementwise_correct = acc[static_cast<std::size_t>(L.elementwise)];
  not_in_unit += acc[static_cast<std::size_t>(L.not_in_unit)];
  keras_zero += acc[static_cast<std::size_t>(L.keras_zero)];
  counts_at(acc, L.tp, s.tp);
  counts_at(acc, L.predicted, s.predicted);
  counts_at(acc, L.support, s.support);
  for (int r = 0; r < kTieRules; ++r) counts_at(acc, L.rank[r], s.rank_histogram[r]);
  for (std::size_t j = 0; j < s.topk_hits_by_class.size(); ++j) {
    const auto off = static_cast<std::int64_t>(j) * C;
    counts_at(acc, L.topk_hits + off, s.topk_hits_by_class[j]);
    counts_at(acc, L.topk_misses + off, s.topk_misses_by_predicted[j]);
    s.topk_boundary_ties[j] = acc[static_cast<std::size_t>(L.topk_ties) + j];
  }
  if (L.confusion >= 0) counts_at(acc, L.confusion, s.confusion);
  if (weighted) {
    sums_at(acc, L.w_tp, s.w_tp);
    sums_at(acc, L.w_predicted, s.w_predicted);
    sums_at(acc, L.w_support, s.w_support);
    s.w_total = sum_at(acc, L.w_total);
    s.w_elementwise_correct = sum_at(acc, L.w_elementwise);
    for (std::size_t j = 0; j < s.w_topk_hits.size(); ++j) {
      s.w_topk_hits[j] = sum_at(acc, L.w_topk + static_cast<std::int64_t>(j) * kExactLimbs);
      for (int r = 0; r < kTieRules; ++r) {
        s.w_topk_hits_by_rule[r][j] =
            sum_at(acc, L.w_rank_topk + (r * static_cast<std::int64_t>(s.w_topk_hits.size()) +
                                         static_cast<std::int64_t>(j)) *
                                            kExactLimbs);
      }
    }
  }
  for (int f = 0; f < kLossFamilies; ++f) {
    auto& l = s.losses[f];
    if (!l.enabled) continue;
    sums_at(acc, L.by_class[f], l.by_class);
    if (L.smoothing[f] >= 0) l.smoothing = sum_at(acc, L.smoothing[f]);
  }
  auto& logits = s.losses[static_cast<int>(LossFamily::logits)];
  logits.infinite_terms = acc[static_cast<std::size_t>(L.inf_terms)];
  logits.infinite_smoothing = acc[static_cast<std::size_t>(L.inf_smoothing)];
  return s;
}

// ---- deferred rows: torch.topk on the host ------------------------------------
template <typename T>
void decide_rows(SufficientState& s, const PassParams& p, const DeferredRow* rows, std::int64_t n,
                 const T* scores, bool weighted) {
  const std::int64_t C = p.classes;
  for (std::int64_t i = 0; i < n; ++i) {
    const DeferredRow& d = rows[i];
    const T* row = scores + i * C;
    for (int j = 0; j < p.topk_count; ++j) {
      if ((d.k_mask >> j & 1u) == 0) continue;
      const auto slot = static_cast<std::size_t>(j);
      if (detail::torch_topk_contains(row, C, p.topk[j], d.target)) {
        ++s.topk_hits_by_class[slot][static_cast<std::size_t>(d.target)];
        if (weighted) s.w_topk_hits[slot].add(d.weight);
      } else {
        ++s.topk_misses_by_predicted[slot][static_cast<std::size_t>(d.argmax)];
      }
    }
  }
}

/// Adds the deferred rows' top-k outcomes to `s`: their scores are copied to
/// the host in pieces of at most kStagingBytes and run through torch's selection.
template <typename T>
void decide_deferred(SufficientState& s, const PassParams& p, const MulticlassBatch& b,
                     std::vector<DeferredRow>& deferred, bool weighted) {
  if (deferred.empty()) return;
  // Row order: the outcome does not depend on it (counts, exact sums), but
  // sorted rows read the matrix front to back.
  std::sort(deferred.begin(), deferred.end(),
            [](const DeferredRow& a, const DeferredRow& c) { return a.row < c.row; });
  const std::int64_t C = p.classes;
  const auto row_bytes = static_cast<std::int64_t>(sizeof(T)) * C;
  const std::int64_t per_copy = std::max<std::int64_t>(1, kStagingBytes / row_bytes);
  const auto n = static_cast<std::int64_t>(deferred.size());
  std::vector<std::int64_t> index;
  std::vector<T> staging;
  for (std::int64_t first = 0; first < n; first += per_copy) {
    const std::int64_t count = std::min(per_copy, n - first);
    index.resize(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) {
      index[static_cast<std::size_t>(i)] = deferred[static_cast<std::size_t>(first + i)].row;
    }
    staging.resize(static_cast<std::size_t>(count * C));
    copy_rows_to_host(b.scores.data, row_bytes, index.data(), count, staging.data());
    decide_rows(s, p, deferred.data() + first, count, staging.data(), weighted);
  }
}

// ---- errors -----------------------------------------------------------------
std::string at(std::int64_t i) {
  return " at index " + std::to_string(i);
}

[[noreturn]] void throw_row_error(const SufficientState& state, const MulticlassBatch& b,
                                  std::uint64_t key) {
  const std::int64_t C = state.num_classes();
  const auto stride = key_stride(C);
  const auto row = static_cast<std::int64_t>(key / stride);
  const auto slot = static_cast<std::int64_t>(key % stride);
  const auto& o = state.options();
  if (slot == 0) {
    const std::int64_t y = read_label(b.target, row);
    throw ValueRangeError(
        "target: expected labels in [0, " + std::to_string(C) + ")" +
        (o.ignore_index ? " or ignore_index=" + std::to_string(*o.ignore_index) : "") + ", got " +
        std::to_string(y) + at(row));
  }
  if (slot <= C && b.scores.empty()) {
    const std::int64_t pred = read_label(b.predicted, row);
    throw ValueRangeError("preds: expected labels in [0, " + std::to_string(C) + "), got " +
                          std::to_string(pred) + at(row));
  }
  if (slot <= C) {
    const std::int64_t col = slot - 1;
    const double v = read_real(b.scores, row * C + col);
    throw ValueRangeError("preds: expected finite scores (-inf allowed as a masked logit), got " +
                          std::string(v != v ? "nan" : "inf") + " at index (" +
                          std::to_string(row) + ", " + std::to_string(col) + ")");
  }
  if (slot == C + 1) {
    throw ValueRangeError("preds: expected at least one finite score per row, got a row of -inf" +
                          at(row));
  }
  throw ValueRangeError("ExactSum: a term of row " + std::to_string(row) +
                        " is beyond the accumulator's range (2^160)");
}

}  // namespace
}  // namespace gpu_detail

void update_gpu(SufficientState& state, const MulticlassBatch& batch) {
  using namespace gpu_detail;
  require_backend();
  const std::int64_t n = validate(state, batch);
  const bool weighted = !batch.sample_weight.empty();
  const bool has_scores = !batch.scores.empty();
  const std::int64_t C = state.num_classes();
  PassParams p = make_params(state, batch, weighted);

  SufficientState batch_state(state.options());
  if (weighted) batch_state.promote_to_weighted();
  std::uint64_t row_error = kNoError, weight_error = kNoError;
  std::int64_t not_in_unit = 0, keras_zero = 0;
  // One launch over batch rows [row0, row0 + rows).
  const auto launch = [&](std::int64_t row0, std::int64_t rows) {
    p.row0 = row0;
    p.rows = rows;
    p.target = advance(batch.target.data, batch.target.dtype, row0);
    p.scores = has_scores ? advance(batch.scores.data, batch.scores.dtype, row0 * C) : nullptr;
    p.predicted = has_scores ? nullptr : advance(batch.predicted.data, batch.predicted.dtype, row0);
    p.weight =
        weighted ? advance(batch.sample_weight.data, batch.sample_weight.dtype, row0) : nullptr;
    // Label rows never defer (a label answers top-1 only): no buffer for them.
    PassResult r = run_pass(p, has_scores ? std::min(rows, kMaxDeferred) : 0);
    row_error = std::min(row_error, r.row_error);
    weight_error = std::min(weight_error, r.weight_error);
    return r;
  };
  // A clean launch's accumulator and deferred rows, into the batch's state.
  const auto fold = [&](PassResult& r) {
    if (r.deferred_count != static_cast<std::int64_t>(r.deferred.size())) {
      throw Error("update_gpu: deferred top-k rows overflowed their buffer");  // not reached
    }
    SufficientState part = to_state(state, p, r.acc, weighted, not_in_unit, keras_zero);
    if (p.scores64) {
      decide_deferred<double>(part, p, batch, r.deferred, weighted);
    } else {
      decide_deferred<float>(part, p, batch, r.deferred, weighted);
    }
    batch_state.batches = 1;  // merge skips empty states
    batch_state.merge(part);
  };
  for (std::int64_t row0 = 0; row0 < n; row0 += kMaxLaunchRows) {
    const std::int64_t rows = std::min(kMaxLaunchRows, n - row0);
    PassResult r = launch(row0, rows);
    if (row_error != kNoError || weight_error != kNoError) continue;  // the batch is void
    if (r.deferred_count <= static_cast<std::int64_t>(r.deferred.size())) {
      fold(r);
      continue;
    }
    // More deferred rows than the buffer holds: drop this launch's result and
    // run its rows again in launches of kMaxDeferred rows, which cannot overflow.
    r = PassResult{};
    for (std::int64_t sub = row0; sub < row0 + rows; sub += kMaxDeferred) {
      PassResult piece = launch(sub, std::min(kMaxDeferred, row0 + rows - sub));
      if (row_error == kNoError && weight_error == kNoError) fold(piece);
    }
  }
  if (weight_error != kNoError) {
    const auto i = static_cast<std::int64_t>(weight_error);
    throw ValueRangeError("sample_weight: expected finite values >= 0, got " +
                          std::to_string(read_real(batch.sample_weight, i)) + at(i));
  }
  if (row_error != kNoError) throw_row_error(state, batch, row_error);

  // Batch-wide flags, as multiclass_pass.cpp sets them.
  const bool all_in_unit = not_in_unit == 0;
  batch_state.batches = 1;
  batch_state.has_scores = has_scores;
  batch_state.scores_in_unit_interval = has_scores && all_in_unit;
  for (int f = 0; f < kLossFamilies; ++f) {
    auto& l = batch_state.losses[f];
    if (!l.enabled) continue;
    const bool probability_family = f != static_cast<int>(LossFamily::logits);
    l.available = has_scores && (!probability_family || all_in_unit);
    if (f == static_cast<int>(LossFamily::keras_probabilities) && keras_zero > 0) {
      l.available = false;
    }
  }
  state.merge(batch_state);
}

SufficientState evaluate_gpu(const MulticlassBatch& batch, const StateOptions& options) {
  SufficientState state(options);
  update_gpu(state, batch);
  return state;
}

}  // namespace metricaudit
