// Splitting a text log into records (lines, or progress-bar redraws) without a copy per
// record. Private to audit/readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "text_parsing.hpp"

namespace metricaudit::audit::detail {

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

/// For format detection over a file's first bytes (BOM removed): the offset in `head` of
/// the first record, split at '\n', '\r' and '\b' with ANSI escapes removed and leading
/// blanks trimmed, for which `is_evidence(text)` holds; nullopt when none does.
template <class IsEvidence>
std::optional<std::size_t> first_record_where(std::string_view head, IsEvidence&& is_evidence) {
  const std::size_t bom = head.size() - strip_bom(head).size();
  std::string scratch;
  for (std::size_t pos = bom; pos < head.size();) {
    std::size_t end = head.find_first_of("\n\r\b", pos);
    if (end == std::string_view::npos) end = head.size();
    if (is_evidence(trim_left(strip_ansi(head.substr(pos, end - pos), scratch)))) return pos;
    pos = end + 1;
  }
  return std::nullopt;
}

/// For format detection: the first line of `head` (BOM removed) that is not blank,
/// trimmed, and its offset in `head`; nullopt when every line is blank.
struct HeadLine {
  std::string_view text;
  std::size_t offset = 0;
};
std::optional<HeadLine> first_nonblank_line(std::string_view head);

}  // namespace metricaudit::audit::detail
