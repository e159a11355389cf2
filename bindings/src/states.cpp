// The two sufficient states as Python classes: update (GIL released, inputs read
// in place), merge, readings, the catalogue, and state dicts: the core's array form
// (metricaudit/state_arrays.hpp) as numpy arrays, which any transport can sum.
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
// Version 3: the Python Evaluator adds its score-cast counts and options
// (metricaudit/_score_cast.py), which this layer neither writes nor reads; version 2: the
// entries are the field list's (state_fields.hpp), flags as counts of states with a
// "states" entry; version 1 lacked topk_boundary_ties.
constexpr const char* kFormat = "metricaudit-state/3";

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

template <typename T>
py::array_t<T, py::array::c_style> array_of(const std::vector<T>& v) {
  auto a = fresh<T>({static_cast<py::ssize_t>(v.size())});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// ---- options ---------------------------------------------------------------

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

py::dict options_dict(const LabelwiseOptions& o) {
  py::dict d;
  d["format"] = kFormat;
  d["kind"] = "labelwise";
  d["num_labels"] = o.num_labels;
  d["threshold"] = o.threshold;
  return d;
}

StateOptions options_from(const py::dict& o, const SufficientState*, int threads) {
  return multiclass_options(
      o["num_classes"].cast<std::int64_t>(), o["top_k"].cast<std::vector<int>>(),
      o["ignore_index"].is_none()
          ? std::nullopt
          : std::optional<std::int64_t>(o["ignore_index"].cast<std::int64_t>()),
      o["threshold"].cast<double>(), o["losses"].cast<std::vector<std::string>>(),
      o["smoothing_terms"].cast<bool>(), o["confusion_matrix"].cast<bool>(),
      o["topk_sets"].cast<bool>(), o["smoothing_columns"].cast<bool>(), threads);
}

LabelwiseOptions options_from(const py::dict& o, const LabelwiseState*, int threads) {
  LabelwiseOptions opts;
  opts.num_labels = o["num_labels"].cast<std::int64_t>();
  opts.threshold = o["threshold"].cast<double>();
  opts.threads = threads;
  return opts;
}

// ---- state dicts -------------------------------------------------------------

template <typename State>
py::dict state_dict(const State& s) {
  py::dict d;
  d["options"] = options_dict(s.options());
  for (const StateArray& a : to_arrays(s)) {
    auto array = fresh<std::int64_t>({a.shape.begin(), a.shape.end()});
    std::copy(a.values.begin(), a.values.end(), array.mutable_data());
    d[py::str(a.name)] = array;
  }
  return d;
}

// One entry of a state dict as the core's StateArray; the core checks names and shapes.
StateArray entry(const std::string& name, const py::handle& value) {
  py::array raw = py::array::ensure(value);
  if (!raw) throw InvalidArgument("state_dict: entry '" + name + "' is not an array");
  if (raw.dtype().kind() != 'i' && raw.dtype().kind() != 'u') {
    throw DTypeError("state_dict: entry '" + name + "': expected an integer array, got " +
                     py::str(raw.dtype()).cast<std::string>());
  }
  const auto a = Int64Array::ensure(raw);  // a widening copy only when not int64 already
  StateArray out{name, FieldKind::count, {}, {}};
  for (py::ssize_t i = 0; i < a.ndim(); ++i) out.shape.push_back(a.shape(i));
  out.values.assign(a.data(), a.data() + a.size());
  return out;
}

template <typename State>
State from_state_dict(const py::dict& d, const char* kind, int threads) {
  if (!d.contains("options")) throw InvalidArgument("state_dict: missing entry 'options'");
  const py::dict o = d["options"].cast<py::dict>();
  const std::string format = o.contains("format") ? py::str(o["format"]).cast<std::string>() : "";
  if (format != kFormat) {
    throw InvalidArgument(std::string("state_dict: options['format'] must be '") + kFormat +
                          "', got '" + format + "' (re-create the state dict with this version)");
  }
  if (!o.contains("kind") || o["kind"].cast<std::string>() != kind) {
    throw InvalidArgument(std::string("state_dict: options['kind'] is not '") + kind + "'");
  }
  StateArrays arrays;
  for (const auto& [key, value] : d) {
    const auto name = py::str(key).cast<std::string>();
    if (name != "options") arrays.push_back(entry(name, value));
  }
  return from_arrays(options_from(o, static_cast<const State*>(nullptr), threads), arrays);
}

// ---- what both classes share -------------------------------------------------

template <typename State>
struct Box {
  explicit Box(const decltype(std::declval<State>().options())& o, bool list_tiny = false)
      : state(o), tiny_rows(list_tiny) {}
  State state;
  // update() returns the rows holding a zero or a subnormal score (the Evaluator's boxes:
  // its score-cast counts need them); other boxes ask the pass for nothing.
  bool tiny_rows;
  std::mutex mutex;
};
using MulticlassBox = Box<SufficientState>;
using LabelwiseBox = Box<LabelwiseState>;

template <typename B>
void merge_boxes(B& self, B& other) {
  if (&self == &other) {
    std::lock_guard<std::mutex> lock(self.mutex);
    const auto copy = self.state;
    self.state.merge(copy);
    return;
  }
  std::scoped_lock lock(self.mutex, other.mutex);
  self.state.merge(other.state);
}

/// fn(state) under the box's lock.
template <typename B, typename Fn>
auto locked(B& box, Fn&& fn) {
  std::lock_guard<std::mutex> lock(box.mutex);
  return fn(box.state);
}

/// Folds a batch under the box's lock with the GIL released. Returns None, or, for a box
/// built with tiny_rows=True and float32 scores, the rows the pass found holding a zero or
/// a subnormal score (int64, ascending; metricaudit/evaluate.hpp). Float64 scores are not
/// scanned: under a float32 cast every row of them changes, so the Evaluator needs no list.
template <typename B, typename Batch>
py::object update_box(B& self, const Batch& b) {
  const bool list = self.tiny_rows && b.scores.dtype == DType::float32 && !b.scores.empty();
  std::vector<std::int64_t> rows;
  {
    py::gil_scoped_release release;
    locked(self, [&](auto& s) { update(s, b, list ? &rows : nullptr); });
  }
  if (!list) return py::none();
  return array_of(rows);
}

constexpr const char* kUpdateDoc =
    "Folds one batch in; the arrays are read in place with the GIL released. Returns None; "
    "a state built with tiny_rows=True returns, for float32 scores, the rows (int64, "
    "ascending) the pass scored that hold a zero or a subnormal score (|x| < FLT_MIN; nan is "
    "not one), found by the sweep that loads the scores.";
constexpr const char* kTinyRowsDoc =
    "tiny_rows: whether update() returns the rows holding a zero or a subnormal float32 score "
    "(the Evaluator's states; its score-cast counts need them).";

template <typename State>
void bind_common(py::class_<Box<State>>& cls, const char* kind) {
  using B = Box<State>;
  cls.def("merge", [](B& self, B& other) { merge_boxes(self, other); })
      .def("state_dict", [](B& self) { return locked(self, state_dict<State>); })
      .def_static(
          "from_state_dict",
          [kind](const py::dict& d, int threads, bool tiny_rows) {
            State s = from_state_dict<State>(d, kind, threads);
            auto box = std::make_unique<B>(s.options(), tiny_rows);
            box->state = std::move(s);
            return box;
          },
          py::arg("state_dict"), py::kw_only(), py::arg("threads") = 0,
          py::arg("tiny_rows") = false, kTinyRowsDoc)
      .def("copy",
           [](B& self) {
             return locked(self, [&self](const State& s) {
               auto box = std::make_unique<B>(s.options(), self.tiny_rows);
               box->state = s;
               return box;
             });
           })
      .def_property_readonly(
          "tiny_rows", [](B& s) { return s.tiny_rows; }, kTinyRowsDoc)
      .def("__eq__",
           [](B& a, B& b) {
             if (&a == &b) return true;
             std::scoped_lock lock(a.mutex, b.mutex);
             return a.state == b.state;
           })
      .def_property_readonly("options", [](B& s) { return options_dict(s.state.options()); })
      .def_property_readonly("samples", [](B& s) { return s.state.samples; })
      .def_property_readonly("batches", [](B& s) { return s.state.batches; })
      .def_property_readonly("weighted", [](B& s) { return s.state.weighted; })
      .def_property_readonly("scores_in_unit_interval",
                             [](B& s) { return s.state.scores_in_unit_interval; });
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

}  // namespace

void bind_states(py::module_& m) {
  py::class_<MulticlassBox> multiclass(
      m, "MulticlassState", "SufficientState of a multi-class evaluation (one label per sample).");
  multiclass
      .def(py::init([](std::int64_t num_classes, std::optional<std::vector<int>> top_k,
                       std::optional<std::int64_t> ignore_index, double threshold,
                       std::optional<std::vector<std::string>> losses, bool smoothing_terms,
                       bool confusion_matrix, bool topk_sets, bool smoothing_columns, int threads,
                       bool tiny_rows) {
             return std::make_unique<MulticlassBox>(
                 multiclass_options(num_classes, std::move(top_k), ignore_index, threshold,
                                    std::move(losses), smoothing_terms, confusion_matrix, topk_sets,
                                    smoothing_columns, threads),
                 tiny_rows);
           }),
           py::arg("num_classes"), py::kw_only(), py::arg("top_k") = py::none(),
           py::arg("ignore_index") = py::none(), py::arg("threshold") = 0.5,
           py::arg("losses") = py::none(), py::arg("smoothing_terms") = true,
           py::arg("confusion_matrix") = false, py::arg("topk_sets") = false,
           py::arg("smoothing_columns") = false, py::arg("threads") = 0,
           py::arg("tiny_rows") = false)
      .def(
          "update",
          [](MulticlassBox& self, const py::array& preds, const py::array& target,
             const py::object& sample_weight) {
            MulticlassBatch b;
            b.target = view_of(target, "target", Accept::integer);
            const ArrayView p = view_of(preds, "preds", Accept::any);
            (p.dtype == DType::float32 || p.dtype == DType::float64 ? b.scores : b.predicted) = p;
            b.sample_weight = optional_view(sample_weight, "sample_weight", Accept::floating);
            return update_box(self, b);
          },
          py::arg("preds"), py::arg("target"), py::arg("sample_weight") = py::none(), kUpdateDoc)
      .def(
          "read",
          [](MulticlassBox& self, const Convention& c) {
            return locked(self, [&](const SufficientState& s) { return read(s, c); });
          },
          py::arg("convention"))
      .def(
          "read_per_class",
          [](MulticlassBox& self, const Convention& c) {
            return array_of(
                locked(self, [&](const SufficientState& s) { return read_per_class(s, c); }));
          },
          py::arg("convention"))
      .def(
          "catalogue",
          [](MulticlassBox& self, const std::string& kind) {
            return locked(self, [&](const SufficientState& s) { return catalogue_list(s, kind); });
          },
          py::arg("kind"))
      .def("confusion_matrix",
           [](MulticlassBox& self) {
             return locked(self, [](const SufficientState& s) {
               if (s.confusion.empty()) {
                 throw UnavailableError(
                     "confusion_matrix: not kept; build the state with confusion_matrix=True");
               }
               const auto C = static_cast<py::ssize_t>(s.num_classes());
               auto a = fresh<std::int64_t>({C, C});
               std::copy(s.confusion.begin(), s.confusion.end(), a.mutable_data());
               return a;
             });
           })
      .def_property_readonly("num_classes", [](MulticlassBox& s) { return s.state.num_classes(); })
      .def_property_readonly("ignored", [](MulticlassBox& s) { return s.state.ignored; })
      .def_property_readonly("has_scores", [](MulticlassBox& s) { return s.state.has_scores; })
      .def_property_readonly("tp", [](MulticlassBox& s) { return array_of(s.state.tp); })
      .def_property_readonly("predicted",
                             [](MulticlassBox& s) { return array_of(s.state.predicted); })
      .def_property_readonly("support", [](MulticlassBox& s) { return array_of(s.state.support); });
  bind_common(multiclass, "multiclass");

  py::class_<LabelwiseBox> labelwise(
      m, "LabelwiseState", "LabelwiseState of a binary (L = 1) or multilabel (L > 1) evaluation.");
  labelwise
      .def(py::init([](std::int64_t num_labels, double threshold, int threads, bool tiny_rows) {
             return std::make_unique<LabelwiseBox>(LabelwiseOptions{num_labels, threshold, threads},
                                                   tiny_rows);
           }),
           py::arg("num_labels"), py::kw_only(), py::arg("threshold") = 0.5, py::arg("threads") = 0,
           py::arg("tiny_rows") = false)
      .def(
          "update",
          [](LabelwiseBox& self, const py::array& preds, const py::array& target,
             const py::object& sample_weight) {
            LabelwiseBatch b;
            b.target = view_of(target, "target", Accept::integer);
            b.scores = view_of(preds, "preds", Accept::floating);
            b.sample_weight = optional_view(sample_weight, "sample_weight", Accept::floating);
            return update_box(self, b);
          },
          py::arg("preds"), py::arg("target"), py::arg("sample_weight") = py::none(), kUpdateDoc)
      .def(
          "read",
          [](LabelwiseBox& self, const LabelwiseConvention& c) {
            return locked(self, [&](const LabelwiseState& s) { return read(s, c); });
          },
          py::arg("convention"))
      .def(
          "read_per_label",
          [](LabelwiseBox& self, const LabelwiseConvention& c) {
            return array_of(
                locked(self, [&](const LabelwiseState& s) { return read_per_label(s, c); }));
          },
          py::arg("convention"))
      .def(
          "counts",
          [](LabelwiseBox& self, const std::string& reading) {
            const int r = static_cast<int>(parse_name<ScoreReading>(reading));
            return locked(self, [r](const LabelwiseState& s) {
              py::dict d;
              d["tp"] = array_of(s.tp[r]);
              d["fp"] = array_of(s.fp[r]);
              d["tn"] = array_of(s.tn[r]);
              d["fn"] = array_of(s.fn[r]);
              return d;
            });
          },
          py::arg("reading"), "Per-label tp, fp, tn, fn under one score reading (unweighted).")
      .def_property_readonly("num_labels", [](LabelwiseBox& s) { return s.state.num_labels(); })
      .def_property_readonly("threshold",
                             [](LabelwiseBox& s) { return s.state.options().threshold; });
  bind_common(labelwise, "labelwise");
}

}  // namespace metricaudit::python
