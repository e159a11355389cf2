// Shared declarations of the pybind11 module metricaudit._core.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string_view>

#include "metricaudit/metricaudit.hpp"

namespace metricaudit::python {

namespace py = pybind11;

/// What kinds of element an argument accepts.
enum class Accept { integer, floating, any };

/// A view over a numpy array's own memory (no copy). The Python layer has
/// already made the array C-contiguous with a supported dtype; this checks it
/// again and throws DTypeError / ShapeError naming `argument` otherwise.
ArrayView view_of(const py::array& array, std::string_view argument, Accept accept);

/// The view of an optional argument: empty when `object` is None.
ArrayView optional_view(const py::object& object, std::string_view argument, Accept accept);

void bind_conventions(py::module_& m);
void bind_states(py::module_& m);
void bind_audit(py::module_& m);  ///< the command, run_audit, dump checks (audit*.cpp)
void bind_significance(py::module_& m);
void bind_compare(py::module_& m);  ///< run_compare and its writers (compare.cpp)

}  // namespace metricaudit::python
