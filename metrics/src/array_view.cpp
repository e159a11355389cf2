#include <cmath>
#include <cstdio>
#include <string>

#include "detail/validate.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::int32:
      return "int32";
    case DType::int64:
      return "int64";
    case DType::float32:
      return "float32";
    case DType::float64:
      return "float64";
  }
  return "unknown";
}

namespace detail {

std::string shape_string(const ArrayView& view) {
  if (view.ndim == 1) return "(" + std::to_string(view.rows) + ",)";
  return "(" + std::to_string(view.rows) + ", " + std::to_string(view.cols) + ")";
}

void require_integer(const ArrayView& view, std::string_view argument) {
  if (view.dtype != DType::int32 && view.dtype != DType::int64) {
    throw DTypeError(std::string(argument) + ": expected int32 or int64, got " +
                     std::string(dtype_name(view.dtype)));
  }
}

void require_floating(const ArrayView& view, std::string_view argument) {
  if (view.dtype != DType::float32 && view.dtype != DType::float64) {
    throw DTypeError(std::string(argument) + ": expected float32 or float64, got " +
                     std::string(dtype_name(view.dtype)));
  }
}

void require_nonempty(const ArrayView& view, std::string_view argument) {
  if (view.data == nullptr || view.rows <= 0) {
    throw InvalidArgument(std::string(argument) +
                          ": expected at least one sample, got an empty array");
  }
}

void require_vector(const ArrayView& view, std::string_view argument, std::int64_t n) {
  const bool column = view.ndim == 2 && view.cols == 1;
  if ((view.ndim != 1 && !column) || view.rows != n || view.rows < 0) {
    throw ShapeError(std::string(argument) + ": expected shape (" + std::to_string(n) + ",), got " +
                     shape_string(view));
  }
}

void check_weights(const ArrayView& weights, std::int64_t n) {
  require_floating(weights, "sample_weight");
  require_vector(weights, "sample_weight", n);
  for (std::int64_t i = 0; i < n; ++i) {
    const double w = real_at(weights, i);
    if (!std::isfinite(w) || w < 0.0) {
      throw ValueRangeError("sample_weight: expected finite values >= 0, got " + std::to_string(w) +
                            " at index " + std::to_string(i));
    }
    if (w >= 0x1p160) {  // every weighted sum is an ExactSum, whose range ends at 2^160
      char text[32];
      std::snprintf(text, sizeof text, "%.6g", w);
      throw ValueRangeError(
          "sample_weight: expected values below 2^160 (the range of exact sums), got " +
          std::string(text) + " at index " + std::to_string(i));
    }
  }
}

}  // namespace detail
}  // namespace metricaudit
