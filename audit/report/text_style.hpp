// Terminal text helpers shared by the audit and compare text reports (private to
// audit/report): colours, padding to display width, wrapped paragraphs and lists.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "format.hpp"
#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit::detail {

inline constexpr std::size_t kWidth = 100;

// ANSI SGR sequences; empty strings when colour is off, so call sites stay simple.
struct Palette {
  const char* bold = "";
  const char* dim = "";
  const char* red = "";
  const char* yellow = "";
  const char* green = "";
  const char* cyan = "";
  const char* reset = "";

  static Palette make(bool colour) {
    if (!colour) return {};
    return {"\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[36m", "\x1b[0m"};
  }
  const char* severity(Severity s) const {
    switch (s) {
      case Severity::error:
        return red;
      case Severity::warning:
        return yellow;
      case Severity::note:
        return cyan;
    }
    return "";
  }
};

inline std::string pad_right(std::string_view s, std::size_t width) {
  std::string out(s);
  const std::size_t w = display_width(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

inline std::string pad_left(std::string_view s, std::size_t width) {
  const std::size_t w = display_width(s);
  std::string out = w < width ? std::string(width - w, ' ') : std::string();
  out += s;
  return out;
}

inline std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

inline void write_paragraph(std::ostream& out, std::string_view label, std::string_view text,
                            std::size_t indent, const char* colour_on, const char* colour_off) {
  const std::string lead(indent, ' ');
  const std::vector<std::string> lines =
      wrap(std::string(label) + std::string(text), kWidth - indent);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out << lead;
    if (i == 0 && !label.empty() && lines[0].starts_with(label)) {
      out << colour_on << label << colour_off << lines[0].substr(label.size());
    } else {
      out << lines[i];
    }
    out << '\n';
  }
}

inline void write_list(std::ostream& out, const Palette& c, std::string_view title,
                       const std::vector<std::string>& items) {
  if (items.empty()) return;
  out << '\n' << c.bold << title << " (" << items.size() << ")" << c.reset << '\n';
  for (const std::string& item : items) {
    const std::vector<std::string> lines = wrap(item, kWidth - 4);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      out << (i == 0 ? "  - " : "    ") << lines[i] << '\n';
    }
  }
}

}  // namespace metricaudit::audit::detail
