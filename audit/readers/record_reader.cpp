// RecordReader (record_reader.hpp).
#include "record_reader.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "text_parsing.hpp"

namespace metricaudit::audit::detail {

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

std::optional<HeadLine> first_nonblank_line(std::string_view head) {
  std::size_t pos = head.size() - strip_bom(head).size();
  while (pos < head.size()) {
    const std::size_t nl = head.find('\n', pos);
    const std::string_view line =
        head.substr(pos, nl == std::string_view::npos ? head.size() - pos : nl - pos);
    if (!trim(line).empty()) return HeadLine{trim(line), pos};
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return std::nullopt;
}

}  // namespace metricaudit::audit::detail
