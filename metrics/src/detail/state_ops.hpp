// What merge and == do to each field, by kind (state_fields.hpp lists the fields):
// counts add, exact sums merge, flags combine by their rule; == compares every field
// but bookkeeping. Shared by SufficientState and LabelwiseState.
#pragma once

#include <cstdint>
#include <type_traits>

#include "metricaudit/state_fields.hpp"

namespace metricaudit::detail {

/// mixed_inputs of a merge: some of the `states` merged (each with a batch) held
/// scores and some labels only. Merging two states: with_scores = a.has + b.has, states 2;
/// the array form (state_arrays.cpp): the summed has_scores flag and the summed states.
constexpr bool inputs_mixed(std::int64_t with_scores, std::int64_t states) {
  return with_scores > 0 && with_scores < states;
}

/// Adds every field of `from` into `into` (same options; both weighted or neither).
template <typename State>
void add_fields(State& into, const State& from) {
  for_each_field(
      [](const FieldInfo& f, auto a, auto b) {
        using T = std::remove_cvref_t<decltype(a[0])>;
        for (std::size_t i = 0; i < a.size(); ++i) {
          if constexpr (std::is_same_v<T, ExactSum>) {
            a[i].merge(b[i]);
          } else if constexpr (std::is_same_v<T, bool>) {
            a[i] = f.rule == FlagRule::any ? (a[i] || b[i]) : (a[i] && b[i]);
          } else {
            a[i] += b[i];
          }
        }
      },
      into, from);
}

/// Every compared field equal (same options and weighting already checked).
template <typename State>
bool fields_equal(const State& x, const State& y) {
  bool equal = true;
  for_each_field(
      [&equal](const FieldInfo& f, auto a, auto b) {
        if (!f.compared || !equal) return;
        if (a.size() != b.size()) {
          equal = false;
          return;
        }
        for (std::size_t i = 0; i < a.size() && equal; ++i) equal = a[i] == b[i];
      },
      x, y);
  return equal;
}

}  // namespace metricaudit::detail
