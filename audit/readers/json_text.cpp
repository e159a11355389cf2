// Python's non-finite JSON numbers (json_text.hpp).
#include "json_text.hpp"

#include <cmath>

namespace metricaudit::audit::detail {

bool quote_non_finite(std::string_view text, std::string& out) {
  if (text.find("NaN") == std::string_view::npos && text.find("Infinity") == std::string_view::npos)
    return false;
  out.clear();
  bool in_string = false;
  bool changed = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    const std::string_view rest = text.substr(i);
    std::string_view token;
    for (std::string_view t : {"NaN", "Infinity", "-Infinity"})
      if (rest.starts_with(t)) token = t;
    if (token.empty()) {
      out.push_back(c);
      continue;
    }
    out.push_back('"');
    out.append(token);
    out.push_back('"');
    i += token.size() - 1;
    changed = true;
  }
  return changed;
}

std::optional<double> non_finite_placeholder(std::string_view text) {
  if (text == "NaN") return std::nan("");
  if (text == "Infinity") return HUGE_VAL;
  if (text == "-Infinity") return -HUGE_VAL;
  return std::nullopt;
}

}  // namespace metricaudit::audit::detail
