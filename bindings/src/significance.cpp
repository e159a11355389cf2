// metricaudit._core.stats: the statistics of `metricaudit compare` (significance.hpp)
// and the per-sample states they read (paired_state.hpp), so that Python can use them
// and tests/python/test_significance.py can check them against scipy and statsmodels.
#include <string>

#include "bindings.hpp"
#include "metricaudit/paired_state.hpp"
#include "metricaudit/significance.hpp"

namespace metricaudit::python {
namespace {

py::dict result_dict(const stats::TestResult& r) {
  py::dict d;
  d["estimate"] = r.estimate;
  d["ci"] = py::make_tuple(r.ci.low, r.ci.high);
  d["p_value"] = r.p_value ? py::object(py::float_(*r.p_value)) : py::object(py::none());
  d["statistic"] = r.statistic;
  d["df"] = r.df;
  return d;
}

SampleMoments moments_of(const py::array_t<double, py::array::c_style | py::array::forcecast>& x) {
  SampleMoments m;
  const auto v = x.unchecked();
  for (py::ssize_t i = 0; i < v.size(); ++i) m.add(v.data(0)[i]);
  return m;
}

// "hit" / "top<k>" (index_order ties) or a loss family name ("logits", ...).
SampleReading parse_reading(const std::string& name) {
  SampleReading r;
  if (name == "hit") return r;
  if (name.rfind("top", 0) == 0) {
    r.top_k = std::stoi(name.substr(3));
    return r;
  }
  r.kind = SampleReading::Kind::loss;
  r.loss = parse_name<LossFamily>(name, "reading");
  return r;
}

py::dict moments_dict(const SampleMoments& m) {
  py::dict d;
  d["count"] = m.count();
  d["infinite"] = m.infinite();
  d["sum"] = m.sum().value();
  d["mean"] = m.mean();
  d["variance"] = m.variance();
  return d;
}

}  // namespace

void bind_significance(py::module_& m) {
  py::module_ s =
      m.def_submodule("stats", "significance tests of metricaudit compare (differences are B - A)");
  s.def("normal_quantile", &stats::normal_quantile, py::arg("p"));
  s.def("incomplete_beta", &stats::incomplete_beta, py::arg("a"), py::arg("b"), py::arg("x"));
  s.def("student_t_upper_tail", &stats::student_t_upper_tail, py::arg("t"), py::arg("df"));
  s.def("student_t_quantile", &stats::student_t_quantile, py::arg("p"), py::arg("df"));
  s.def("binomial_cdf", &stats::binomial_cdf, py::arg("k"), py::arg("n"), py::arg("p"));
  s.def(
      "wilson_interval",
      [](std::int64_t x, std::int64_t n, double alpha) {
        const auto i = stats::wilson_interval(x, n, alpha);
        return py::make_tuple(i.low, i.high);
      },
      py::arg("x"), py::arg("n"), py::arg("alpha"));
  s.def("mcnemar_exact_p", &stats::mcnemar_exact_p, py::arg("only_a"), py::arg("only_b"));
  s.def(
      "paired_proportions",
      [](std::int64_t neither, std::int64_t b_only, std::int64_t a_only, std::int64_t both,
         double alpha) {
        const std::array<std::array<std::int64_t, 2>, 2> table{{{neither, b_only}, {a_only, both}}};
        return result_dict(stats::paired_proportions(table, alpha));
      },
      py::arg("neither"), py::arg("b_only"), py::arg("a_only"), py::arg("both"), py::arg("alpha"),
      "table[i][j] = samples with A's outcome i and B's outcome j, flattened row by row");
  s.def(
      "independent_proportions",
      [](std::int64_t x_a, std::int64_t n_a, std::int64_t x_b, std::int64_t n_b, double alpha) {
        return result_dict(stats::independent_proportions(x_a, n_a, x_b, n_b, alpha));
      },
      py::arg("x_a"), py::arg("n_a"), py::arg("x_b"), py::arg("n_b"), py::arg("alpha"));
  s.def(
      "paired_t",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& differences,
         double alpha) { return result_dict(stats::paired_t(moments_of(differences), alpha)); },
      py::arg("differences"), py::arg("alpha"));
  s.def(
      "welch_t",
      [](const py::array_t<double, py::array::c_style | py::array::forcecast>& a,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& b,
         double alpha) { return result_dict(stats::welch_t(moments_of(a), moments_of(b), alpha)); },
      py::arg("a"), py::arg("b"), py::arg("alpha"));
  s.def(
      "paired_state",
      [](const py::array& target, const py::array& preds_a, const py::array& preds_b,
         const std::string& reading_a, const std::string& reading_b) {
        PairedState state(parse_reading(reading_a), parse_reading(reading_b));
        PairedBatch batch;
        batch.target = view_of(target, "target", Accept::integer);
        const ArrayView a = view_of(preds_a, "preds_a", Accept::any);
        const ArrayView b = view_of(preds_b, "preds_b", Accept::any);
        (a.ndim == 2 ? batch.scores_a : batch.predicted_a) = a;
        (b.ndim == 2 ? batch.scores_b : batch.predicted_b) = b;
        update(state, batch);
        py::dict d;
        d["table"] = py::make_tuple(py::make_tuple(state.table[0][0], state.table[0][1]),
                                    py::make_tuple(state.table[1][0], state.table[1][1]));
        d["a"] = moments_dict(state.a.values);
        d["b"] = moments_dict(state.b.values);
        d["difference"] = moments_dict(state.difference);
        return d;
      },
      py::arg("target"), py::arg("preds_a"), py::arg("preds_b"), py::arg("reading_a") = "hit",
      py::arg("reading_b") = "hit",
      "per-sample readings: 'hit', 'top<k>' or a loss family name ('logits', ...)");
}

}  // namespace metricaudit::python
