// Shared helpers of the text log readers (see text_parsing.hpp).
#include "text_parsing.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <system_error>
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

// ---------------------------------------------------------------- RecordReader

namespace {
constexpr std::size_t kBlock = std::size_t{1} << 20;
}

RecordReader::RecordReader(std::istream& in, std::string_view file, std::string_view delimiters,
                           std::size_t max_record_bytes)
    : in_(in), file_(file), max_record_(std::max<std::size_t>(max_record_bytes, 16)) {
  for (char c : delimiters) is_delim_[static_cast<unsigned char>(c)] = true;
  only_newline_ = delimiters == "\n";
  cap_ = kBlock;
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);
}

bool RecordReader::refill() {
  if (eof_) return false;
  // Move the unconsumed tail to the front, grow when a record fills the whole buffer.
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == cap_) {
    if (cap_ >= max_record_ + 1) {
      fail(file_, line_,
           "line longer than " + std::to_string(max_record_) +
               " bytes; expected a text log with line breaks");
    }
    const std::size_t cap = std::min(cap_ * 2, max_record_ + 1);
    auto grown = std::make_unique_for_overwrite<char[]>(cap);
    std::memcpy(grown.get(), buf_.get(), end_);
    buf_ = std::move(grown);
    cap_ = cap;
  }
  in_.read(buf_.get() + end_, static_cast<std::streamsize>(cap_ - end_));
  const auto got = static_cast<std::size_t>(in_.gcount());
  if (in_.bad()) fail(file_, line_, "read error");
  end_ += got;
  if (got == 0) eof_ = true;
  return got > 0;
}

bool RecordReader::next(Record& record) {
  for (;;) {
    const char* base = buf_.get();
    std::size_t found = end_;
    if (only_newline_) {
      const void* p = std::memchr(base + begin_ + scan_, '\n', end_ - begin_ - scan_);
      if (p != nullptr) found = static_cast<std::size_t>(static_cast<const char*>(p) - base);
    } else {
      for (std::size_t i = begin_ + scan_; i < end_; ++i) {
        if (is_delim_[static_cast<unsigned char>(base[i])]) {
          found = i;
          break;
        }
      }
    }
    if (found < end_) {
      const std::size_t len = found - begin_;
      if (len > max_record_) {
        fail(file_, line_,
             "line longer than " + std::to_string(max_record_) +
                 " bytes; expected a text log with line breaks");
      }
      record.text = std::string_view(base + begin_, len);
      record.line = line_;
      record.offset = offset_;
      record.end = base[found];
      std::size_t next = found + 1;
      if (record.end == '\n') {
        ++line_;
      } else {
        // A run of redraw delimiters ("\b\b\b\r") is one delimiter.
        while (next < end_ && base[next] != '\n' &&
               is_delim_[static_cast<unsigned char>(base[next])])
          ++next;
      }
      offset_ += static_cast<std::int64_t>(next - begin_);
      begin_ = next;
      scan_ = 0;
      return true;
    }
    scan_ = end_ - begin_;
    if (scan_ > max_record_) {
      fail(file_, line_,
           "line longer than " + std::to_string(max_record_) +
               " bytes; expected a text log with line breaks");
    }
    if (!refill()) {
      if (begin_ == end_) return false;
      record.text = std::string_view(buf_.get() + begin_, end_ - begin_);
      record.line = line_;
      record.offset = offset_;
      record.end = 0;
      offset_ += static_cast<std::int64_t>(end_ - begin_);
      begin_ = end_;
      scan_ = 0;
      return true;
    }
  }
}

// ---------------------------------------------------------------- numbers

namespace {

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

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

namespace {

// Powers of ten exactly representable as doubles (10^22 < 2^53 * 2^22), for the fast path.
constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The value of eight ASCII digits, most significant first (fast_float's
// parse_eight_digits_unrolled: pairs, then quads, then the two halves).
std::uint64_t eight_digits_value(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  v -= 0x3030303030303030ULL;
  v = (v * 10) + (v >> 8);
  v = (((v & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
       (((v >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >>
      32;
  return static_cast<std::uint32_t>(v);
}

// m * 10^digits.size() + the value of `digits` (all ASCII digits; no overflow check).
std::uint64_t accumulate_digits(std::string_view digits, std::uint64_t m) {
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {  // eight_digits_value's order
    for (; i + 8 <= digits.size(); i += 8)
      m = m * 100000000ULL + eight_digits_value(digits.data() + i);
  }
  for (; i < digits.size(); ++i) m = m * 10 + static_cast<std::uint64_t>(digits[i] - '0');
  return m;
}

std::optional<ParsedNumber> parse_non_finite(std::string_view body, bool negative) {
  // Python prints nan/inf ("nan", "inf"), json.dumps writes NaN/Infinity.
  if (!(iequals(body, "nan") || iequals(body, "inf") || iequals(body, "infinity")))
    return std::nullopt;
  ParsedNumber out;
  out.precision.kind = Precision::Kind::decimal;
  const double v = (body[0] == 'n' || body[0] == 'N') ? std::numeric_limits<double>::quiet_NaN()
                                                      : std::numeric_limits<double>::infinity();
  out.value = negative ? -v : v;
  out.precision.decimals = 0;
  return out;
}

}  // namespace

std::optional<ParsedNumber> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    i = 1;
  }
  ParsedNumber out;
  out.precision.kind = Precision::Kind::decimal;
  // Grammar: digits [ '.' digits ] | '.' digits, then optional exponent.
  std::size_t j = scan_digits(text, i);
  const std::size_t int_begin = i;
  const std::size_t int_digits = j - i;
  std::size_t frac_begin = j;
  std::size_t frac_digits = 0;
  bool has_point = false;
  if (j < text.size() && text[j] == '.') {
    has_point = true;
    frac_begin = j + 1;
    j = scan_digits(text, frac_begin);
    frac_digits = j - frac_begin;
  }
  if (int_digits + frac_digits == 0) {
    // Not a digit in sight: only the non-finite spellings remain.
    if (has_point) return std::nullopt;
    return parse_non_finite(text.substr(i), negative);
  }
  bool has_exponent = false;
  long exponent = 0;
  if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
    has_exponent = true;
    ++j;
    bool exp_negative = false;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) {
      exp_negative = text[j] == '-';
      ++j;
    }
    const std::size_t exp_start = j;
    for (; j < text.size() && is_digit(text[j]); ++j) {
      if (exponent < 100000) exponent = exponent * 10 + (text[j] - '0');
    }
    if (j == exp_start) return std::nullopt;
    if (exp_negative) exponent = -exponent;
  }
  if (j != text.size()) return std::nullopt;
  // Mantissa digits from the first non-zero one (the leading zeros of "0.0012").
  std::size_t leading_zeros = 0;
  while (leading_zeros < int_digits && text[int_begin + leading_zeros] == '0') ++leading_zeros;
  if (leading_zeros == int_digits) {
    while (leading_zeros < int_digits + frac_digits &&
           text[frac_begin + leading_zeros - int_digits] == '0')
      ++leading_zeros;
  }
  const std::size_t sig_digits = int_digits + frac_digits - leading_zeros;
  // All the digits as one integer, exact while there are at most 19 of them.
  std::uint64_t mantissa = 0;
  const bool exact_mantissa = int_digits + frac_digits <= 19;
  if (exact_mantissa) {
    mantissa = accumulate_digits(text.substr(int_begin, int_digits), 0);
    mantissa = accumulate_digits(text.substr(frac_begin, frac_digits), mantissa);
  }
  double value = 0.0;
  const long scale = exponent - static_cast<long>(frac_digits);
  // Clinger's fast path: a mantissa below 2^53 and a power of ten up to 10^22 are both
  // exact doubles, so one IEEE multiply or divide rounds once to nearest, the same
  // double from_chars gives, at a fraction of its cost (most logged values take it).
  // Only for the plain forms "d", "d.d", "de±x", "d.de±x": the unusual ".5" / "1." stay
  // on from_chars so whatever it accepts or rejects is unchanged.
  const bool plain = int_digits > 0 && (!has_point || frac_digits > 0);
  if (plain && exact_mantissa && mantissa <= (std::uint64_t{1} << 53) && scale >= -22 &&
      scale <= 22) {
    const auto m = static_cast<double>(mantissa);
    value = scale < 0 ? m / kExactPow10[-scale] : m * kExactPow10[scale];
    if (negative) value = -value;
  } else {
    // from_chars takes no leading '+'; everything else it parses exactly (round to nearest).
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    const auto res = std::from_chars(first, text.data() + text.size(), value);
    if (res.ptr != text.data() + text.size()) return std::nullopt;
    if (res.ec == std::errc::result_out_of_range) {
      // Overflow or underflow: keep the IEEE reading (inf or 0) rather than reject the log.
      value = exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
      if (negative) value = -value;
    } else if (res.ec != std::errc()) {
      return std::nullopt;
    }
  }
  out.value = value;
  if (has_exponent) {
    // "0.0000e+00" (Keras's "%.4e" of 0) has 5 mantissa digits, all zero.
    out.precision.significant_digits =
        static_cast<int>(sig_digits > 0 ? sig_digits : int_digits + frac_digits);
    const long decimals = static_cast<long>(frac_digits) - exponent;
    out.precision.decimals = static_cast<int>(std::clamp<long>(decimals, 0, 400));
  } else {
    out.precision.decimals = static_cast<int>(std::min<std::size_t>(frac_digits, 400));
  }
  return out;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
  if (res.ec == std::errc() && res.ptr == text.data() + text.size()) return value;
  const auto number = parse_number(text);
  if (!number || !std::isfinite(number->value)) return std::nullopt;
  const double v = number->value;
  if (v != std::floor(v) || std::fabs(v) > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(v);
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

bool starts_with_digit(std::string_view s) {
  return !s.empty() && is_digit(s[0]);
}

std::size_t read_digits(std::string_view s, std::int64_t* value) {
  std::size_t i = 0;
  std::int64_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (v > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return 0;
    v = v * 10 + (s[i] - '0');
    ++i;
  }
  *value = v;
  return i;
}

std::string_view strip_bom(std::string_view s) {
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") return s.substr(3);
  return s;
}

bool split_csv_row(std::string_view line, std::string_view header_line, std::size_t width, char sep,
                   std::vector<std::string_view>& cells, std::string& unescaped,
                   WarningSink& warnings, std::string_view file, std::int64_t line_no) {
  if (line == header_line) {
    warnings.add(line_no, "skipped a repeated header (two runs in one file?)");
    return false;
  }
  const std::size_t n = split_csv(line, sep, cells, unescaped, file, line_no);
  if (n != width) {
    fail(file, line_no,
         "expected " + std::to_string(width) + " fields as in the header, found " +
             std::to_string(n));
  }
  return true;
}

std::size_t split_csv(std::string_view line, char sep, std::vector<std::string>& cells,
                      std::string_view file, std::int64_t line_no) {
  std::vector<std::string_view> views;
  std::string unescaped;
  const std::size_t count = split_csv(line, sep, views, unescaped, file, line_no);
  if (cells.size() < count) cells.resize(count);
  for (std::size_t c = 0; c < count; ++c) cells[c].assign(views[c]);
  return count;
}

std::size_t split_csv(std::string_view line, char sep, std::vector<std::string_view>& cells,
                      std::string& unescaped, std::string_view file, std::int64_t line_no) {
  // A cell with a doubled quote is unescaped into `unescaped`; its view is set once the
  // row is done, as appending may move that buffer. Such cells are rare (Keras's quoted
  // "[a, b]" arrays have none), so their (cell, offset, length) go in a small list.
  struct Pending {
    std::size_t cell, at, size;
  };
  Pending pending[4];
  std::size_t n_pending = 0;
  std::vector<Pending> more_pending;
  unescaped.clear();
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    if (count == cells.size()) cells.emplace_back();
    const std::size_t index = count++;
    if (i < n && line[i] == '"') {
      // Quoted cell: "" is a literal quote; the cell ends at a lone quote.
      ++i;
      const std::size_t open = i;
      bool closed = false;
      bool doubled = false;
      std::size_t at = 0;
      while (i < n) {
        const std::size_t q = line.find('"', i);
        if (q == std::string_view::npos) break;
        if (q + 1 < n && line[q + 1] == '"') {
          if (!doubled) {
            doubled = true;
            at = unescaped.size();
            unescaped.append(line.substr(open, i - open));
          }
          unescaped.append(line.substr(i, q - i));
          unescaped.push_back('"');
          i = q + 2;
        } else {
          if (doubled) {
            unescaped.append(line.substr(i, q - i));
            const Pending p{index, at, unescaped.size() - at};
            if (n_pending < std::size(pending)) {
              pending[n_pending++] = p;
            } else {
              more_pending.push_back(p);
            }
          } else {
            cells[index] = line.substr(open, q - open);
          }
          i = q + 1;
          closed = true;
          break;
        }
      }
      if (!closed) {
        fail(file, line_no,
             "unterminated quoted CSV field in column " + std::to_string(count) +
                 "; expected a closing '\"' on the same line");
      }
      if (i < n && line[i] != sep) {
        fail(file, line_no,
             "unexpected " + quote_text(line.substr(i, 1)) + " after the quoted field in column " +
                 std::to_string(count) + "; expected the separator or the end of the line");
      }
    } else {
      const void* s = i < n ? std::memchr(line.data() + i, sep, n - i) : nullptr;
      const std::size_t stop =
          s == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(s) - line.data());
      cells[index] = line.substr(i, stop - i);
      i = stop;
    }
    if (i >= n) break;
    ++i;  // the separator
  }
  const std::string_view all(unescaped);
  for (std::size_t k = 0; k < n_pending; ++k)
    cells[pending[k].cell] = all.substr(pending[k].at, pending[k].size);
  for (const Pending& p : more_pending) cells[p.cell] = all.substr(p.at, p.size);
  return count;
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

bool lightning_per_step(std::string_view name, std::string_view split) {
  if (name.ends_with("_step")) return true;
  if (name.ends_with("_epoch")) return false;
  return split == "train";
}

// ---------------------------------------------------------------- format markers

std::optional<KerasCounter> keras_counter(std::string_view text) {
  const std::size_t lead = text.size() - trim_left(text).size();
  std::int64_t current = 0;
  const std::size_t nd = read_digits(text.substr(lead), &current);
  if (nd == 0) return std::nullopt;
  std::size_t i = lead + nd;
  if (i >= text.size() || text[i] != '/') return std::nullopt;
  ++i;
  KerasCounter out;
  out.current = current;
  std::int64_t target = 0;
  const std::size_t td = read_digits(text.substr(i), &target);
  if (td > 0) {
    out.target = target;
    i += td;
  } else if (text.substr(i).starts_with("Unknown")) {
    i += 7;
  } else {
    return std::nullopt;
  }
  out.rest = i;
  if (i == text.size()) return out;
  if (text[i] != ' ') return std::nullopt;
  std::size_t k = i;
  while (k < text.size() && text[k] == ' ') ++k;
  if (k == text.size()) return out;
  // Keras 2 bar '[', Keras 3 bar '━' (U+2501, E2 94 81), verbose=2 " - 5s".
  if (text[k] == '[' || text[k] == '-' || text.substr(k).starts_with("\xE2\x94\x81")) return out;
  return std::nullopt;
}

std::optional<std::int64_t> keras_epoch_header(std::string_view text, bool* malformed) {
  *malformed = false;
  text = trim(text);
  if (!text.starts_with("Epoch ")) return std::nullopt;
  std::int64_t k = 0;
  const std::size_t kd = read_digits(text.substr(6), &k);
  if (kd == 0 || 6 + kd >= text.size() || text[6 + kd] != '/') return std::nullopt;
  std::int64_t n = 0;
  const std::size_t nd = read_digits(text.substr(7 + kd), &n);
  if (nd == 0 || 7 + kd + nd != text.size() || k < 1) {
    *malformed = true;
    return std::nullopt;
  }
  return k;
}

std::optional<std::int64_t> tqdm_epoch_prefix(std::string_view text, std::size_t* after) {
  const std::size_t lead = text.size() - trim_left(text).size();
  const std::string_view t = text.substr(lead);
  if (!t.starts_with("Epoch ")) return std::nullopt;
  std::int64_t n = 0;
  const std::size_t nd = read_digits(t.substr(6), &n);
  if (nd == 0 || 6 + nd >= t.size() || t[6 + nd] != ':') return std::nullopt;
  *after = lead + 6 + nd + 1;
  return n;
}

std::uint32_t crc32c_bytes(const unsigned char* data, std::size_t size) {
  // Bitwise CRC-32C (reflected polynomial 0x82F63B78): only the 8-byte TFRecord length
  // is checked here, so a table is not worth it.
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace metricaudit::audit::detail

namespace metricaudit::audit {

std::string_view split_from_metric_name(std::string_view name, std::string_view fallback) {
  std::size_t i = 0;
  while (i < name.size()) {
    std::size_t j = i;
    while (j < name.size() && name[j] != '/' && name[j] != '_' && name[j] != '-' &&
           name[j] != '.' && name[j] != ' ')
      ++j;
    const std::string_view word = name.substr(i, j - i);
    if (detail::iequals(word, "val") || detail::iequals(word, "valid") ||
        detail::iequals(word, "validation") || detail::iequals(word, "eval"))
      return "val";
    if (detail::iequals(word, "test")) return "test";
    if (detail::iequals(word, "train") || detail::iequals(word, "training")) return "train";
    i = j + 1;
  }
  return fallback;
}

}  // namespace metricaudit::audit
