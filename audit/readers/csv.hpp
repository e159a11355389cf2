// CSV logs as Python's csv module writes them (Keras CSVLogger, Lightning metrics.csv):
// cells, rows checked against the header, and the header's own checks. Private to
// audit/readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {

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

/// One data row of a CSV log with a header (Keras CSVLogger, Lightning metrics.csv):
/// returns false, with a warning, for a repeated header line (two runs appended to one
/// file); otherwise splits it into `cells` and throws InputError unless it has exactly
/// `width` fields, as the header does.
bool split_csv_row(std::string_view line, std::string_view header_line, std::size_t width, char sep,
                   std::vector<std::string_view>& cells, std::string& unescaped,
                   WarningSink& warnings, std::string_view file, std::int64_t line_no);

/// A record of a CSV log as the readers take it: the "\r" of "\r\n" (the excel dialect)
/// and a BOM on line 1 removed; InputError for invalid UTF-8. Empty for a blank line.
std::string_view csv_line(const Record& rec, std::string_view file);

/// Splits a header line into `names` and checks it: no empty and no repeated name.
void split_csv_header(std::string_view line, char sep, std::vector<std::string>& names,
                      std::string_view file, std::int64_t line_no);

/// Which CSV logger a header line is: Lightning's metrics.csv (a "step" column, or an
/// "epoch" column with "_step"/"_epoch"/"a/b" names or not first), Keras' CSVLogger
/// ("epoch" first), or neither. The separator is the first of ',', ';', tab in the line.
enum class CsvHeader { none, keras, lightning };
CsvHeader classify_csv_header(std::string_view line);

/// For the sniffs: the offset of the first non-blank line of `head` when it is a CSV
/// header of `kind` (and holds no redraw byte '\r' or '\b').
std::optional<std::size_t> csv_header_at(std::string_view head, CsvHeader kind);

}  // namespace metricaudit::audit::detail
