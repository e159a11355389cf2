// Conventions and profiles: the option names the Python API takes ("macro",
// "exclude_unseen", "high_index_first", ...) parsed with the core's vocabulary
// (vocabulary.hpp), and resolve() of profiles.hpp applied to the keywords a caller gave.
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "bindings.hpp"

namespace metricaudit::python {

namespace {

template <typename E>
std::optional<E> parse_optional(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  return parse_name<E>(*value);
}

Convention make_convention(
    const std::string& metric, const std::optional<std::string>& profile,
    const std::optional<std::string>& average, const std::optional<std::string>& absent,
    const std::optional<std::string>& zero_division, std::optional<int> top_k,
    const std::optional<std::string>& ties, const std::optional<std::string>& topk_predicted,
    std::optional<bool> adjusted, const std::optional<std::string>& loss,
    const std::optional<std::string>& weight_norm, std::optional<std::vector<double>> class_weights,
    std::optional<double> label_smoothing, const std::optional<std::string>& reduction,
    const std::optional<std::string>& target_form, bool sample_weighted) {
  const Profile& p = profile ? find_profile(*profile) : default_profile();
  ConventionOverrides o;
  o.average = parse_optional<Average>(average);
  o.absent = parse_optional<Absent>(absent);
  o.zero_division = parse_optional<ZeroDivision>(zero_division);
  if (top_k && *top_k < 1) {
    throw InvalidArgument("top_k: expected an integer >= 1, got " + std::to_string(*top_k));
  }
  o.top_k = top_k;
  o.ties = parse_optional<TieRule>(ties);
  o.topk_predicted = parse_optional<TopKPredicted>(topk_predicted);
  o.adjusted = adjusted;
  o.loss = parse_optional<LossFamily>(loss);
  o.weight_norm = parse_optional<ClassWeightNorm>(weight_norm);
  o.class_weights = std::move(class_weights);
  o.label_smoothing = label_smoothing;
  o.reduction = parse_optional<Reduction>(reduction);
  o.target_form = parse_optional<TargetForm>(target_form);
  Convention c = resolve(p, parse_name<Metric>(metric), o);
  c.sample_weighted = sample_weighted;
  return c;
}

LabelwiseConvention make_labelwise_convention(
    const std::string& metric, const std::optional<std::string>& profile,
    const std::optional<std::string>& average, const std::optional<std::string>& absent,
    const std::optional<std::string>& zero_division, const std::optional<std::string>& multilabel,
    const std::optional<std::string>& reading, const std::optional<std::string>& loss,
    const std::optional<std::string>& reduction, bool sample_weighted) {
  const Profile& p = profile ? find_profile(*profile) : default_profile();
  LabelwiseOverrides o;
  o.average = parse_optional<Average>(average);
  o.absent = parse_optional<Absent>(absent);
  o.zero_division = parse_optional<ZeroDivision>(zero_division);
  o.multilabel = parse_optional<MultilabelAccuracy>(multilabel);
  o.reading = parse_optional<ScoreReading>(reading);
  o.loss = parse_optional<BinaryLossFamily>(loss);
  o.reduction = parse_optional<Reduction>(reduction);
  LabelwiseConvention c = resolve(p, parse_name<LabelwiseMetric>(metric), o);
  c.sample_weighted = sample_weighted;
  return c;
}

// A read-only property giving an enum field's name.
template <typename Class, typename E>
auto named(E Class::*field) {
  return [field](const Class& c) { return to_name(c.*field); };
}

py::dict profile_dict(const Profile& p) {
  py::dict d;
  d["name"] = std::string(p.name);
  d["library"] = std::string(p.library);
  d["source"] = std::string(p.source);
  d["average"] = to_name(p.default_average);
  d["score_average"] = to_name(p.score_average);
  d["absent"] = to_name(p.absent);
  d["absent_top_k"] = to_name(p.absent_top_k);
  d["f1_absent_top_k"] = to_name(p.f1_absent_top_k);
  d["zero_division"] = to_name(p.zero_division);
  d["ties"] = to_name(p.ties);
  d["topk_predicted"] = to_name(p.topk_predicted);
  d["loss"] = to_name(p.loss);
  d["weight_norm"] = to_name(p.weight_norm);
  d["target_form"] = to_name(p.target_form);
  d["score_cast"] = to_name(p.score_cast);
  d["reading"] = to_name(p.reading);
  d["multilabel"] = to_name(p.multilabel);
  d["labelwise_average"] = to_name(p.labelwise_average);
  d["binary_loss"] = to_name(p.binary_loss);
  return d;
}

}  // namespace

void bind_conventions(py::module_& m) {
  py::class_<Convention>(m, "Convention",
                         "A fully resolved convention of a multi-class reading (plain data).")
      .def_property_readonly("id", &Convention::id)
      .def_property_readonly("metric", named(&Convention::metric))
      .def_property_readonly("average", named(&Convention::average))
      .def_property_readonly("absent", named(&Convention::absent))
      .def_property_readonly("zero_division", named(&Convention::zero_division))
      .def_readonly("top_k", &Convention::top_k)
      .def_property_readonly("ties", named(&Convention::ties))
      .def_property_readonly("topk_predicted", named(&Convention::topk_predicted))
      .def_readonly("adjusted", &Convention::adjusted)
      .def_readonly("sample_weighted", &Convention::sample_weighted)
      .def_property_readonly("loss", named(&Convention::loss))
      .def_property_readonly("reduction", named(&Convention::reduction))
      .def_property_readonly("weight_norm", named(&Convention::weight_norm))
      .def_property_readonly("target_form", named(&Convention::target_form))
      .def_readonly("class_weights", &Convention::class_weights)
      .def_readonly("label_smoothing", &Convention::label_smoothing)
      .def("__repr__", [](const Convention& c) { return "<Convention " + c.id() + ">"; });

  py::class_<LabelwiseConvention>(m, "LabelwiseConvention",
                                  "A convention of a binary / multilabel reading (plain data).")
      .def_property_readonly("id", &LabelwiseConvention::id)
      .def_property_readonly("metric", named(&LabelwiseConvention::metric))
      .def_property_readonly("average", named(&LabelwiseConvention::average))
      .def_property_readonly("absent", named(&LabelwiseConvention::absent))
      .def_property_readonly("zero_division", named(&LabelwiseConvention::zero_division))
      .def_property_readonly("reading", named(&LabelwiseConvention::reading))
      .def_property_readonly("loss", named(&LabelwiseConvention::loss))
      .def_property_readonly("reduction", named(&LabelwiseConvention::reduction))
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
        py::arg("reduction") = py::none(), py::arg("target_form") = py::none(),
        py::arg("sample_weighted") = true,
        "The convention `profile` uses for `metric` (profiles.hpp resolve()), with every "
        "keyword that is not None overriding it.");

  m.def("labelwise_convention", &make_labelwise_convention, py::arg("metric"), py::kw_only(),
        py::arg("profile") = py::none(), py::arg("average") = py::none(),
        py::arg("absent") = py::none(), py::arg("zero_division") = py::none(),
        py::arg("multilabel") = py::none(), py::arg("reading") = py::none(),
        py::arg("loss") = py::none(), py::arg("reduction") = py::none(),
        py::arg("sample_weighted") = true,
        "The binary / multilabel convention `profile` uses for `metric` (profiles.hpp "
        "resolve()), with every keyword that is not None overriding it.");

  m.def(
      "profiles",
      [] {
        py::list out;
        for (const Profile& p : profiles()) out.append(profile_dict(p));
        return out;
      },
      "Every profile, in the core's fixed order (\"default\" last), as dicts.");

  m.def(
      "vocabulary",
      [] {
        py::dict out;
        for_each_vocabulary([&](auto vocabulary) {
          py::list names;
          for (const auto& row : vocabulary.names) names.append(row.name);
          out[py::str(std::string(vocabulary.key))] = names;
        });
        return out;
      },
      "Every enum of the conventions: its key (e.g. 'average', 'loss_family') and its names, "
      "in enum order.");

  m.def(
      "softmax_twice_floor", [](std::int64_t c) { return softmax_twice_floor(c); },
      py::arg("num_classes"),
      "The smallest cross-entropy softmax-applied-twice can give with C classes: "
      "ln(1 + (C - 1)/e).");
}

}  // namespace metricaudit::python
