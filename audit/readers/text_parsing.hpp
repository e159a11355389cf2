// Shared machinery of the text log readers: a buffered record splitter, number parsing
// with printed precision, CSV row splitting, ANSI stripping and the error/warning helpers.
// Private to audit/readers (the tests include it to check the helpers directly).
#pragma once

#include <cstddef>
#include <cstdint>
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

class WarningSink;

/// One data row of a CSV log with a header (Keras CSVLogger, Lightning metrics.csv):
/// returns false, with a warning, for a repeated header line (two runs appended to one
/// file); otherwise splits it into `cells` and throws InputError unless it has exactly
/// `width` fields, as the header does.
bool split_csv_row(std::string_view line, std::string_view header_line, std::size_t width, char sep,
                   std::vector<std::string>& cells, WarningSink& warnings, std::string_view file,
                   std::int64_t line_no);

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
