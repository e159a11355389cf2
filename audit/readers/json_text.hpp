// Python's JSON, as the JSON readers (jsonl, the Hugging Face files) meet it: json.dumps
// writes NaN, Infinity and -Infinity for non-finite floats (allow_nan=True, its default),
// which JSON does not allow and nlohmann refuses. They are rewritten as quoted
// placeholders before parsing and read back as numbers. Private to audit/readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace metricaudit::audit::detail {

/// Rewrites bare NaN / Infinity / -Infinity (outside strings) of `text` as the quoted
/// placeholders "NaN", "Infinity", "-Infinity" into `out`; returns false (out untouched)
/// when there are none, the common case. Only quotes are added: lines stay where they were.
bool quote_non_finite(std::string_view text, std::string& out);

/// The number a placeholder string stands for ("NaN", "Infinity", "-Infinity"; producers
/// that quote them write the same), or nullopt for any other string.
std::optional<double> non_finite_placeholder(std::string_view text);

}  // namespace metricaudit::audit::detail
