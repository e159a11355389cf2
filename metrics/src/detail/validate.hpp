// Argument checks shared by the passes. Every message names the argument, what
// was expected and the first offending index, so a caller can find the culprit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "metricaudit/array_view.hpp"

namespace metricaudit::detail {

/// Throws DTypeError unless view.dtype is an integer type.
void require_integer(const ArrayView& view, std::string_view argument);
/// Throws DTypeError unless view.dtype is a floating type.
void require_floating(const ArrayView& view, std::string_view argument);
/// Throws ShapeError unless view is 1-D of length n (or (n, 1) when allow_column).
void require_vector(const ArrayView& view, std::string_view argument, std::int64_t n);
/// Throws InvalidArgument when view has no data or no rows.
void require_nonempty(const ArrayView& view, std::string_view argument);

/// Element i of an integer view, widened.
inline std::int64_t label_at(const ArrayView& v, std::int64_t i) {
  return v.dtype == DType::int32 ? static_cast<const std::int32_t*>(v.data)[i]
                                 : static_cast<const std::int64_t*>(v.data)[i];
}
/// Element i of a floating view, widened.
inline double real_at(const ArrayView& v, std::int64_t i) {
  return v.dtype == DType::float32 ? static_cast<double>(static_cast<const float*>(v.data)[i])
                                   : static_cast<const double*>(v.data)[i];
}

/// Validates sample weights (finite, >= 0); throws ValueRangeError at the first bad one.
void check_weights(const ArrayView& weights, std::int64_t n);

std::string shape_string(const ArrayView& view);

}  // namespace metricaudit::detail
