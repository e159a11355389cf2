// The array form of the states (state_arrays.hpp): every field of the field list
// (state_fields.hpp) in, every field out; nothing here names a field but the flags
// whose meaning crosses fields ("states", "weighted", "has_scores").
#include "metricaudit/state_arrays.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <type_traits>

#include "detail/state_ops.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit {
namespace {

constexpr const char* kStates = "states";

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::vector<std::int64_t> shape_of(const FieldInfo& f) {
  std::vector<std::int64_t> shape(f.dims.begin(), f.dims.begin() + f.ndim);
  if (f.kind == FieldKind::exact_sum) shape.push_back(ExactSum::kLimbs);
  return shape;
}

StateArray scalar_array(const char* name, std::int64_t value) {
  return StateArray{name, FieldKind::count, {}, {value}};
}

template <typename State>
StateArrays arrays_of(const State& s) {
  const bool contributed = s.batches > 0;
  StateArrays out{scalar_array(kStates, contributed ? 1 : 0)};
  for_each_field(
      [&](const FieldInfo& f, auto cells) {
        using T = std::remove_cvref_t<decltype(cells[0])>;
        StateArray a{std::string(f.name), f.kind, shape_of(f), {}};
        a.values.resize(cells.size() * static_cast<std::size_t>(values_per_cell(f.kind)));
        if constexpr (std::is_same_v<T, bool>) {
          for (std::size_t i = 0; i < cells.size(); ++i) a.values[i] = contributed && cells[i];
        } else {
          field_cells::store_cells(cells, a.values.data());
        }
        out.push_back(std::move(a));
      },
      s);
  return out;
}

/// The arrays by name, each checked against the shapes of `layout` (the arrays of a new
/// state of the same options, weighted).
class Checked {
 public:
  Checked(const StateArrays& layout, const StateArrays& arrays) {
    for (const StateArray& a : arrays) {
      if (!by_name_.emplace(a.name, &a).second) {
        throw InvalidArgument("state arrays: entry '" + a.name + "' appears twice");
      }
    }
    for (const StateArray& want : layout) {
      const auto it = by_name_.find(want.name);
      if (it == by_name_.end()) {
        throw InvalidArgument("state arrays: missing entry '" + want.name + "'");
      }
      const StateArray& got = *it->second;
      if (got.shape != want.shape) {
        throw ShapeError("state arrays: entry '" + want.name + "': expected shape " +
                         shape_text(want.shape) + ", got " + shape_text(got.shape));
      }
      if (got.values.size() != want.values.size()) {
        throw ShapeError("state arrays: entry '" + want.name + "': expected " +
                         std::to_string(want.values.size()) + " values, got " +
                         std::to_string(got.values.size()));
      }
    }
    if (by_name_.size() != layout.size()) {
      for (const StateArray& a : arrays) {
        const bool known = std::any_of(layout.begin(), layout.end(),
                                       [&](const StateArray& l) { return l.name == a.name; });
        if (!known) {
          throw InvalidArgument("state arrays: unknown entry '" + a.name +
                                "' (written by another version of metricaudit, or for other "
                                "options?)");
        }
      }
    }
    states_ = at(kStates)[0];
    if (states_ < 0) {
      throw InvalidArgument("state arrays: entry 'states': expected a count >= 0, got " +
                            std::to_string(states_));
    }
  }

  const std::vector<std::int64_t>& at(std::string_view name) const {
    return by_name_.at(std::string(name))->values;
  }
  std::int64_t states() const { return states_; }

  /// A flag from its count of states: FlagRule decides; no state keeps `fresh`.
  bool flag(const FieldInfo& f, std::int64_t count, bool fresh) const {
    if (count < 0 || count > states_) {
      throw InvalidArgument("state arrays: entry '" + std::string(f.name) +
                            "': a flag counts states, expected a value in [0, states=" +
                            std::to_string(states_) + "], got " + std::to_string(count));
    }
    if (states_ == 0) return fresh;
    return f.rule == FlagRule::any ? count > 0 : count == states_;
  }

 private:
  std::map<std::string, const StateArray*, std::less<>> by_name_;
  std::int64_t states_ = 0;
};

/// Reads every field of `s` (a new state, promoted when the arrays say weighted) from
/// the checked arrays.
template <typename State>
void read_fields(State& s, const Checked& in) {
  for_each_field(
      [&](const FieldInfo& f, auto cells) {
        using T = std::remove_cvref_t<decltype(cells[0])>;
        const std::vector<std::int64_t>& v = in.at(f.name);
        if constexpr (std::is_same_v<T, bool>) {
          for (std::size_t i = 0; i < cells.size(); ++i) cells[i] = in.flag(f, v[i], cells[i]);
        } else {
          field_cells::load_cells(cells, v.data());
        }
      },
      s);
}

bool weighted_in(const Checked& in) {
  const FieldInfo f{"weighted", FieldKind::flag, FlagRule::any};
  return in.flag(f, in.at(f.name)[0], false);
}

}  // namespace

StateArrays to_arrays(const SufficientState& state) {
  if (state.weighted) return arrays_of(state);
  // Unweighted: the weighted sums of weight 1 per sample (as merge promotes a state),
  // under a `weighted` flag that stays 0.
  SufficientState promoted = state;
  promoted.promote_to_weighted();
  StateArrays out = arrays_of(promoted);
  for (StateArray& a : out) {
    if (a.name == "weighted") a.values[0] = 0;
  }
  return out;
}

StateArrays to_arrays(const LabelwiseState& state) {
  return arrays_of(state);
}

SufficientState from_arrays(const StateOptions& options, const StateArrays& arrays) {
  SufficientState s(options);
  SufficientState weighted_layout(options);
  weighted_layout.promote_to_weighted();
  const Checked in(arrays_of(weighted_layout), arrays);
  if (weighted_in(in)) s.promote_to_weighted();
  read_fields(s, in);
  const FieldInfo has{"has_scores", FieldKind::flag, FlagRule::all};
  s.mixed_inputs = s.mixed_inputs || detail::inputs_mixed(in.at(has.name)[0], in.states());
  return s;
}

LabelwiseState from_arrays(const LabelwiseOptions& options, const StateArrays& arrays) {
  LabelwiseState s(options);
  const Checked in(arrays_of(LabelwiseState(options)), arrays);
  read_fields(s, in);
  return s;
}

std::vector<std::int64_t> flatten(const StateArrays& arrays) {
  std::size_t n = 0;
  for (const StateArray& a : arrays) n += a.values.size();
  std::vector<std::int64_t> out;
  out.reserve(n);
  for (const StateArray& a : arrays) out.insert(out.end(), a.values.begin(), a.values.end());
  return out;
}

void unflatten(std::span<const std::int64_t> buffer, StateArrays& arrays) {
  std::size_t n = 0;
  for (const StateArray& a : arrays) n += a.values.size();
  if (buffer.size() != n) {
    throw ShapeError("state arrays: expected a buffer of " + std::to_string(n) + " values, got " +
                     std::to_string(buffer.size()));
  }
  auto from = buffer.begin();
  for (StateArray& a : arrays) {
    std::copy_n(from, a.values.size(), a.values.begin());
    from += static_cast<std::ptrdiff_t>(a.values.size());
  }
}

}  // namespace metricaudit
