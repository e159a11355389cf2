// Shared helpers of the text log readers (see text_parsing.hpp).
#include "text_parsing.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "metricaudit/error.hpp"

namespace metricaudit::audit::detail {

void fail(std::string_view file, std::int64_t line, std::string_view message) {
  std::string text;
  text.reserve(file.size() + message.size() + 24);
  text.append(file);
  text.push_back(':');
  text.append(std::to_string(line));
  text.append(": ");
  text.append(message);
  throw InputError(text);
}

std::ifstream open_log_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), 1, std::string("cannot open the file: ") + std::strerror(errno));
  return in;
}

std::string quote_text(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  const std::size_t n = std::min(text.size(), kMax);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out += text.size() > kMax ? "'..." : "'";
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// ---------------------------------------------------------------- text

bool valid_utf8(std::string_view text, std::size_t* bad_at) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      *bad_at = i;
      return false;
    }
    if (i + len > n) {
      *bad_at = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        *bad_at = i;
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid (RFC 3629).
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      *bad_at = i;
      return false;
    }
    i += len;
  }
  return true;
}

std::string_view strip_ansi(std::string_view text, std::string& scratch) {
  if (text.find('\x1b') == std::string_view::npos) return text;
  scratch.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\x1b') {
      scratch.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '[') {
      // CSI: parameters and intermediates, then one final byte in 0x40..0x7E (ECMA-48).
      std::size_t j = i + 2;
      while (j < text.size() && !(text[j] >= 0x40 && text[j] <= 0x7E)) ++j;
      i = j;  // skip the final byte too (or run to the end when truncated)
    } else if (i + 1 < text.size()) {
      ++i;  // two-byte escape such as ESC 7 / ESC 8
    }
  }
  return scratch;
}

std::string_view trim_left(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return s.substr(i);
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  std::size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
    --n;
  return s.substr(0, n);
}

std::string_view strip_bom(std::string_view s) {
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") return s.substr(3);
  return s;
}
PointReserver::PointReserver(std::istream& in) {
  // Only a stream that can tell its position and seek (a file, a string stream) has a
  // size; a pipe reports -1 and is read without the reservation.
  const auto here = in.tellg();
  if (here == std::istream::pos_type(-1)) return;
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  in.seekg(here);
  if (!in || end == std::istream::pos_type(-1)) {
    in.clear();
    in.seekg(here);
    return;
  }
  total_ = static_cast<std::int64_t>(end - here);
}

void PointReserver::reserve(std::vector<LoggedPoint>& points, std::int64_t consumed) {
  done_ = true;
  if (total_ <= consumed || points.empty()) return;
  // The rate of the first MiB, 5 % over; a wrong guess costs one more regrowth (too low)
  // or untouched address space (too high), never a different result.
  const double rate = static_cast<double>(points.size()) / static_cast<double>(consumed);
  const double want = rate * static_cast<double>(total_) * 1.05 + 1024.0;
  // Every point takes at least two bytes of text ("1,"): a bound on a wild sample.
  const double most = static_cast<double>(total_) / 2.0 + 1024.0;
  const auto n = static_cast<std::size_t>(std::min(want, most));
  if (n <= points.capacity()) return;
  try {
    points.reserve(n);
  } catch (const std::bad_alloc&) {
    // Not enough address space for the guess: grow as needed instead.
  }
}

// ---------------------------------------------------------------- warnings, naming

void WarningSink::add(std::int64_t line, std::string_view message) {
  if (out_.size() >= cap_) {
    ++dropped_;
    return;
  }
  std::string text(file_);
  text += ':';
  text += std::to_string(line);
  text += ": ";
  text += message;
  out_.push_back(std::move(text));
}

void WarningSink::finish() {
  if (dropped_ > 0) {
    out_.push_back(std::string(file_) + ": ... and " + std::to_string(dropped_) + " more warnings");
    dropped_ = 0;
  }
}

}  // namespace metricaudit::audit::detail
