// JSON building blocks shared by the JSON and SARIF writers (private).
#pragma once

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit::detail {

// Insertion-ordered, so documents read in the order the schema documents them.
using Json = nlohmann::ordered_json;

/// Sets obj[key] to `value`, or to null when it is not finite; then the value is
/// spelled out in obj["nonfinite"][key] ("nan", "inf", "-inf"). JSON has no NaN or
/// infinity, and a consumer must be able to tell an infinite loss from a missing one.
inline void put_number(Json& obj, const char* key, double value) {
  if (std::isfinite(value)) {
    obj[key] = value;
    return;
  }
  obj[key] = nullptr;
  obj["nonfinite"][key] = std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
}

/// An optional number: null when absent (no "nonfinite" entry), else as put_number.
template <typename Optional>
void put_optional_number(Json& obj, const char* key, const Optional& value) {
  if (value) {
    put_number(obj, key, *value);
  } else {
    obj[key] = nullptr;
  }
}

/// A string that may be empty, written as null when it is.
inline void put_optional_string(Json& obj, const char* key, const std::string& value) {
  if (value.empty()) {
    obj[key] = nullptr;
  } else {
    obj[key] = value;
  }
}

/// A finding as docs/audit-json-schema.md describes it (shared by the audit and compare
/// JSON reports; json_writer.cpp).
Json finding_json(const Finding& f);

/// Serialises with invalid UTF-8 (a log may hold any bytes) replaced by U+FFFD
/// instead of throwing halfway through a report.
inline std::string dump(const Json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace metricaudit::audit::detail
