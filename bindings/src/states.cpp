// The two sufficient states as Python classes: update (GIL released, inputs read
// in place), merge, readings, the catalogue, and state dicts whose arrays can be
// summed element-wise by any transport (see state_dict below).
#include <pybind11/stl.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"

namespace metricaudit::python {
namespace {

using Int64Array = py::array_t<std::int64_t, py::array::c_style>;
constexpr auto kLimbs = static_cast<py::ssize_t>(ExactSum::kLimbs);
constexpr const char* kFormat = "metricaudit-state/1";

// ---- arrays out ------------------------------------------------------------

// A fresh C-contiguous array with its strides computed here: pybind11 < 2.12 (Debian's
// 2.10) derives default strides from the dtype's elsize at numpy 1's offset, which
// numpy 2 moved.
template <typename T>
py::array_t<T, py::array::c_style> fresh(std::vector<py::ssize_t> shape) {
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t step = static_cast<py::ssize_t>(sizeof(T));
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = step;
    step *= shape[i];
  }
  return py::array_t<T, py::array::c_style>(std::move(shape), std::move(strides));
}

Int64Array scalar(std::int64_t v) {
  auto a = fresh<std::int64_t>({});
  *a.mutable_data() = v;
  return a;
}

Int64Array vector_of(const std::vector<std::int64_t>& v) {
  auto a = fresh<std::int64_t>({static_cast<py::ssize_t>(v.size())});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

Int64Array rows_of(const std::vector<std::vector<std::int64_t>>& rows, std::size_t cols) {
  auto a =
      fresh<std::int64_t>({static_cast<py::ssize_t>(rows.size()), static_cast<py::ssize_t>(cols)});
  std::int64_t* p = a.mutable_data();
  for (const auto& r : rows) p = std::copy(r.begin(), r.end(), p);
  return a;
}

void put_limbs(std::int64_t* p, const ExactSum& s) {
  const auto l = s.limbs();
  std::copy(l.begin(), l.end(), p);
}

Int64Array limbs_of(const ExactSum& s) {
  auto a = fresh<std::int64_t>({kLimbs});
  put_limbs(a.mutable_data(), s);
  return a;
}

Int64Array limbs_of(const std::vector<ExactSum>& v) {
  auto a = fresh<std::int64_t>({static_cast<py::ssize_t>(v.size()), kLimbs});
  for (std::size_t i = 0; i < v.size(); ++i)
    put_limbs(a.mutable_data() + i * ExactSum::kLimbs, v[i]);
  return a;
}

// ---- arrays in -------------------------------------------------------------

// The int64 array under `key`, of exactly `shape`; ValueError naming the key otherwise.
Int64Array take(const py::dict& d, const char* key, const std::vector<py::ssize_t>& shape) {
  if (!d.contains(key)) {
    throw InvalidArgument(std::string("state_dict: missing entry '") + key + "'");
  }
  py::array raw = py::array::ensure(d[key]);
  if (!raw) throw InvalidArgument(std::string("state_dict: entry '") + key + "' is not an array");
  if (raw.dtype().kind() != 'i' && raw.dtype().kind() != 'u') {
    throw DTypeError(std::string("state_dict: entry '") + key +
                     "': expected an integer array, got " +
                     py::str(raw.dtype()).cast<std::string>());
  }
  auto a = Int64Array::ensure(raw);  // widening copy only when not int64 C-contiguous already
  bool same = a.ndim() == static_cast<py::ssize_t>(shape.size());
  for (std::size_t i = 0; same && i < shape.size(); ++i) same = a.shape(i) == shape[i];
  if (!same) {
    std::string want = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
      want += (i ? ", " : "") + std::to_string(shape[i]);
    }
    want += shape.size() == 1 ? ",)" : ")";
    throw ShapeError(std::string("state_dict: entry '") + key + "': expected shape " + want);
  }
  return a;
}

std::int64_t take_scalar(const py::dict& d, const char* key) {
  return *take(d, key, {}).data();
}

std::vector<std::int64_t> take_vector(const py::dict& d, const char* key, std::size_t n) {
  const auto a = take(d, key, {static_cast<py::ssize_t>(n)});
  return {a.data(), a.data() + n};
}

std::vector<std::vector<std::int64_t>> take_rows(const py::dict& d, const char* key,
                                                 std::size_t rows, std::size_t cols) {
  const auto a = take(d, key, {static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
  std::vector<std::vector<std::int64_t>> out(rows);
  for (std::size_t r = 0; r < rows; ++r)
    out[r].assign(a.data() + r * cols, a.data() + (r + 1) * cols);
  return out;
}

ExactSum sum_at(const std::int64_t* p) {
  std::array<std::int64_t, ExactSum::kLimbs> l{};
  std::copy(p, p + ExactSum::kLimbs, l.begin());
  return ExactSum::from_limbs(l);
}

ExactSum take_sum(const py::dict& d, const char* key) {
  return sum_at(take(d, key, {kLimbs}).data());
}

std::vector<ExactSum> take_sums(const py::dict& d, const char* key, std::size_t n) {
  const auto a = take(d, key, {static_cast<py::ssize_t>(n), kLimbs});
  std::vector<ExactSum> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = sum_at(a.data() + i * ExactSum::kLimbs);
  return out;
}

py::dict options_entry(const py::dict& d) {
  if (!d.contains("options")) throw InvalidArgument("state_dict: missing entry 'options'");
  py::dict o = d["options"].cast<py::dict>();
  if (!o.contains("format") || o["format"].cast<std::string>() != kFormat) {
    throw InvalidArgument(std::string("state_dict: options['format'] must be '") + kFormat + "'");
  }
  return o;
}

// ---- multi-class -----------------------------------------------------------

struct MulticlassState {
  explicit MulticlassState(StateOptions o) : state(std::move(o)) {}
  SufficientState state;
  std::mutex mutex;
  std::array<std::uintptr_t, 3> last_addresses{};
};

StateOptions multiclass_options(std::int64_t num_classes, std::optional<std::vector<int>> top_k,
                                std::optional<std::int64_t> ignore_index, double threshold,
                                std::optional<std::vector<std::string>> losses,
                                bool smoothing_terms, bool confusion_matrix, bool topk_sets,
                                bool smoothing_columns, int threads) {
  StateOptions o;
  o.num_classes = num_classes;
  if (top_k) o.top_k = *top_k;
  o.ignore_index = ignore_index;
  o.threshold = threshold;
  if (losses) {
    o.losses.clear();
    for (const auto& name : *losses) o.losses.push_back(parse_name<LossFamily>(name, "losses"));
  }
  o.smoothing_terms = smoothing_terms;
  o.confusion_matrix = confusion_matrix;
  o.topk_sets = topk_sets;
  o.smoothing_columns = smoothing_columns;
  o.threads = threads;
  return o;
}

py::dict options_dict(const StateOptions& o) {
  py::dict d;
  d["format"] = kFormat;
  d["kind"] = "multiclass";
  d["num_classes"] = o.num_classes;
  d["top_k"] = o.top_k;
  d["ignore_index"] =
      o.ignore_index ? py::object(py::int_(*o.ignore_index)) : py::object(py::none());
  d["threshold"] = o.threshold;
  py::list losses;
  for (LossFamily f : o.losses) losses.append(to_name(f));
  d["losses"] = losses;
  d["smoothing_terms"] = o.smoothing_terms;
  d["confusion_matrix"] = o.confusion_matrix;
  d["topk_sets"] = o.topk_sets;
  d["smoothing_columns"] = o.smoothing_columns;
  return d;
}

// Every entry but "options" is an int64 array; summing the entries of several
// state dicts element-wise gives the state dict of their merge:
//   - counts add;
//   - ExactSum values are their normalised limbs (ExactSum::limbs), which add;
//   - the weighted sums are always present: an unweighted state contributes
//     weight 1 per sample, exactly what merge() does when it promotes it;
//   - boolean flags travel as counts of the states having them ("weighted_states",
//     "label_states", ...), so that "any" and "all" survive summation.
py::dict multiclass_state_dict(const SufficientState& s0) {
  SufficientState promoted = s0;
  promoted.promote_to_weighted();  // no-op when already weighted
  const SufficientState& s = promoted;
  const auto C = static_cast<std::size_t>(s.num_classes());
  const std::size_t K = s.options().top_k.size();
  const bool nonempty = s.batches > 0;
  py::dict d;
  d["options"] = options_dict(s.options());
  d["samples"] = scalar(s.samples);
  d["ignored"] = scalar(s.ignored);
  d["batches"] = scalar(s.batches);
  d["weighted_states"] = scalar(s0.weighted ? 1 : 0);
  d["score_states"] = scalar(nonempty && s.has_scores ? 1 : 0);
  d["label_states"] = scalar(nonempty && !s.has_scores ? 1 : 0);
  d["mixed_states"] = scalar(s.mixed_inputs ? 1 : 0);
  d["outside_unit_states"] = scalar(s.scores_in_unit_interval ? 0 : 1);
  d["tp"] = vector_of(s.tp);
  d["predicted"] = vector_of(s.predicted);
  d["support"] = vector_of(s.support);
  d["rank_histogram"] = rows_of({s.rank_histogram.begin(), s.rank_histogram.end()}, C);
  d["topk_hits_by_class"] = rows_of(s.topk_hits_by_class, C);
  d["topk_misses_by_predicted"] = rows_of(s.topk_misses_by_predicted, C);
  d["topk_set_by_class"] =
      s.options().topk_sets ? rows_of(s.topk_set_by_class, C) : fresh<std::int64_t>({0});
  d["elementwise_correct"] = scalar(s.elementwise_correct);
  d["w_tp"] = limbs_of(s.w_tp);
  d["w_predicted"] = limbs_of(s.w_predicted);
  d["w_support"] = limbs_of(s.w_support);
  d["w_total"] = limbs_of(s.w_total);
  d["w_topk_hits"] = limbs_of(s.w_topk_hits);
  {
    // (tie rule, k, limbs); zeros for an unweighted state, like the other weighted sums.
    auto by_rule = fresh<std::int64_t>({kTieRules, static_cast<py::ssize_t>(K), kLimbs});
    std::fill_n(by_rule.mutable_data(), by_rule.size(), 0);
    for (int r = 0; r < kTieRules; ++r) {
      for (std::size_t j = 0; j < s.w_topk_hits_by_rule[r].size(); ++j) {
        put_limbs(by_rule.mutable_data() + (static_cast<std::size_t>(r) * K + j) * kLimbs,
                  s.w_topk_hits_by_rule[r][j]);
      }
    }
    d["w_topk_hits_by_rule"] = by_rule;
  }
  d["w_elementwise_correct"] = limbs_of(s.w_elementwise_correct);
  auto by_class = fresh<std::int64_t>({kLossFamilies, static_cast<py::ssize_t>(C), kLimbs});
  auto smoothing = fresh<std::int64_t>({kLossFamilies, kLimbs});
  auto inf_terms = fresh<std::int64_t>({kLossFamilies});
  auto inf_smoothing = fresh<std::int64_t>({kLossFamilies});
  auto unavailable = fresh<std::int64_t>({kLossFamilies});
  std::fill_n(by_class.mutable_data(), by_class.size(), 0);
  for (int f = 0; f < kLossFamilies; ++f) {
    const LossSums& l = s.losses[f];
    for (std::size_t c = 0; c < l.by_class.size(); ++c) {
      put_limbs(by_class.mutable_data() + (static_cast<std::size_t>(f) * C + c) * ExactSum::kLimbs,
                l.by_class[c]);
    }
    put_limbs(smoothing.mutable_data() + f * ExactSum::kLimbs, l.smoothing);
    inf_terms.mutable_data()[f] = l.infinite_terms;
    inf_smoothing.mutable_data()[f] = l.infinite_smoothing;
    unavailable.mutable_data()[f] = l.enabled && !l.available ? 1 : 0;
  }
  d["loss_by_class"] = by_class;
  d["loss_smoothing"] = smoothing;
  d["loss_infinite_terms"] = inf_terms;
  d["loss_infinite_smoothing"] = inf_smoothing;
  d["loss_unavailable_states"] = unavailable;
  // smoothing_columns: the logits family's per-column smoothing sums (empty otherwise).
  const LossSums& logit_sums = s.losses[static_cast<int>(LossFamily::logits)];
  d["loss_smoothing_by_column"] = limbs_of(logit_sums.smoothing_by_column);
  d["loss_infinite_by_column"] = vector_of(logit_sums.infinite_by_column);
  d["confusion"] =
      s.confusion.empty()
          ? fresh<std::int64_t>({0})
          : rows_of(
                [&] {
                  std::vector<std::vector<std::int64_t>> rows(C);
                  for (std::size_t r = 0; r < C; ++r) {
                    rows[r].assign(s.confusion.begin() + static_cast<std::ptrdiff_t>(r * C),
                                   s.confusion.begin() + static_cast<std::ptrdiff_t>((r + 1) * C));
                  }
                  return rows;
                }(),
                C);
  return d;
}

SufficientState multiclass_from_state_dict(const py::dict& d, int threads) {
  const py::dict o = options_entry(d);
  if (o["kind"].cast<std::string>() != "multiclass") {
    throw InvalidArgument("state_dict: options['kind'] is not 'multiclass'");
  }
  std::optional<std::vector<std::string>> losses = o["losses"].cast<std::vector<std::string>>();
  StateOptions opts = multiclass_options(
      o["num_classes"].cast<std::int64_t>(), o["top_k"].cast<std::vector<int>>(),
      o["ignore_index"].is_none()
          ? std::nullopt
          : std::optional<std::int64_t>(o["ignore_index"].cast<std::int64_t>()),
      o["threshold"].cast<double>(), losses, o["smoothing_terms"].cast<bool>(),
      o["confusion_matrix"].cast<bool>(),
      // absent from state dicts written before topk_sets existed
      o.contains("topk_sets") && o["topk_sets"].cast<bool>(),
      o.contains("smoothing_columns") && o["smoothing_columns"].cast<bool>(), threads);
  SufficientState s(opts);
  const auto C = static_cast<std::size_t>(s.num_classes());
  const std::size_t K = s.options().top_k.size();
  s.samples = take_scalar(d, "samples");
  s.ignored = take_scalar(d, "ignored");
  s.batches = take_scalar(d, "batches");
  const std::int64_t score_states = take_scalar(d, "score_states");
  const std::int64_t label_states = take_scalar(d, "label_states");
  s.has_scores = score_states > 0 && label_states == 0;
  s.mixed_inputs = take_scalar(d, "mixed_states") > 0 || (score_states > 0 && label_states > 0);
  s.scores_in_unit_interval = take_scalar(d, "outside_unit_states") == 0;
  s.tp = take_vector(d, "tp", C);
  s.predicted = take_vector(d, "predicted", C);
  s.support = take_vector(d, "support", C);
  const auto ranks = take_rows(d, "rank_histogram", kTieRules, C);
  for (int r = 0; r < kTieRules; ++r) s.rank_histogram[r] = ranks[static_cast<std::size_t>(r)];
  s.topk_hits_by_class = take_rows(d, "topk_hits_by_class", K, C);
  s.topk_misses_by_predicted = take_rows(d, "topk_misses_by_predicted", K, C);
  if (s.options().topk_sets) s.topk_set_by_class = take_rows(d, "topk_set_by_class", K, C);
  s.elementwise_correct = take_scalar(d, "elementwise_correct");
  // Read (and so validate) the weighted sums always; keep them when some state was weighted.
  auto w_tp = take_sums(d, "w_tp", C);
  auto w_predicted = take_sums(d, "w_predicted", C);
  auto w_support = take_sums(d, "w_support", C);
  auto w_total = take_sum(d, "w_total");
  auto w_topk_hits = take_sums(d, "w_topk_hits", K);
  const auto w_by_rule =
      take(d, "w_topk_hits_by_rule", {kTieRules, static_cast<py::ssize_t>(K), kLimbs});
  auto w_elementwise = take_sum(d, "w_elementwise_correct");
  if (take_scalar(d, "weighted_states") > 0) {
    s.weighted = true;
    s.w_tp = std::move(w_tp);
    s.w_predicted = std::move(w_predicted);
    s.w_support = std::move(w_support);
    s.w_total = w_total;
    s.w_topk_hits = std::move(w_topk_hits);
    for (int r = 0; r < kTieRules; ++r) {
      s.w_topk_hits_by_rule[r].resize(K);
      for (std::size_t j = 0; j < K; ++j) {
        s.w_topk_hits_by_rule[r][j] =
            sum_at(w_by_rule.data() + (static_cast<std::size_t>(r) * K + j) * kLimbs);
      }
    }
    s.w_elementwise_correct = w_elementwise;
  }
  const auto by_class =
      take(d, "loss_by_class", {kLossFamilies, static_cast<py::ssize_t>(C), kLimbs});
  const auto smoothing = take(d, "loss_smoothing", {kLossFamilies, kLimbs});
  const auto inf_terms = take_vector(d, "loss_infinite_terms", kLossFamilies);
  const auto inf_smoothing = take_vector(d, "loss_infinite_smoothing", kLossFamilies);
  const auto unavailable = take_vector(d, "loss_unavailable_states", kLossFamilies);
  {
    LossSums& l = s.losses[static_cast<int>(LossFamily::logits)];
    if (!l.smoothing_by_column.empty()) {
      l.smoothing_by_column = take_sums(d, "loss_smoothing_by_column", C);
      l.infinite_by_column = take_vector(d, "loss_infinite_by_column", C);
    }
  }
  for (int f = 0; f < kLossFamilies; ++f) {
    LossSums& l = s.losses[f];
    const auto fi = static_cast<std::size_t>(f);
    if (!l.enabled) continue;
    l.available = unavailable[fi] == 0;
    for (std::size_t c = 0; c < C; ++c) {
      l.by_class[c] = sum_at(by_class.data() + (fi * C + c) * ExactSum::kLimbs);
    }
    l.smoothing = sum_at(smoothing.data() + fi * ExactSum::kLimbs);
    l.infinite_terms = inf_terms[fi];
    l.infinite_smoothing = inf_smoothing[fi];
  }
  if (s.options().confusion_matrix) {
    const auto m = take(d, "confusion", {static_cast<py::ssize_t>(C), static_cast<py::ssize_t>(C)});
    s.confusion.assign(m.data(), m.data() + C * C);
  }
  return s;
}

py::list catalogue_list(const SufficientState& s, const std::string& kind) {
  MetricKind k;
  if (kind == "accuracy") {
    k = MetricKind::accuracy;
  } else if (kind == "loss") {
    k = MetricKind::loss;
  } else {
    throw InvalidArgument("metric: expected 'accuracy' or 'loss', got '" + kind + "'");
  }
  py::list out;
  for (const Candidate& c : catalogue(s, k)) {
    py::dict d;
    d["id"] = c.id;
    d["description"] = c.description;
    d["libraries"] = c.libraries;
    d["value"] = c.value;
    d["unavailable"] = c.unavailable;
    d["convention"] = c.convention;
    out.append(d);
  }
  return out;
}

py::array_t<double, py::array::c_style> doubles(const std::vector<double>& v) {
  auto a = fresh<double>({static_cast<py::ssize_t>(v.size())});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// ---- labelwise -------------------------------------------------------------

struct LabelwiseStateBox {
  explicit LabelwiseStateBox(LabelwiseOptions o) : state(o) {}
  LabelwiseState state;
  std::mutex mutex;
  std::array<std::uintptr_t, 3> last_addresses{};
};

py::dict labelwise_state_dict(const LabelwiseState& s) {
  const auto L = static_cast<std::size_t>(s.num_labels());
  py::dict o;
  o["format"] = kFormat;
  o["kind"] = "labelwise";
  o["num_labels"] = s.num_labels();
  o["threshold"] = s.options().threshold;
  py::dict d;
  d["options"] = o;
  d["samples"] = scalar(s.samples);
  d["batches"] = scalar(s.batches);
  d["weighted_states"] = scalar(s.weighted ? 1 : 0);
  d["outside_unit_states"] = scalar(s.scores_in_unit_interval ? 0 : 1);
  d["tp"] = rows_of({s.tp.begin(), s.tp.end()}, L);
  d["fp"] = rows_of({s.fp.begin(), s.fp.end()}, L);
  d["tn"] = rows_of({s.tn.begin(), s.tn.end()}, L);
  d["fn"] = rows_of({s.fn.begin(), s.fn.end()}, L);
  d["exact_match"] = vector_of({s.exact_match.begin(), s.exact_match.end()});
  d["w_correct_cells"] =
      limbs_of(std::vector<ExactSum>(s.w_correct_cells.begin(), s.w_correct_cells.end()));
  d["w_exact_match"] =
      limbs_of(std::vector<ExactSum>(s.w_exact_match.begin(), s.w_exact_match.end()));
  d["w_total"] = limbs_of(s.w_total);
  d["bce"] = limbs_of(std::vector<ExactSum>(s.bce.begin(), s.bce.end()));
  auto unavailable = fresh<std::int64_t>({kBinaryLossFamilies});
  for (int f = 0; f < kBinaryLossFamilies; ++f)
    unavailable.mutable_data()[f] = s.bce_available[f] ? 0 : 1;
  d["bce_unavailable_states"] = unavailable;
  return d;
}

LabelwiseState labelwise_from_state_dict(const py::dict& d, int threads) {
  const py::dict o = options_entry(d);
  if (o["kind"].cast<std::string>() != "labelwise") {
    throw InvalidArgument("state_dict: options['kind'] is not 'labelwise'");
  }
  LabelwiseOptions opts;
  opts.num_labels = o["num_labels"].cast<std::int64_t>();
  opts.threshold = o["threshold"].cast<double>();
  opts.threads = threads;
  LabelwiseState s(opts);
  const auto L = static_cast<std::size_t>(s.num_labels());
  s.samples = take_scalar(d, "samples");
  s.batches = take_scalar(d, "batches");
  s.weighted = take_scalar(d, "weighted_states") > 0;
  s.scores_in_unit_interval = take_scalar(d, "outside_unit_states") == 0;
  const auto tp = take_rows(d, "tp", kScoreReadings, L);
  const auto fp = take_rows(d, "fp", kScoreReadings, L);
  const auto tn = take_rows(d, "tn", kScoreReadings, L);
  const auto fn = take_rows(d, "fn", kScoreReadings, L);
  const auto exact = take_vector(d, "exact_match", kScoreReadings);
  const auto cells = take_sums(d, "w_correct_cells", kScoreReadings);
  const auto w_exact = take_sums(d, "w_exact_match", kScoreReadings);
  for (std::size_t r = 0; r < kScoreReadings; ++r) {
    s.tp[r] = tp[r];
    s.fp[r] = fp[r];
    s.tn[r] = tn[r];
    s.fn[r] = fn[r];
    s.exact_match[r] = exact[r];
    s.w_correct_cells[r] = cells[r];
    s.w_exact_match[r] = w_exact[r];
  }
  s.w_total = take_sum(d, "w_total");
  const auto bce = take_sums(d, "bce", kBinaryLossFamilies);
  const auto unavailable = take_vector(d, "bce_unavailable_states", kBinaryLossFamilies);
  for (std::size_t f = 0; f < kBinaryLossFamilies; ++f) {
    s.bce[f] = bce[f];
    s.bce_available[f] = unavailable[f] == 0;
  }
  return s;
}

template <typename Box>
void merge_boxes(Box& self, Box& other) {
  if (&self == &other) {
    std::lock_guard<std::mutex> lock(self.mutex);
    const auto copy = self.state;
    self.state.merge(copy);
    return;
  }
  std::scoped_lock lock(self.mutex, other.mutex);
  self.state.merge(other.state);
}

}  // namespace

void bind_states(py::module_& m) {
  py::class_<MulticlassState>(m, "MulticlassState",
                              "SufficientState of a multi-class evaluation (one label per sample).")
      .def(py::init([](std::int64_t num_classes, std::optional<std::vector<int>> top_k,
                       std::optional<std::int64_t> ignore_index, double threshold,
                       std::optional<std::vector<std::string>> losses, bool smoothing_terms,
                       bool confusion_matrix, bool topk_sets, bool smoothing_columns, int threads) {
             return std::make_unique<MulticlassState>(multiclass_options(
                 num_classes, std::move(top_k), ignore_index, threshold, std::move(losses),
                 smoothing_terms, confusion_matrix, topk_sets, smoothing_columns, threads));
           }),
           py::arg("num_classes"), py::kw_only(), py::arg("top_k") = py::none(),
           py::arg("ignore_index") = py::none(), py::arg("threshold") = 0.5,
           py::arg("losses") = py::none(), py::arg("smoothing_terms") = true,
           py::arg("confusion_matrix") = false, py::arg("topk_sets") = false,
           py::arg("smoothing_columns") = false, py::arg("threads") = 0)
      .def(
          "update",
          [](MulticlassState& self, const py::array& target, const py::array& preds,
             const py::object& sample_weight) {
            MulticlassBatch b;
            b.target = view_of(target, "target", Accept::integer);
            const ArrayView p = view_of(preds, "preds", Accept::any);
            if (p.dtype == DType::float32 || p.dtype == DType::float64) {
              b.scores = p;
            } else {
              b.predicted = p;
            }
            b.sample_weight = optional_view(sample_weight, "sample_weight", Accept::floating);
            self.last_addresses = {reinterpret_cast<std::uintptr_t>(b.target.data),
                                   reinterpret_cast<std::uintptr_t>(p.data),
                                   reinterpret_cast<std::uintptr_t>(b.sample_weight.data)};
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(self.mutex);
            update(self.state, b);
          },
          py::arg("target"), py::arg("preds"), py::arg("sample_weight") = py::none(),
          "Folds one batch in; the arrays are read in place with the GIL released.")
      .def("merge", [](MulticlassState& self, MulticlassState& other) { merge_boxes(self, other); })
      .def(
          "read",
          [](MulticlassState& self, const Convention& c) {
            std::lock_guard<std::mutex> lock(self.mutex);
            return read(self.state, c);
          },
          py::arg("convention"))
      .def(
          "read_per_class",
          [](MulticlassState& self, const Convention& c) {
            std::lock_guard<std::mutex> lock(self.mutex);
            return doubles(read_per_class(self.state, c));
          },
          py::arg("convention"))
      .def(
          "catalogue",
          [](MulticlassState& self, const std::string& kind) {
            std::lock_guard<std::mutex> lock(self.mutex);
            return catalogue_list(self.state, kind);
          },
          py::arg("kind"))
      .def("confusion_matrix",
           [](MulticlassState& self) {
             std::lock_guard<std::mutex> lock(self.mutex);
             const auto C = static_cast<py::ssize_t>(self.state.num_classes());
             if (self.state.confusion.empty()) {
               throw UnavailableError(
                   "confusion_matrix: not kept; build the state with confusion_matrix=True");
             }
             auto a = fresh<std::int64_t>({C, C});
             std::copy(self.state.confusion.begin(), self.state.confusion.end(), a.mutable_data());
             return a;
           })
      .def("state_dict",
           [](MulticlassState& self) {
             std::lock_guard<std::mutex> lock(self.mutex);
             return multiclass_state_dict(self.state);
           })
      .def_static(
          "from_state_dict",
          [](const py::dict& d, int threads) {
            StateOptions placeholder;
            placeholder.num_classes = 1;
            auto box = std::make_unique<MulticlassState>(placeholder);
            box->state = multiclass_from_state_dict(d, threads);
            return box;
          },
          py::arg("state_dict"), py::kw_only(), py::arg("threads") = 0)
      .def("copy",
           [](MulticlassState& self) {
             std::lock_guard<std::mutex> lock(self.mutex);
             auto box = std::make_unique<MulticlassState>(self.state.options());
             box->state = self.state;
             return box;
           })
      .def("__eq__",
           [](MulticlassState& a, MulticlassState& b) {
             if (&a == &b) return true;
             std::scoped_lock lock(a.mutex, b.mutex);
             return a.state == b.state;
           })
      .def_property_readonly(
          "options", [](const MulticlassState& s) { return options_dict(s.state.options()); })
      .def_property_readonly("num_classes",
                             [](const MulticlassState& s) { return s.state.num_classes(); })
      .def_property_readonly("samples", [](const MulticlassState& s) { return s.state.samples; })
      .def_property_readonly("ignored", [](const MulticlassState& s) { return s.state.ignored; })
      .def_property_readonly("batches", [](const MulticlassState& s) { return s.state.batches; })
      .def_property_readonly("has_scores",
                             [](const MulticlassState& s) { return s.state.has_scores; })
      .def_property_readonly("weighted", [](const MulticlassState& s) { return s.state.weighted; })
      .def_property_readonly(
          "scores_in_unit_interval",
          [](const MulticlassState& s) { return s.state.scores_in_unit_interval; })
      .def_property_readonly("tp", [](const MulticlassState& s) { return vector_of(s.state.tp); })
      .def_property_readonly("predicted",
                             [](const MulticlassState& s) { return vector_of(s.state.predicted); })
      .def_property_readonly("support",
                             [](const MulticlassState& s) { return vector_of(s.state.support); })
      .def_property_readonly("_last_input_addresses",
                             [](const MulticlassState& s) { return s.last_addresses; });

  py::class_<LabelwiseStateBox>(
      m, "LabelwiseState", "LabelwiseState of a binary (L = 1) or multilabel (L > 1) evaluation.")
      .def(py::init([](std::int64_t num_labels, double threshold, int threads) {
             LabelwiseOptions o;
             o.num_labels = num_labels;
             o.threshold = threshold;
             o.threads = threads;
             return std::make_unique<LabelwiseStateBox>(o);
           }),
           py::arg("num_labels"), py::kw_only(), py::arg("threshold") = 0.5, py::arg("threads") = 0)
      .def(
          "update",
          [](LabelwiseStateBox& self, const py::array& target, const py::array& preds,
             const py::object& sample_weight) {
            LabelwiseBatch b;
            b.target = view_of(target, "target", Accept::integer);
            b.scores = view_of(preds, "preds", Accept::floating);
            b.sample_weight = optional_view(sample_weight, "sample_weight", Accept::floating);
            self.last_addresses = {reinterpret_cast<std::uintptr_t>(b.target.data),
                                   reinterpret_cast<std::uintptr_t>(b.scores.data),
                                   reinterpret_cast<std::uintptr_t>(b.sample_weight.data)};
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(self.mutex);
            update(self.state, b);
          },
          py::arg("target"), py::arg("preds"), py::arg("sample_weight") = py::none())
      .def("merge",
           [](LabelwiseStateBox& self, LabelwiseStateBox& other) { merge_boxes(self, other); })
      .def(
          "read",
          [](LabelwiseStateBox& self, const LabelwiseConvention& c) {
            std::lock_guard<std::mutex> lock(self.mutex);
            return read(self.state, c);
          },
          py::arg("convention"))
      .def(
          "read_per_label",
          [](LabelwiseStateBox& self, const LabelwiseConvention& c) {
            std::lock_guard<std::mutex> lock(self.mutex);
            return doubles(read_per_label(self.state, c));
          },
          py::arg("convention"))
      .def(
          "counts",
          [](LabelwiseStateBox& self, const std::string& reading) {
            std::lock_guard<std::mutex> lock(self.mutex);
            const int r = static_cast<int>(parse_name<ScoreReading>(reading));
            py::dict d;
            d["tp"] = vector_of(self.state.tp[r]);
            d["fp"] = vector_of(self.state.fp[r]);
            d["tn"] = vector_of(self.state.tn[r]);
            d["fn"] = vector_of(self.state.fn[r]);
            return d;
          },
          py::arg("reading"), "Per-label tp, fp, tn, fn under one score reading (unweighted).")
      .def("state_dict",
           [](LabelwiseStateBox& self) {
             std::lock_guard<std::mutex> lock(self.mutex);
             return labelwise_state_dict(self.state);
           })
      .def_static(
          "from_state_dict",
          [](const py::dict& d, int threads) {
            auto box = std::make_unique<LabelwiseStateBox>(LabelwiseOptions{});
            box->state = labelwise_from_state_dict(d, threads);
            return box;
          },
          py::arg("state_dict"), py::kw_only(), py::arg("threads") = 0)
      .def("copy",
           [](LabelwiseStateBox& self) {
             std::lock_guard<std::mutex> lock(self.mutex);
             auto box = std::make_unique<LabelwiseStateBox>(self.state.options());
             box->state = self.state;
             return box;
           })
      .def("__eq__",
           [](LabelwiseStateBox& a, LabelwiseStateBox& b) {
             if (&a == &b) return true;
             std::scoped_lock lock(a.mutex, b.mutex);
             return a.state == b.state;
           })
      .def_property_readonly("num_labels",
                             [](const LabelwiseStateBox& s) { return s.state.num_labels(); })
      .def_property_readonly("threshold",
                             [](const LabelwiseStateBox& s) { return s.state.options().threshold; })
      .def_property_readonly("samples", [](const LabelwiseStateBox& s) { return s.state.samples; })
      .def_property_readonly("batches", [](const LabelwiseStateBox& s) { return s.state.batches; })
      .def_property_readonly("weighted",
                             [](const LabelwiseStateBox& s) { return s.state.weighted; })
      .def_property_readonly(
          "scores_in_unit_interval",
          [](const LabelwiseStateBox& s) { return s.state.scores_in_unit_interval; })
      .def_property_readonly("_last_input_addresses",
                             [](const LabelwiseStateBox& s) { return s.last_addresses; });
}

}  // namespace metricaudit::python
