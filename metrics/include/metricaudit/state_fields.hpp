// The fields of the two sufficient states, listed once. Everything that touches
// every field (merge, ==, promote_to_weighted, the array form that transports sum
// element-wise, the GPU's accumulator) walks this list, so a field added here is
// merged, compared, transported and read back everywhere, and a field left out of
// it is caught by tests/cpp/metrics/state_arrays_test.cpp (which perturbs each
// listed field in turn, and checks the size of the state classes as a tripwire).
//
//   for_each_field(visit, a, b, ...)
//
// calls visit(const FieldInfo&, cells_of_a, cells_of_b, ...) once per field, in a
// fixed order. The cells are the field's elements in row-major order: `size()` and
// `operator[](i)` give a reference to an int64 (count), an ExactSum (exact sum) or a
// bool (flag). Every state passed must have the same options; the weighted-only
// fields are visited when the first state is weighted (promote the others first).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <type_traits>
#include <vector>

#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

enum class FieldKind : int {
  count = 0,      ///< int64; merges by addition
  exact_sum = 1,  ///< ExactSum; merges exactly (in arrays: its ExactSum::kLimbs int64 limbs)
  flag = 2,       ///< bool; merges by FlagRule
};

/// How a flag combines when states merge (only states that saw a batch count).
enum class FlagRule : int {
  none = 0,  ///< not a flag
  any = 1,   ///< true when it is true in some state (OR)
  all = 2,   ///< true when it is true in every state (AND)
};

struct FieldInfo {
  std::string_view name;
  FieldKind kind = FieldKind::count;
  FlagRule rule = FlagRule::none;
  /// Shape of the field's cells (0, 1 or 2 dimensions; an empty extent is 0).
  int ndim = 0;
  std::array<std::int64_t, 2> dims{};
  /// The shape grows with the number of classes (or labels): the GPU keeps these
  /// after the per-batch scalars.
  bool per_class = false;
  /// SufficientState: allocated by promote_to_weighted (empty before).
  bool weighted_only = false;
  /// false: bookkeeping that == ignores (batches: a split changes it, not a reading).
  bool compared = true;

  std::int64_t size() const {
    std::int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= dims[static_cast<std::size_t>(d)];
    return n;
  }
};

/// How many int64 values one cell of this kind takes in an array or a device
/// accumulator: an exact sum its ExactSum::kLimbs limbs, a count or a flag one.
constexpr std::int64_t values_per_cell(FieldKind kind) {
  return kind == FieldKind::exact_sum ? ExactSum::kLimbs : 1;
}

namespace field_cells {

/// Contiguous cells: a scalar, a std::vector or a std::array.
template <typename T>
struct Flat {
  T* data;
  std::size_t n;
  std::size_t size() const { return n; }
  T& operator[](std::size_t i) const { return data[i]; }
};

/// Rows of `cols` cells, row r at row(r) (a pointer to its first cell).
template <typename T, typename RowOf>
struct Rows {
  RowOf row;
  std::size_t rows, cols;
  std::size_t size() const { return rows * cols; }
  T& operator[](std::size_t i) const { return row(i / cols)[i % cols]; }
};

/// A field's description: name, kind and extents (none for a scalar).
inline FieldInfo info(std::string_view name, FieldKind kind,
                      std::initializer_list<std::int64_t> dims = {},
                      FlagRule rule = FlagRule::none) {
  FieldInfo i{name, kind, rule};
  i.ndim = static_cast<int>(dims.size());
  std::copy(dims.begin(), dims.end(), i.dims.begin());
  return i;
}
inline FieldInfo per_class(FieldInfo i) {
  i.per_class = true;
  return i;
}
inline FieldInfo weighted_only(FieldInfo i) {
  i.weighted_only = true;
  return i;
}
inline FieldInfo bookkeeping(FieldInfo i) {
  i.compared = false;
  return i;
}

template <typename T>
Flat<T> scalar(T& v) {
  return {&v, 1};
}
template <typename C>
auto flat(C& c) {
  return Flat<std::remove_reference_t<decltype(*c.data())>>{c.data(), c.size()};
}
/// Rows out of a container of std::vectors (std::array or std::vector of them), each of
/// `cols` cells.
template <typename C>
auto rows(C& c, std::size_t cols) {
  using Row = std::remove_reference_t<decltype(c[0])>;
  using T = std::remove_reference_t<decltype(*c[0].data())>;
  auto* first = c.data();
  auto row = [first](std::size_t r) -> T* { return first[r].data(); };
  static_assert(std::is_same_v<std::remove_const_t<Row>, std::vector<std::remove_const_t<T>>>);
  return Rows<T, decltype(row)>{row, c.size(), cols};
}

/// Writes the int64 values of count or exact-sum cells at `to` (exact sums as their
/// normalised limbs), values_per_cell apart.
template <typename Cells>
void store_cells(const Cells& cells, std::int64_t* to) {
  using T = std::remove_cvref_t<decltype(cells[0])>;
  static_assert(!std::is_same_v<T, bool>, "flags have their own encoding (state_arrays.hpp)");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if constexpr (std::is_same_v<T, ExactSum>) {
      const auto limbs = cells[i].limbs();
      std::copy(limbs.begin(), limbs.end(), to + i * ExactSum::kLimbs);
    } else {
      to[i] = cells[i];
    }
  }
}

/// Reads count or exact-sum cells back from int64 values (limbs need not be normalised).
template <typename Cells>
void load_cells(const Cells& cells, const std::int64_t* from) {
  using T = std::remove_cvref_t<decltype(cells[0])>;
  static_assert(!std::is_same_v<T, bool>, "flags have their own encoding (state_arrays.hpp)");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if constexpr (std::is_same_v<T, ExactSum>) {
      std::array<std::int64_t, ExactSum::kLimbs> limbs{};
      std::copy_n(from + i * ExactSum::kLimbs, ExactSum::kLimbs, limbs.begin());
      cells[i] = ExactSum::from_limbs(limbs);
    } else {
      cells[i] = from[i];
    }
  }
}

}  // namespace field_cells

/// The loss families a state keeps (StateOptions::losses), in LossFamily order: the
/// rows of the per-family fields ("loss_*").
inline std::vector<int> kept_loss_families(const SufficientState& s) {
  std::vector<int> kept;
  for (int f = 0; f < kLossFamilies; ++f) {
    if (s.losses[static_cast<std::size_t>(f)].enabled) kept.push_back(f);
  }
  return kept;
}

/// SufficientState's fields. visit(info, cells(states)...) per field, in this order.
template <typename Visit, typename S, typename... Ss>
requires std::is_same_v<std::remove_const_t<S>, SufficientState>
void for_each_field(Visit&& visit, S& first, Ss&... rest) {
  using namespace field_cells;
  constexpr FieldKind count = FieldKind::count, sum = FieldKind::exact_sum;
  constexpr FieldKind flag = FieldKind::flag;
  const StateOptions& o = first.options();
  const std::int64_t C = o.num_classes;
  const auto K = static_cast<std::int64_t>(o.top_k.size());
  const auto uC = static_cast<std::size_t>(C);
  const bool weighted = first.weighted;
  // One field: its description and how to find its cells in a state.
  auto field = [&](const FieldInfo& info, auto&& cells_of) {
    if (info.weighted_only && !weighted) return;
    visit(info, cells_of(first), cells_of(rest)...);
  };

  // ---- totals and flags ----
  field(info("samples", count), [](auto& s) { return scalar(s.samples); });
  field(info("ignored", count), [](auto& s) { return scalar(s.ignored); });
  field(bookkeeping(info("batches", count)), [](auto& s) { return scalar(s.batches); });
  field(info("has_scores", flag, {}, FlagRule::all), [](auto& s) { return scalar(s.has_scores); });
  // Also set by a merge of states that disagree on has_scores (detail::inputs_mixed).
  field(info("mixed_inputs", flag, {}, FlagRule::any),
        [](auto& s) { return scalar(s.mixed_inputs); });
  field(info("weighted", flag, {}, FlagRule::any), [](auto& s) { return scalar(s.weighted); });
  field(info("scores_in_unit_interval", flag, {}, FlagRule::all),
        [](auto& s) { return scalar(s.scores_in_unit_interval); });
  field(info("elementwise_correct", count), [](auto& s) { return scalar(s.elementwise_correct); });
  field(info("topk_boundary_ties", count, {K}), [](auto& s) { return flat(s.topk_boundary_ties); });
  field(weighted_only(info("w_total", sum)), [](auto& s) { return scalar(s.w_total); });
  field(weighted_only(info("w_elementwise_correct", sum)),
        [](auto& s) { return scalar(s.w_elementwise_correct); });
  field(weighted_only(info("w_topk_hits", sum, {K})), [](auto& s) { return flat(s.w_topk_hits); });
  field(weighted_only(info("w_topk_hits_by_rule", sum, {kTieRules, K})),
        [&](auto& s) { return rows(s.w_topk_hits_by_rule, static_cast<std::size_t>(K)); });

  // ---- loss sums: one row per kept family (kept_loss_families) ----
  const std::vector<int> kept = kept_loss_families(first);
  const auto F = static_cast<std::int64_t>(kept.size());
  // A vector member of each kept family's LossSums, as rows of `cols` cells.
  auto loss_rows = [&kept](auto& s, auto member, std::size_t cols) {
    using T = std::remove_reference_t<decltype(*(s.losses[0].*member).data())>;
    auto row = [&s, &kept, member](std::size_t r) -> T* {
      return (s.losses[static_cast<std::size_t>(kept[r])].*member).data();
    };
    return Rows<T, decltype(row)>{row, kept.size(), cols};
  };
  // A scalar member of each kept family's LossSums, as F cells.
  auto loss_cells = [&kept](auto& s, auto member) {
    using T = std::remove_reference_t<decltype(s.losses[0].*member)>;
    auto row = [&s, &kept, member](std::size_t r) -> T* {
      return &(s.losses[static_cast<std::size_t>(kept[r])].*member);
    };
    return Rows<T, decltype(row)>{row, kept.size(), 1};
  };
  field(info("loss_available", flag, {F}, FlagRule::all),
        [&](auto& s) { return loss_cells(s, &LossSums::available); });
  field(info("loss_smoothing", sum, {F}),
        [&](auto& s) { return loss_cells(s, &LossSums::smoothing); });
  field(info("loss_infinite_terms", count, {F}),
        [&](auto& s) { return loss_cells(s, &LossSums::infinite_terms); });
  field(info("loss_infinite_smoothing", count, {F}),
        [&](auto& s) { return loss_cells(s, &LossSums::infinite_smoothing); });

  // ---- per class ----
  field(per_class(info("tp", count, {C})), [](auto& s) { return flat(s.tp); });
  field(per_class(info("predicted", count, {C})), [](auto& s) { return flat(s.predicted); });
  field(per_class(info("support", count, {C})), [](auto& s) { return flat(s.support); });
  field(per_class(info("rank_histogram", count, {kTieRules, C})),
        [&](auto& s) { return rows(s.rank_histogram, uC); });
  field(per_class(info("topk_hits_by_class", count, {K, C})),
        [&](auto& s) { return rows(s.topk_hits_by_class, uC); });
  field(per_class(info("topk_misses_by_predicted", count, {K, C})),
        [&](auto& s) { return rows(s.topk_misses_by_predicted, uC); });
  const std::int64_t set_cols = o.topk_sets ? C : 0;
  field(per_class(info("topk_set_by_class", count, {K, set_cols})),
        [&](auto& s) { return rows(s.topk_set_by_class, static_cast<std::size_t>(set_cols)); });
  field(per_class(weighted_only(info("w_tp", sum, {C}))), [](auto& s) { return flat(s.w_tp); });
  field(per_class(weighted_only(info("w_predicted", sum, {C}))),
        [](auto& s) { return flat(s.w_predicted); });
  field(per_class(weighted_only(info("w_support", sum, {C}))),
        [](auto& s) { return flat(s.w_support); });
  field(per_class(info("loss_by_class", sum, {F, C})),
        [&](auto& s) { return loss_rows(s, &LossSums::by_class, uC); });
  // StateOptions::smoothing_columns: the logits family's per-column sums (empty otherwise).
  constexpr auto kLogits = static_cast<std::size_t>(LossFamily::logits);
  const auto columns = static_cast<std::int64_t>(first.losses[kLogits].smoothing_by_column.size());
  field(per_class(info("loss_smoothing_by_column", sum, {columns})),
        [](auto& s) { return flat(s.losses[kLogits].smoothing_by_column); });
  field(per_class(info("loss_infinite_by_column", count, {columns})),
        [](auto& s) { return flat(s.losses[kLogits].infinite_by_column); });
  // Last: the GPU keeps the confusion matrix after the per-class arrays.
  const std::int64_t cm = o.confusion_matrix ? C : 0;
  field(per_class(info("confusion", count, {cm, cm})), [](auto& s) { return flat(s.confusion); });
}

/// LabelwiseState's fields. visit(info, cells(states)...) per field, in this order.
template <typename Visit, typename S, typename... Ss>
requires std::is_same_v<std::remove_const_t<S>, LabelwiseState>
void for_each_field(Visit&& visit, S& first, Ss&... rest) {
  using namespace field_cells;
  constexpr FieldKind count = FieldKind::count, sum = FieldKind::exact_sum;
  constexpr FieldKind flag = FieldKind::flag;
  const std::int64_t L = first.num_labels();
  const auto uL = static_cast<std::size_t>(L);
  auto field = [&](const FieldInfo& info, auto&& cells_of) {
    visit(info, cells_of(first), cells_of(rest)...);
  };
  field(info("samples", count), [](auto& s) { return scalar(s.samples); });
  field(bookkeeping(info("batches", count)), [](auto& s) { return scalar(s.batches); });
  field(info("weighted", flag, {}, FlagRule::any), [](auto& s) { return scalar(s.weighted); });
  field(info("scores_in_unit_interval", flag, {}, FlagRule::all),
        [](auto& s) { return scalar(s.scores_in_unit_interval); });
  field(info("exact_match", count, {kScoreReadings}), [](auto& s) { return flat(s.exact_match); });
  field(info("w_correct_cells", sum, {kScoreReadings}),
        [](auto& s) { return flat(s.w_correct_cells); });
  field(info("w_exact_match", sum, {kScoreReadings}),
        [](auto& s) { return flat(s.w_exact_match); });
  field(info("w_total", sum), [](auto& s) { return scalar(s.w_total); });
  field(info("bce", sum, {kBinaryLossFamilies}), [](auto& s) { return flat(s.bce); });
  field(info("bce_available", flag, {kBinaryLossFamilies}, FlagRule::all),
        [](auto& s) { return flat(s.bce_available); });
  field(per_class(info("tp", count, {kScoreReadings, L})), [&](auto& s) { return rows(s.tp, uL); });
  field(per_class(info("fp", count, {kScoreReadings, L})), [&](auto& s) { return rows(s.fp, uL); });
  field(per_class(info("tn", count, {kScoreReadings, L})), [&](auto& s) { return rows(s.tn, uL); });
  field(per_class(info("fn", count, {kScoreReadings, L})), [&](auto& s) { return rows(s.fn, uL); });
}

}  // namespace metricaudit
