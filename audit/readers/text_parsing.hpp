// Shared machinery of the text log readers: a buffered record splitter, number parsing
// with printed precision, CSV row splitting, ANSI stripping and the error/warning helpers.
// Private to audit/readers (the tests include it to check the helpers directly).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/logged_series.hpp"
#include "metricaudit/audit/text_log_readers.hpp"

namespace metricaudit::audit::detail {

/// Throws InputError "file:line: message".
[[noreturn]] void fail(std::string_view file, std::int64_t line, std::string_view message);

/// `text` quoted for a message: at most 40 bytes, control and non-ASCII bytes as \xNN.
std::string quote_text(std::string_view text);

/// One piece of input between delimiters.
struct Record {
  std::string_view text;    ///< without its delimiter; valid until the next call to next()
  std::int64_t line = 0;    ///< 1-based physical line ('\n' count + 1)
  std::int64_t offset = 0;  ///< byte offset of text in the stream
  char end = 0;             ///< the delimiter that ended it: '\n', '\r', '\b'; 0 at end of input
};

/// Splits a stream into records at any of a set of delimiter bytes without a copy per
/// record: it reads 1 MiB blocks and hands out views into its buffer. With '\r' or '\b'
/// among the delimiters (progress-bar redraws), a run of them counts as one delimiter so
/// Keras's "\b" * width + "\r" gives one record, not hundreds of empty ones.
class RecordReader {
 public:
  RecordReader(std::istream& in, std::string_view file, std::string_view delimiters,
               std::size_t max_record_bytes);
  /// The next record; false at the end of input. Throws InputError for a record longer
  /// than max_record_bytes or a stream read error.
  bool next(Record& record);

 private:
  bool refill();  // false when no more bytes can be read

  std::istream& in_;
  std::string_view file_;
  bool is_delim_[256] = {};
  bool only_newline_ = false;
  std::size_t max_record_;
  std::unique_ptr<char[]> buf_;  // not value-initialised: no 1 MiB memset per reader
  std::size_t cap_ = 0;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t end_ = 0;    // one past the last valid byte
  std::size_t scan_ = 0;   // bytes from begin_ already known to hold no delimiter
  std::int64_t line_ = 1;
  std::int64_t offset_ = 0;  // stream offset of buf_[begin_]
  bool eof_ = false;
};

/// A number as printed, and how precisely.
struct ParsedNumber {
  double value = 0.0;
  Precision precision;
};

/// Parses the whole of `text` as a decimal number ("0.9858", "-3", "1.2345e-04", "1e-5",
/// ".5", "nan", "inf", "NaN", "-Infinity"); nullopt when any byte is left over.
std::optional<ParsedNumber> parse_number(std::string_view text);

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

/// Parses the whole of `text` as an integer (also "3.0": Lightning and pandas write
/// integral floats); nullopt otherwise.
std::optional<std::int64_t> parse_integer(std::string_view text);

/// True when `text` is valid UTF-8; otherwise *bad_at is the offset of the first bad byte.
bool valid_utf8(std::string_view text, std::size_t* bad_at);

/// Removes ANSI escape sequences (CSI "ESC [ ... final" and two-byte "ESC x") from text,
/// writing into `scratch` only when there is one. Returns the cleaned view.
std::string_view strip_ansi(std::string_view text, std::string& scratch);

std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);
bool starts_with_digit(std::string_view s);
/// Reads leading ASCII digits into *value (no sign); returns the count (0: none or overflow).
std::size_t read_digits(std::string_view s, std::int64_t* value);

/// Splits one CSV line (RFC 4180 quoting as Python's csv module writes it, quotes within
/// the line) at `sep` into cells, reusing the strings in `cells`; returns the cell count.
/// Throws InputError for an unterminated quote or text after a closing quote.
std::size_t split_csv(std::string_view line, char sep, std::vector<std::string>& cells,
                      std::string_view file, std::int64_t line_no);

/// The same split without a string per cell (the readers' per-row path): the cells are
/// views into `line`, or into `unescaped` for a quoted cell holding a doubled quote; they
/// stay valid until the next call with the same `unescaped` or until `line` goes.
std::size_t split_csv(std::string_view line, char sep, std::vector<std::string_view>& cells,
                      std::string& unescaped, std::string_view file, std::int64_t line_no);

class WarningSink;

/// One data row of a CSV log with a header (Keras CSVLogger, Lightning metrics.csv):
/// returns false, with a warning, for a repeated header line (two runs appended to one
/// file); otherwise splits it into `cells` and throws InputError unless it has exactly
/// `width` fields, as the header does.
bool split_csv_row(std::string_view line, std::string_view header_line, std::size_t width, char sep,
                   std::vector<std::string_view>& cells, std::string& unescaped,
                   WarningSink& warnings, std::string_view file, std::int64_t line_no);

/// Reserves a reader's point vector once from the rate seen in the first MiB and the
/// stream's size: a dense 1 GB CSV gives ~50 million points of ~170 bytes, and growing
/// the vector by doubling would move them all again and touch twice the memory.
class PointReserver {
 public:
  /// Measures the bytes left in `in` when it can seek (a file); otherwise does nothing.
  explicit PointReserver(std::istream& in);
  /// Call with the bytes consumed so far (a record's offset); cheap until the sample is in.
  void check(std::vector<LoggedPoint>& points, std::int64_t consumed) {
    if (consumed >= kSample && !done_) reserve(points, consumed);
  }

 private:
  static constexpr std::int64_t kSample = std::int64_t{1} << 20;
  void reserve(std::vector<LoggedPoint>& points, std::int64_t consumed);
  std::int64_t total_ = -1;
  bool done_ = false;
};

/// Collects warnings up to a cap, then counts the rest.
class WarningSink {
 public:
  WarningSink(std::vector<std::string>& out, std::string_view file, std::size_t cap)
      : out_(out), file_(file), cap_(cap) {}
  void add(std::int64_t line, std::string_view message);
  /// Appends "... and N more warnings" when some were dropped.
  void finish();

 private:
  std::vector<std::string>& out_;
  std::string_view file_;
  std::size_t cap_;
  std::size_t dropped_ = 0;
};

/// Lightning's per_step reading of a logged name: "*_step" true, "*_epoch" false, else
/// true for training names (training_step logs on_step by default) and false for
/// validation/test names (on_epoch by default); lightning/pytorch/core/module.py `log`.
bool lightning_per_step(std::string_view name, std::string_view split);

/// Strips a UTF-8 byte order mark.
std::string_view strip_bom(std::string_view s);

// The readers, one per format (one .cpp each).
LoggedRun read_keras_progress(std::istream& in, std::string_view file,
                              const TextLogOptions& options);
LoggedRun read_keras_csv(std::istream& in, std::string_view file, const TextLogOptions& options);
LoggedRun read_lightning_csv(std::istream& in, std::string_view file,
                             const TextLogOptions& options);
LoggedRun read_tqdm(std::istream& in, std::string_view file, const TextLogOptions& options);
LoggedRun read_jsonl(std::istream& in, std::string_view file, const TextLogOptions& options);

/// keras-progress helpers shared with format detection.
struct KerasCounter {
  std::int64_t current = 0;
  std::optional<std::int64_t> target;  ///< nullopt for "Unknown"
  std::size_t rest = 0;                ///< offset of the text after the counter
};
/// Recognises a Keras bar line ("  32/1875 [", "1875/1875 ━", "1875/1875 - 5s",
/// "     12/Unknown"): the counter followed by a space and '[', '━' or '-', or by nothing.
std::optional<KerasCounter> keras_counter(std::string_view text);
/// Recognises "Epoch k/n" (the Keras epoch header); *malformed is set when the text starts
/// with "Epoch <digits>/" but does not finish as a header.
std::optional<std::int64_t> keras_epoch_header(std::string_view text, bool* malformed);
/// Recognises Lightning's tqdm description "Epoch N:"; returns N and the offset after ':'.
std::optional<std::int64_t> tqdm_epoch_prefix(std::string_view text, std::size_t* after);

/// The CRC-32C (Castagnoli) of data, as TFRecord framing uses it.
std::uint32_t crc32c_bytes(const unsigned char* data, std::size_t size);

}  // namespace metricaudit::audit::detail
