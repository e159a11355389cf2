// run_compare and its writers, bound for metricaudit.compare(): the same comparison as
// `metricaudit compare`, nothing decided here.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "metricaudit/audit/compare.hpp"
#include "metricaudit/audit/compare_writers.hpp"

namespace metricaudit::python {

void bind_compare(py::module_& m) {
  py::class_<audit::CompareReport>(m, "CompareReport")
      .def_property_readonly("exit_status", &audit::CompareReport::exit_status)
      .def("json",
           [](const audit::CompareReport& r) {
             std::ostringstream out;
             audit::write_compare_json(r, out);
             return out.str();
           })
      .def(
          "text",
          [](const audit::CompareReport& r, bool colour) {
            std::ostringstream out;
            audit::write_compare_text(r, out, colour);
            return out.str();
          },
          py::arg("colour") = false);

  m.def(
      "run_compare",
      [](const std::filesystem::path& a, const std::filesystem::path& b,
         const std::optional<std::filesystem::path>& preds_a,
         const std::optional<std::filesystem::path>& preds_b,
         const std::vector<std::pair<std::string, std::string>>& pairs,
         const std::map<std::string, std::string>& metric_kinds, double alpha, double min_effect,
         const std::string& convention, std::optional<std::int64_t> epoch, bool all_epochs,
         std::optional<std::int64_t> eval_size, std::optional<std::int64_t> num_classes) {
        audit::CompareOptions o;
        for (auto [options, path, preds] :
             {std::tuple{&o.a, &a, &preds_a}, std::tuple{&o.b, &b, &preds_b}}) {
          options->path = *path;
          options->preds = *preds;
          options->metric_kinds = metric_kinds;
          options->eval_size = eval_size;
          options->num_classes = num_classes;
        }
        o.pairs = pairs;
        o.alpha = alpha;
        o.min_effect = min_effect;
        o.convention = convention;
        o.epoch = epoch;
        o.all_epochs = all_epochs;
        py::gil_scoped_release release;
        return audit::run_compare(o);
      },
      py::arg("a"), py::arg("b"), py::arg("preds_a") = py::none(), py::arg("preds_b") = py::none(),
      py::arg("pairs") = std::vector<std::pair<std::string, std::string>>{},
      py::arg("metric_kinds") = std::map<std::string, std::string>{}, py::arg("alpha") = 0.05,
      py::arg("min_effect") = 0.0, py::arg("convention") = "", py::arg("epoch") = py::none(),
      py::arg("all_epochs") = false, py::arg("eval_size") = py::none(),
      py::arg("num_classes") = py::none(),
      "run_compare (audit/include/metricaudit/audit/compare.hpp) on two runs.");
}

}  // namespace metricaudit::python
