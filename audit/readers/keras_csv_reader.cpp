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
#include <vector>

#include "csv.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "numbers.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {

std::optional<std::size_t> sniff_keras_csv(const LogCandidate& c) {
  return csv_header_at(c.head, CsvHeader::keras);
}

LoggedRun read_keras_csv(std::istream& in, std::string_view file, const TextLogOptions& options) {
  LoggedRun run;
  WarningSink warnings(run.warnings, file, options.max_warnings);
  PointReserver reserver(in);
  RecordReader reader(in, file, "\n", options.max_line_bytes);
  Record rec;
  std::vector<std::string> header;
  // Cells are views into the line (no string per cell): rows are most of the work.
  std::vector<std::string_view> cells;
  std::string unescaped;
  std::vector<MetricId> ids;       // per column
  std::vector<Split> splits;       // per column
  std::vector<char> running_mean;  // per column
  std::string header_line;
  char sep = ',';
  bool have_header = false;
  while (reader.next(rec)) {
    const std::string_view line = csv_line(rec, file);
    if (line.empty()) continue;
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
      split_csv_header(line, sep, header, file, rec.line);
      for (std::size_t c = 0; c < header.size(); ++c) {
        ids.push_back(run.metric_id(header[c]));
        splits.push_back(split_from_metric_name(header[c], Split::train));
        // History/CSVLogger training values are the epoch's running means; val_ ones are
        // the end-of-epoch evaluation (../shared/CONVENTIONS.md, "What a log shows").
        running_mean.push_back(splits.back() == Split::train ? 1 : 0);
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
      LoggedPoint& p =
          add_point(run, ids[c], splits[c], number->value, number->precision, rec.line, rec.offset);
      p.epoch = *epoch;
      p.running_mean = running_mean[c] != 0;
    }
  }
  if (!have_header) fail(file, 1, "empty file; expected a CSVLogger header starting with 'epoch'");
  warnings.finish();
  return run;
}

}  // namespace metricaudit::audit::detail
