// Conventions and profiles: the option names the Python API takes ("macro",
// "exclude_unseen", "high_index_first", ...) parsed into the core's enums, and
// resolve() of profiles.hpp applied to the keywords a caller gave.
#include <pybind11/stl.h>

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "bindings.hpp"

namespace metricaudit::python {

const std::array<std::pair<const char*, LossFamily>, 5>& loss_families() {
  static const std::array<std::pair<const char*, LossFamily>, 5> names{{
      {"logits", LossFamily::logits},
      {"keras_probabilities", LossFamily::keras_probabilities},
      {"sklearn_probabilities", LossFamily::sklearn_probabilities},
      {"sklearn_legacy_probabilities", LossFamily::sklearn_legacy_probabilities},
      {"keras_binary_onehot", LossFamily::keras_binary_onehot},
  }};
  return names;
}

namespace {

template <typename E, std::size_t N>
E parse(const std::array<std::pair<const char*, E>, N>& names, const std::string& value,
        const char* argument) {
  std::string known;
  for (const auto& [name, e] : names) {
    if (value == name) return e;
    if (!known.empty()) known += ", ";
    known += std::string("'") + name + "'";
  }
  throw InvalidArgument(std::string(argument) + ": expected one of " + known + ", got '" + value +
                        "'");
}

template <typename E, std::size_t N>
const char* unparse(const std::array<std::pair<const char*, E>, N>& names, E e) {
  for (const auto& [name, value] : names) {
    if (value == e) return name;
  }
  return "?";
}

const std::array<std::pair<const char*, Metric>, 7> kMetrics{{
    {"accuracy", Metric::accuracy},
    {"precision", Metric::precision},
    {"recall", Metric::recall},
    {"f1", Metric::f1},
    {"balanced_accuracy", Metric::balanced_accuracy},
    {"elementwise_binary_accuracy", Metric::elementwise_binary_accuracy},
    {"cross_entropy", Metric::cross_entropy},
}};
const std::array<std::pair<const char*, Average>, 4> kAverages{{
    {"micro", Average::micro},
    {"macro", Average::macro},
    {"weighted", Average::weighted},
    {"none", Average::none},
}};
const std::array<std::pair<const char*, Absent>, 3> kAbsent{{
    {"zero", Absent::zero},
    {"exclude_unseen", Absent::exclude_unseen},
    {"exclude_no_support", Absent::exclude_no_support},
}};
const std::array<std::pair<const char*, ZeroDivision>, 3> kZeroDivision{{
    {"zero", ZeroDivision::zero},
    {"one", ZeroDivision::one},
    {"nan", ZeroDivision::nan},
}};
const std::array<std::pair<const char*, TieRule>, 4> kTies{{
    {"index_order", TieRule::index_order},
    {"high_index_first", TieRule::high_index_first},
    {"optimistic", TieRule::optimistic},
    {"torch_topk", TieRule::torch_topk},
}};
const std::array<std::pair<const char*, TopKPredicted>, 2> kTopKPredicted{{
    {"top1_on_miss", TopKPredicted::top1_on_miss},
    {"whole_set", TopKPredicted::whole_set},
}};
const std::array<std::pair<const char*, Reduction>, 2> kReductions{{
    {"mean", Reduction::mean},
    {"sum", Reduction::sum},
}};
const std::array<std::pair<const char*, ClassWeightNorm>, 2> kWeightNorms{{
    {"target_weight_sum", ClassWeightNorm::target_weight_sum},
    {"sample_count", ClassWeightNorm::sample_count},
}};
const std::array<std::pair<const char*, LabelwiseMetric>, 3> kLabelwiseMetrics{{
    {"accuracy", LabelwiseMetric::accuracy},
    {"subset_accuracy", LabelwiseMetric::subset_accuracy},
    {"binary_cross_entropy", LabelwiseMetric::binary_cross_entropy},
}};
const std::array<std::pair<const char*, ScoreReading>, 3> kReadings{{
    {"raw", ScoreReading::raw},
    {"sigmoid", ScoreReading::sigmoid},
    {"torchmetrics_auto", ScoreReading::torchmetrics_auto},
}};
const std::array<std::pair<const char*, BinaryLossFamily>, 3> kBinaryLosses{{
    {"keras_probabilities", BinaryLossFamily::keras_probabilities},
    {"torch_probabilities", BinaryLossFamily::torch_probabilities},
    {"torch_logits", BinaryLossFamily::torch_logits},
}};

// Used when no profile is named: micro accuracy, macro over the classes seen,
// zero_division 0, ties by class index, cross-entropy on logits with torch's
// weight normalisation. Built field by field (not positionally) so that fields
// the core adds to Profile keep their "torch.nn" values.
const Profile& default_profile() {
  static const Profile p = [] {
    Profile d = find_profile("torch.nn");
    d.name = "default";
    d.library = "metricaudit's defaults (no profile named)";
    d.source = "bindings/src/conventions.cpp";
    d.default_average = Average::micro;
    d.absent = Absent::exclude_unseen;
    d.absent_top_k = Absent::exclude_unseen;
    d.zero_division = ZeroDivision::zero;
    d.ties = TieRule::index_order;
    d.loss = LossFamily::logits;
    d.weight_norm = ClassWeightNorm::target_weight_sum;
    return d;
  }();
  return p;
}

template <typename E, std::size_t N>
std::optional<E> parse_optional(const std::array<std::pair<const char*, E>, N>& names,
                                const std::optional<std::string>& value, const char* argument) {
  if (!value) return std::nullopt;
  return parse(names, *value, argument);
}

Convention make_convention(const std::string& metric, const std::optional<std::string>& profile,
                           const std::optional<std::string>& average,
                           const std::optional<std::string>& absent,
                           const std::optional<std::string>& zero_division,
                           std::optional<int> top_k, const std::optional<std::string>& ties,
                           const std::optional<std::string>& topk_predicted,
                           std::optional<bool> adjusted, const std::optional<std::string>& loss,
                           const std::optional<std::string>& weight_norm,
                           std::optional<std::vector<double>> class_weights,
                           std::optional<double> label_smoothing,
                           const std::optional<std::string>& reduction, bool sample_weighted) {
  const Profile& p = profile ? find_profile(*profile) : default_profile();
  ConventionOverrides o;
  o.average = parse_optional(kAverages, average, "average");
  o.absent = parse_optional(kAbsent, absent, "absent");
  o.zero_division = parse_optional(kZeroDivision, zero_division, "zero_division");
  if (top_k && *top_k < 1) {
    throw InvalidArgument("top_k: expected an integer >= 1, got " + std::to_string(*top_k));
  }
  o.top_k = top_k;
  o.ties = parse_optional(kTies, ties, "ties");
  o.topk_predicted = parse_optional(kTopKPredicted, topk_predicted, "topk_predicted");
  o.adjusted = adjusted;
  if (loss) o.loss = parse(loss_families(), *loss, "loss");
  o.weight_norm = parse_optional(kWeightNorms, weight_norm, "weight_norm");
  o.class_weights = std::move(class_weights);
  o.label_smoothing = label_smoothing;
  o.reduction = parse_optional(kReductions, reduction, "reduction");
  Convention c = resolve(p, parse(kMetrics, metric, "metric"), o);
  c.sample_weighted = sample_weighted;
  return c;
}

}  // namespace

void bind_conventions(py::module_& m) {
  py::class_<Convention>(m, "Convention",
                         "A fully resolved convention of a multi-class reading (plain data).")
      .def_property_readonly("id", &Convention::id)
      .def_property_readonly("metric",
                             [](const Convention& c) { return unparse(kMetrics, c.metric); })
      .def_property_readonly("average",
                             [](const Convention& c) { return unparse(kAverages, c.average); })
      .def_property_readonly("absent",
                             [](const Convention& c) { return unparse(kAbsent, c.absent); })
      .def_property_readonly(
          "zero_division",
          [](const Convention& c) { return unparse(kZeroDivision, c.zero_division); })
      .def_readonly("top_k", &Convention::top_k)
      .def_property_readonly("ties", [](const Convention& c) { return unparse(kTies, c.ties); })
      .def_property_readonly(
          "topk_predicted",
          [](const Convention& c) { return unparse(kTopKPredicted, c.topk_predicted); })
      .def_readonly("adjusted", &Convention::adjusted)
      .def_readonly("sample_weighted", &Convention::sample_weighted)
      .def_property_readonly("loss",
                             [](const Convention& c) { return unparse(loss_families(), c.loss); })
      .def_property_readonly("reduction",
                             [](const Convention& c) { return unparse(kReductions, c.reduction); })
      .def_property_readonly(
          "weight_norm", [](const Convention& c) { return unparse(kWeightNorms, c.weight_norm); })
      .def_readonly("class_weights", &Convention::class_weights)
      .def_readonly("label_smoothing", &Convention::label_smoothing)
      .def("__repr__", [](const Convention& c) { return "<Convention " + c.id() + ">"; });

  py::class_<LabelwiseConvention>(m, "LabelwiseConvention",
                                  "A convention of a binary / multilabel reading (plain data).")
      .def_property_readonly("id", &LabelwiseConvention::id)
      .def_property_readonly(
          "metric",
          [](const LabelwiseConvention& c) { return unparse(kLabelwiseMetrics, c.metric); })
      .def_property_readonly(
          "average", [](const LabelwiseConvention& c) { return unparse(kAverages, c.average); })
      .def_property_readonly(
          "reading", [](const LabelwiseConvention& c) { return unparse(kReadings, c.reading); })
      .def_property_readonly(
          "loss", [](const LabelwiseConvention& c) { return unparse(kBinaryLosses, c.loss); })
      .def_readonly("sample_weighted", &LabelwiseConvention::sample_weighted)
      .def("__repr__",
           [](const LabelwiseConvention& c) { return "<LabelwiseConvention " + c.id() + ">"; });

  m.def("convention", &make_convention, py::arg("metric"), py::kw_only(),
        py::arg("profile") = py::none(), py::arg("average") = py::none(),
        py::arg("absent") = py::none(), py::arg("zero_division") = py::none(),
        py::arg("top_k") = py::none(), py::arg("ties") = py::none(),
        py::arg("topk_predicted") = py::none(), py::arg("adjusted") = py::none(),
        py::arg("loss") = py::none(), py::arg("weight_norm") = py::none(),
        py::arg("class_weights") = py::none(), py::arg("label_smoothing") = py::none(),
        py::arg("reduction") = py::none(), py::arg("sample_weighted") = true,
        "The convention `profile` uses for `metric` (profiles.hpp resolve()), with every "
        "keyword that is not None overriding it.");

  m.def(
      "labelwise_convention",
      [](const std::string& metric, const std::string& average, const std::string& reading,
         const std::string& loss, const std::string& reduction, bool sample_weighted) {
        LabelwiseConvention c;
        c.metric = parse(kLabelwiseMetrics, metric, "metric");
        c.average = parse(kAverages, average, "average");
        c.reading = parse(kReadings, reading, "reading");
        c.loss = parse(kBinaryLosses, loss, "loss");
        c.reduction = parse(kReductions, reduction, "reduction");
        c.sample_weighted = sample_weighted;
        return c;
      },
      py::arg("metric"), py::kw_only(), py::arg("average") = "micro",
      py::arg("reading") = "torchmetrics_auto", py::arg("loss") = "torch_logits",
      py::arg("reduction") = "mean", py::arg("sample_weighted") = true,
      "A convention of a binary / multilabel reading.");

  m.def(
      "profiles",
      [] {
        py::list out;
        for (const Profile& p : profiles()) {
          py::dict d;
          d["name"] = std::string(p.name);
          d["library"] = std::string(p.library);
          d["source"] = std::string(p.source);
          d["average"] = unparse(kAverages, p.default_average);
          d["absent"] = unparse(kAbsent, p.absent);
          d["absent_top_k"] = unparse(kAbsent, p.absent_top_k);
          d["zero_division"] = unparse(kZeroDivision, p.zero_division);
          d["ties"] = unparse(kTies, p.ties);
          d["topk_predicted"] = unparse(kTopKPredicted, p.topk_predicted);
          d["loss"] = unparse(loss_families(), p.loss);
          d["weight_norm"] = unparse(kWeightNorms, p.weight_norm);
          out.append(d);
        }
        return out;
      },
      "Every named profile, in the core's fixed order, as dicts.");

  m.def(
      "loss_family_names",
      [] {
        py::list out;
        for (const auto& [name, f] : loss_families()) out.append(name);
        return out;
      },
      "The names of the loss families, in LossFamily order.");

  m.def(
      "softmax_twice_floor", [](std::int64_t c) { return softmax_twice_floor(c); },
      py::arg("num_classes"),
      "The smallest cross-entropy softmax-applied-twice can give with C classes: "
      "ln(1 + (C - 1)/e).");
}

}  // namespace metricaudit::python
