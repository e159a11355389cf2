// The host side of the GPU pass, shared by the CUDA and OpenMP builds: argument
// checks (the CPU pass's messages), the accumulator layout, chunking, and the
// conversion of the flat accumulator back into a SufficientState that merges
// with CPU states, and the rows whose top-k the device deferred (a target tied
// across the k boundary), decided here by torch.topk's selection.
#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "backend.hpp"
#include "metricaudit/detail/multiclass_batch.hpp"
#include "metricaudit/detail/torch_topk.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/gpu.hpp"
#include "metricaudit/state_fields.hpp"

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

// ---- argument checks: the CPU pass's (detail::check_multiclass_batch), then what only
// the GPU backend refuses. Weight values are checked by the pass itself, where they live.
std::int64_t validate(const SufficientState& state, const MulticlassBatch& b) {
  const std::int64_t n = detail::check_multiclass_batch(state, b);
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

// ---- layout: the state's field list (state_fields.hpp) in the accumulator ----------
// Three device-only counts come first (rows with a score outside [0, 1], rows whose Keras
// row sum is 0, rows with a negative score: they become flags), then a slot for every count and
// exact-sum cell of a state (kExactLimbs for an exact sum) in the field list's order, the per-batch
// scalars before the per-class fields (a prefix the kernel privatises in shared memory), the
// confusion matrix last. Flags are the host's (detail::finish_batch). to_state walks the
// same slots back, so a field added to the list has its slot and is read back.
constexpr std::int64_t kNotInUnitSlot = 0, kKerasZeroSlot = 1, kNegativeSlot = 2,
                       kFirstFieldSlot = 3;

/// fn(field, cells, slot) for every count and exact-sum field of `s`, in slot order.
template <typename State, typename Fn>
std::int64_t for_each_slot(State& s, Fn&& fn) {
  std::int64_t next = kFirstFieldSlot;
  for (const bool per_class : {false, true}) {
    for_each_field(
        [&](const FieldInfo& f, auto cells) {
          using T = std::remove_cvref_t<decltype(cells[0])>;
          if constexpr (!std::is_same_v<T, bool>) {  // flags: finish_batch sets them
            if (f.per_class != per_class) return;
            fn(f, cells, next);
            next += f.size() * values_per_cell(f.kind);
          }
        },
        s);
  }
  return next;
}

Layout make_layout(const StateOptions& o, bool weighted) {
  SufficientState like(o);
  if (weighted) like.promote_to_weighted();
  std::map<std::string_view, std::int64_t> at;  // field -> its first slot
  Layout L;
  L.total = for_each_slot(like, [&](const FieldInfo& f, const auto&, std::int64_t slot) {
    at[f.name] = slot;
    if (!f.per_class) L.scalars_end = slot + f.size() * values_per_cell(f.kind);
  });
  L.not_in_unit = kNotInUnitSlot;
  L.keras_zero = kKerasZeroSlot;
  L.negative = kNegativeSlot;
  auto slot = [&](std::string_view field) { return at.count(field) ? at.at(field) : -1; };
  const std::int64_t C = o.num_classes;
  L.samples = slot("samples");
  L.ignored = slot("ignored");
  L.elementwise = slot("elementwise_correct");
  L.topk_ties = slot("topk_boundary_ties");
  L.w_total = slot("w_total");
  L.w_elementwise = slot("w_elementwise_correct");
  L.w_topk = slot("w_topk_hits");
  L.w_rank_topk = slot("w_topk_hits_by_rule");  // (rule, k) row-major, as the kernel reads it
  L.tp = slot("tp");
  L.predicted = slot("predicted");
  L.support = slot("support");
  for (int r = 0; r < kTieRules; ++r) L.rank[r] = slot("rank_histogram") + r * C;
  L.topk_hits = slot("topk_hits_by_class");
  L.topk_misses = slot("topk_misses_by_predicted");
  L.w_tp = slot("w_tp");
  L.w_predicted = slot("w_predicted");
  L.w_support = slot("w_support");
  // The loss fields have one row per kept family (kept_loss_families).
  const std::vector<int> kept = kept_loss_families(like);
  for (std::size_t row = 0; row < kept.size(); ++row) {
    const int f = kept[row];
    const auto r = static_cast<std::int64_t>(row);
    L.by_class[f] = slot("loss_by_class") + r * C * kExactLimbs;
    L.smoothing[f] = slot("loss_smoothing") + r * kExactLimbs;
    if (f == static_cast<int>(LossFamily::logits)) {
      L.inf_terms = slot("loss_infinite_terms") + r;
      L.inf_smoothing = slot("loss_infinite_smoothing") + r;
    }
  }
  L.confusion = o.confusion_matrix ? slot("confusion") : -1;
  L.per_class_end = L.confusion >= 0 ? L.confusion : L.total;
  return L;
}

template <typename T>
void set_clip(PassParams& p) {
  // multiclass_pass.cpp Clip<T> and keras_clip: sklearn's bounds are values of the scores'
  // dtype, Keras' of float32 whatever the dtype (it computes in float32).
  p.keras_lo = static_cast<double>(static_cast<float>(1e-7));
  p.keras_hi = static_cast<double>(1.0f - static_cast<float>(1e-7));
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
/// One launch's accumulator as a state: every slot of the layout read back into its field
/// (batches = 1 so that merge takes it; the flags are set once per batch by finish_batch).
SufficientState to_state(const StateOptions& options, const std::vector<std::int64_t>& acc,
                         bool weighted, std::int64_t& not_in_unit, std::int64_t& keras_zero,
                         std::int64_t& negative) {
  SufficientState s(options);
  if (weighted) s.promote_to_weighted();
  for_each_slot(s, [&](const FieldInfo&, const auto& cells, std::int64_t slot) {
    field_cells::load_cells(cells, acc.data() + slot);
  });
  s.batches = 1;
  not_in_unit += acc[kNotInUnitSlot];
  keras_zero += acc[kKerasZeroSlot];
  negative += acc[kNegativeSlot];
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
  if (slot == 0) {
    throw ValueRangeError(
        detail::bad_target_message(state.options(), read_label(b.target, row), row));
  }
  if (slot <= C && b.scores.empty()) {
    throw ValueRangeError(detail::bad_prediction_message(C, read_label(b.predicted, row), row));
  }
  if (slot <= C) {
    const std::int64_t col = slot - 1;
    throw ValueRangeError(detail::bad_score_message(read_real(b.scores, row * C + col), row, col));
  }
  if (slot == C + 1) throw ValueRangeError(detail::masked_row_message(row));
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
  std::int64_t not_in_unit = 0, keras_zero = 0, negative = 0;
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
    SufficientState part =
        to_state(state.options(), r.acc, weighted, not_in_unit, keras_zero, negative);
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

  detail::finish_batch(batch_state, has_scores, not_in_unit == 0, keras_zero > 0, negative > 0);
  state.merge(batch_state);
}

SufficientState evaluate_gpu(const MulticlassBatch& batch, const StateOptions& options) {
  SufficientState state(options);
  update_gpu(state, batch);
  return state;
}

}  // namespace metricaudit
