// Formatting helpers shared by the report writers (private to audit/report and the
// command). Pure functions on values; no verdicts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/logged_series.hpp"

namespace metricaudit::audit::detail {

/// `value` written the way the log printed it, so a logged value and its recomputation
/// line up digit for digit: fixed with `decimals` digits (at most 10) for decimal text,
/// mantissa digits for exponent text, 9 significant digits for float32 (round-trips),
/// 17 for float64. "nan", "inf", "-inf" for non-finite values.
std::string format_value(double value, const Precision& precision);

/// Shortest text that reads back as the same double ("%.17g" trimmed), for messages.
std::string format_double(double value);

/// A p-value or a significance level for people: 4 significant digits ("0.04877"), 3 below
/// 1e-4 ("1.61e-05"), "< 1e-300" under that.
std::string format_p(double p);

/// Integers as ranges: {0,1,2,5,7,8} -> "0-2, 5, 7-8"; runs of a constant stride above
/// 1 and at least 3 long as {4,9,14,19} -> "4, 9, ..., 19".
std::string format_ranges(const std::vector<std::int64_t>& values);

/// Columns a string takes on a terminal: UTF-8 code points (continuation bytes do not
/// count; the report's texts have no wide characters).
std::size_t display_width(std::string_view text);

/// Splits `text` into lines of at most `width` columns at spaces (after ", " and
/// similar); a word longer than `width` gets a line of its own.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

/// RFC 3986 URI reference of a file path: '\' becomes '/', bytes other than unreserved
/// characters and "/@!$&'()*+,;=" are percent-encoded, an absolute path gets "file://".
std::string path_to_uri_reference(std::string_view path);

}  // namespace metricaudit::audit::detail
