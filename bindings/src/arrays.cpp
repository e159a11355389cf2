// numpy arrays to ArrayView, in place. No conversion happens here: the Python
// layer (metricaudit/_inputs.py) converts a layout or dtype once, when needed,
// and an array that already fits is handed over as is.
#include <string>

#include "bindings.hpp"

namespace metricaudit::python {
namespace {

std::string describe(const py::array& a) {
  return py::str(a.dtype()).cast<std::string>();
}

}  // namespace

ArrayView view_of(const py::array& array, std::string_view argument, Accept accept) {
  const std::string name(argument);
  if (array.ndim() < 1 || array.ndim() > 2) {
    throw ShapeError(name + ": expected a 1-D or 2-D array, got " + std::to_string(array.ndim()) +
                     " dimensions");
  }
  if ((array.flags() & py::array::c_style) == 0) {
    throw ShapeError(name + ": expected a C-contiguous array");
  }
  const py::dtype dt = array.dtype();
  const char kind = dt.kind();
  // Through Python: pybind11 < 2.12 reads the descriptor's elsize at numpy 1's
  // offset, which numpy 2 moved (kind and byteorder kept their offsets).
  const auto size = dt.attr("itemsize").cast<py::ssize_t>();
  const char order = dt.byteorder();
  if (order == '>') throw DTypeError(name + ": expected native byte order, got " + describe(array));
  ArrayView v;
  bool ok = false;
  if (kind == 'i' && accept != Accept::floating) {
    if (size == 4) v.dtype = DType::int32, ok = true;
    if (size == 8) v.dtype = DType::int64, ok = true;
  } else if (kind == 'f' && accept != Accept::integer) {
    if (size == 4) v.dtype = DType::float32, ok = true;
    if (size == 8) v.dtype = DType::float64, ok = true;
  }
  if (!ok) {
    const char* expected = accept == Accept::integer    ? "int32 or int64"
                           : accept == Accept::floating ? "float32 or float64"
                                                        : "int32, int64, float32 or float64";
    throw DTypeError(name + ": expected " + expected + ", got " + describe(array));
  }
  v.data = array.data();
  v.ndim = static_cast<int>(array.ndim());
  v.rows = static_cast<std::int64_t>(array.shape(0));
  v.cols = array.ndim() == 2 ? static_cast<std::int64_t>(array.shape(1)) : 1;
  return v;
}

ArrayView optional_view(const py::object& object, std::string_view argument, Accept accept) {
  if (object.is_none()) return {};
  if (!py::isinstance<py::array>(object)) {
    throw DTypeError(std::string(argument) + ": expected a numpy array or None");
  }
  return view_of(object.cast<py::array>(), argument, accept);
}

}  // namespace metricaudit::python
