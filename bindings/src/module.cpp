// metricaudit._core: the pybind11 module. Errors of the core arrive in Python
// with their message unchanged: InvalidArgument and its subclasses (shape, dtype,
// value range, incompatible states) as ValueError, UnavailableError as
// metricaudit.UnavailableError (a ValueError subclass), InputError as ValueError.
#include "bindings.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "metricaudit's C++ core (see the metricaudit package for the documented API)";

  static py::exception<metricaudit::UnavailableError> unavailable(m, "UnavailableError",
                                                                  PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const metricaudit::UnavailableError& e) {
      PyErr_SetString(unavailable.ptr(), e.what());
    } catch (const metricaudit::InvalidArgument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const metricaudit::InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const metricaudit::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  metricaudit::python::bind_conventions(m);
  metricaudit::python::bind_states(m);
  metricaudit::python::bind_audit(m);
  metricaudit::python::bind_significance(m);
  metricaudit::python::bind_compare(m);

  m.attr("EXACT_SUM_LIMBS") = metricaudit::ExactSum::kLimbs;
}
