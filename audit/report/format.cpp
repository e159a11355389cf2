#include "format.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace metricaudit::audit::detail {
namespace {

std::string printf_double(const char* format, int digits, double value) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof buffer, format, digits, value);
  return std::string(buffer, static_cast<std::size_t>(std::clamp(n, 0, 63)));
}

}  // namespace

std::string format_value(double value, const Precision& precision) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  switch (precision.kind) {
    case Precision::Kind::float32:
      return printf_double("%.*g", 9, value);
    case Precision::Kind::float64:
      return printf_double("%.*g", 17, value);
    case Precision::Kind::decimal:
      break;
  }
  if (precision.significant_digits > 0) {
    return printf_double("%.*e", std::clamp(precision.significant_digits - 1, 0, 16), value);
  }
  // At most 10 decimals: CSV loggers print float32 values with up to 19 digits, and
  // columns that wide stop being readable; the JSON report keeps every bit.
  return printf_double("%.*f", std::clamp(static_cast<int>(precision.decimals), 0, 10), value);
}

std::string format_p(double p) {
  if (p < 1e-300) return "< 1e-300";
  char buf[32];
  std::snprintf(buf, sizeof buf, p >= 1e-4 ? "%.4g" : "%.3g", p);
  return buf;
}

std::string format_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  // std::to_chars without a precision gives the shortest round-tripping form.
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string format_ranges(const std::vector<std::int64_t>& values) {
  std::vector<std::int64_t> v = values;
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    // The longest run from v[i] with a constant stride: per-step values are usually
    // logged every n steps, and "4, 9, ..., 129" says that in one line.
    std::size_t j = i;
    if (i + 1 < v.size()) {
      const std::int64_t stride = v[i + 1] - v[i];
      j = i + 1;
      while (j + 1 < v.size() && v[j + 1] - v[j] == stride) ++j;
      if (j - i < 2 && stride != 1) j = i;  // two values with a gap: list them
    }
    if (!out.empty()) out += ", ";
    out += std::to_string(v[i]);
    if (j > i) {
      const std::int64_t stride = v[i + 1] - v[i];
      if (stride == 1) {
        out += "-" + std::to_string(v[j]);
      } else {
        out += ", " + std::to_string(v[i + 1]) + ", ..., " + std::to_string(v[j]);
      }
    }
    i = j + 1;
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
  }));
}

std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t line_width = 0;
  std::size_t pos = 0;
  width = std::max<std::size_t>(width, 1);
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    const std::size_t w = display_width(word);
    if (!line.empty() && line_width + 1 + w > width) {
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    }
    if (!line.empty()) {
      line += ' ';
      ++line_width;
    }
    line += word;
    line_width += w;
    pos = end;
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string path_to_uri_reference(std::string_view path) {
  // ':' is encoded too: in a relative reference's first segment it would read as a scheme.
  static constexpr std::string_view kKeep = "-._~/@!$&'()*+,;=";
  std::string out;
  out.reserve(path.size() + 8);
  // An absolute POSIX path becomes a file URI; relative paths stay relative (SARIF
  // consumers resolve them against the checkout, which is what a CI job wants).
  if (!path.empty() && path.front() == '/') out += "file://";
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '\\') {
      out += '/';
    } else if (std::isalnum(c) != 0 && c < 0x80) {
      out += ch;
    } else if (kKeep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

}  // namespace metricaudit::audit::detail
