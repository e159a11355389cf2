// Keras CSVLogger files (format "keras-csv").
//
// What Keras writes (keras/src/callbacks/csv_logger.py; same in tf.keras 2):
//   csv.DictWriter with the excel dialect (so "\r\n" line ends) and `delimiter = separator`,
//   fieldnames ["epoch"] + sorted(logs.keys()) (+ expected "val_" keys), one row per epoch
//   from on_epoch_end(epoch, logs): epoch is 0-based, a missing key is written "NA", an
//   iterable value as the string "[a, b]" (quoted by the csv writer). With append=True the
//   header is written only when the file is empty, so resumed runs add rows only.
// Values are str(float) of the logged number: Python's shortest round-trip repr.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "metricaudit/audit/text_log_readers.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {

LoggedRun read_keras_csv(std::istream& in, std::string_view file, const TextLogOptions& options) {
  LoggedRun run;
  run.format = "keras-csv";
  run.file.assign(file);
  WarningSink warnings(run.warnings, file, options.max_warnings);
  PointReserver reserver(in);
  RecordReader reader(in, file, "\n", options.max_line_bytes);
  Record rec;
  std::vector<std::string> header;
  // Cells are views into the line (no string per cell): rows are most of the work.
  std::vector<std::string_view> cells;
  std::string unescaped;
  std::vector<std::string> splits;  // per column
  std::vector<char> running_mean;   // per column
  std::string header_line;
  char sep = ',';
  bool have_header = false;
  while (reader.next(rec)) {
    std::string_view line = rec.text;
    if (line.ends_with('\r')) line.remove_suffix(1);  // excel dialect's "\r\n"
    if (rec.line == 1) line = strip_bom(line);
    std::size_t bad = 0;
    if (!valid_utf8(line, &bad)) {
      fail(file, rec.line,
           "invalid UTF-8 at byte " + std::to_string(bad + 1) + "; expected a UTF-8 CSV file");
    }
    if (trim(line).empty()) continue;
    if (!have_header) {
      if (!line.starts_with("epoch")) {
        fail(file, rec.line,
             "expected a CSVLogger header starting with 'epoch', found " + quote_text(line));
      }
      if (line.size() > 5) {
        sep = line[5];
        if (sep != ',' && sep != ';' && sep != '\t') {
          fail(file, rec.line,
               "expected a separator (',', ';' or tab) after 'epoch', found " +
                   quote_text(line.substr(5, 1)));
        }
      }
      const std::size_t n = split_csv(line, sep, header, file, rec.line);
      header.resize(n);
      std::unordered_set<std::string_view> seen;
      for (std::size_t c = 0; c < n; ++c) {
        if (header[c].empty()) {
          fail(file, rec.line,
               "empty column name in column " + std::to_string(c + 1) + "; expected a metric name");
        }
        if (!seen.insert(header[c]).second) {
          fail(file, rec.line,
               "duplicated column " + quote_text(header[c]) + " (column " + std::to_string(c + 1) +
                   "); expected each metric once");
        }
        splits.emplace_back(split_from_metric_name(header[c], "train"));
        // History/CSVLogger training values are the epoch's running means; val_ ones are
        // the end-of-epoch evaluation (../shared/CONVENTIONS.md, "What a log shows").
        running_mean.push_back(splits.back() == "train" ? 1 : 0);
      }
      header_line.assign(line);
      have_header = true;
      continue;
    }
    if (!split_csv_row(line, header_line, header.size(), sep, cells, unescaped, warnings, file,
                       rec.line)) {
      continue;
    }
    reserver.check(run.points, rec.offset);
    const auto epoch = parse_integer(trim(cells[0]));
    if (!epoch || *epoch < 0) {
      fail(file, rec.line,
           "expected a 0-based epoch number in column 'epoch', found " + quote_text(cells[0]));
    }
    for (std::size_t c = 1; c < header.size(); ++c) {
      const std::string_view cell = trim(cells[c]);
      if (cell.empty() || cell == "NA") continue;  // a key missing from that epoch's logs
      if (cell.front() == '[' || cell.starts_with("\"[")) {
        warnings.add(rec.line, "skipped the non-scalar value of " + quote_text(header[c]));
        continue;
      }
      const auto number = parse_number(cell);
      if (!number) {
        fail(file, rec.line,
             "expected a number or NA in column " + quote_text(header[c]) + ", found " +
                 quote_text(cell));
      }
      // Built in place: no temporary point to move.
      LoggedPoint& p = run.points.emplace_back();
      p.metric = header[c];
      p.split = splits[c];
      p.epoch = *epoch;
      p.value = number->value;
      p.precision = number->precision;
      p.running_mean = running_mean[c] != 0;
      p.file.assign(file);
      p.line = rec.line;
      p.offset = rec.offset;
    }
  }
  if (!have_header) fail(file, 1, "empty file; expected a CSVLogger header starting with 'epoch'");
  warnings.finish();
  return run;
}

}  // namespace metricaudit::audit::detail
