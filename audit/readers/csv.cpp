// CSV rows as Python's csv module writes them (csv.hpp).
#include "csv.hpp"

#include <cstring>
#include <iterator>
#include <string>
#include <unordered_set>

namespace metricaudit::audit::detail {

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

std::string_view csv_line(const Record& rec, std::string_view file) {
  std::string_view line = rec.text;
  if (line.ends_with('\r')) line.remove_suffix(1);  // excel dialect's "\r\n"
  if (rec.line == 1) line = strip_bom(line);
  std::size_t bad = 0;
  if (!valid_utf8(line, &bad)) {
    fail(file, rec.line,
         "invalid UTF-8 at byte " + std::to_string(bad + 1) + "; expected a UTF-8 CSV file");
  }
  return trim(line).empty() ? std::string_view() : line;
}

void split_csv_header(std::string_view line, char sep, std::vector<std::string>& names,
                      std::string_view file, std::int64_t line_no) {
  names.resize(split_csv(line, sep, names, file, line_no));
  std::unordered_set<std::string_view> seen;
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (names[c].empty()) {
      fail(file, line_no,
           "empty column name in column " + std::to_string(c + 1) + "; expected a metric name");
    }
    if (!seen.insert(names[c]).second) {
      fail(file, line_no,
           "duplicated column " + quote_text(names[c]) + " (column " + std::to_string(c + 1) +
               "); expected each metric once");
    }
  }
}

CsvHeader classify_csv_header(std::string_view line) {
  char sep = 0;
  for (char c : {',', ';', '\t'}) {
    if (line.find(c) != std::string_view::npos) {
      sep = c;
      break;
    }
  }
  if (sep == 0) return line == "epoch" ? CsvHeader::keras : CsvHeader::none;
  bool epoch = false;
  bool step = false;
  bool lightning_names = false;
  bool first_is_epoch = false;
  std::size_t i = 0;
  for (std::size_t col = 0;; ++col) {
    const std::size_t s = line.find(sep, i);
    std::string_view cell = line.substr(i, s == std::string_view::npos ? line.size() - i : s - i);
    if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
      cell = cell.substr(1, cell.size() - 2);
    if (cell == "epoch") {
      epoch = true;
      first_is_epoch = first_is_epoch || col == 0;
    }
    if (cell == "step") step = true;
    if (cell.ends_with("_step") || cell.ends_with("_epoch") ||
        cell.find('/') != std::string_view::npos)
      lightning_names = true;
    if (s == std::string_view::npos) break;
    i = s + 1;
  }
  if (step || (epoch && (lightning_names || !first_is_epoch))) return CsvHeader::lightning;
  if (first_is_epoch) return CsvHeader::keras;
  return CsvHeader::none;
}

std::optional<std::size_t> csv_header_at(std::string_view head, CsvHeader kind) {
  const auto first = first_nonblank_line(head);
  if (!first || first->text.find_first_of("\r\b") != std::string_view::npos ||
      classify_csv_header(first->text) != kind) {
    return std::nullopt;
  }
  return first->offset;
}

}  // namespace metricaudit::audit::detail
