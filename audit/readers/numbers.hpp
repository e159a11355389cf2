// Numbers as the logs print them: the value and how precisely it was written ("0.9858"
// has 4 decimals, "1.2345e-04" 5 significant digits). Private to audit/readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "metricaudit/audit/logged_series.hpp"

namespace metricaudit::audit::detail {

/// A number as printed, and how precisely.
struct ParsedNumber {
  double value = 0.0;
  Precision precision;
};

/// Parses the whole of `text` as a decimal number ("0.9858", "-3", "1.2345e-04", "1e-5",
/// ".5", "nan", "inf", "NaN", "-Infinity"); nullopt when any byte is left over.
std::optional<ParsedNumber> parse_number(std::string_view text);

/// Parses the whole of `text` as an integer (also "3.0": Lightning and pandas write
/// integral floats); nullopt otherwise.
std::optional<std::int64_t> parse_integer(std::string_view text);

/// True when the 8 bytes at p are all ASCII digits (SWAR: one test for the eight).
inline bool eight_digits(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  // A byte passes when its high nibble is 3 and adding 6 leaves it 3 (so <= '9'); a byte
  // that could carry into its neighbour (>= 0xFA) already fails the first test.
  return ((v & 0xF0F0F0F0F0F0F0F0ULL) |
          (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) == 0x3333333333333333ULL;
}

/// The end of the run of ASCII digits in `text` starting at `i` (long runs: logged floats
/// carry 16-17 digits, which the byte loop would take one at a time).
inline std::size_t scan_digits(std::string_view text, std::size_t i) {
  while (i + 8 <= text.size() && eight_digits(text.data() + i)) i += 8;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  return i;
}

/// The decimals of `text` (parsed as `printed`) that carry information when the writer
/// printed at most `significant` significant digits and padded with zeros (tqdm's '.3g'
/// with Lightning's padding: "12.30" -> 1, "0.500" -> 3, "0.0386" -> 4).
int significant_decimals(std::string_view text, const Precision& printed, int significant);

bool starts_with_digit(std::string_view s);
/// Reads leading ASCII digits into *value (no sign); returns the count (0: none or overflow).
std::size_t read_digits(std::string_view s, std::int64_t* value);

}  // namespace metricaudit::audit::detail
