// Numbers as the logs print them: the value and how precisely it was written.
#include "numbers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

#include "text_parsing.hpp"

namespace metricaudit::audit::detail {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

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
    out.precision.significant_digits = static_cast<std::uint16_t>(
        std::min<std::size_t>(sig_digits > 0 ? sig_digits : int_digits + frac_digits, 65535));
    const long decimals = static_cast<long>(frac_digits) - exponent;
    out.precision.decimals = static_cast<std::uint16_t>(std::clamp<long>(decimals, 0, 400));
  } else {
    out.precision.decimals = static_cast<std::uint16_t>(std::min<std::size_t>(frac_digits, 400));
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

int significant_decimals(std::string_view text, const Precision& printed, int significant) {
  if (printed.significant_digits > 0) return printed.decimals;  // exponent form
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return printed.decimals;
  int sig = 0;
  bool nonzero = false;
  for (char c : text) {
    if (!is_digit(c)) continue;
    if (c != '0') nonzero = true;
    if (nonzero) ++sig;
  }
  if (sig <= significant) return printed.decimals;
  const int extra = sig - significant;
  return printed.decimals > extra ? printed.decimals - extra : 0;
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

}  // namespace metricaudit::audit::detail
