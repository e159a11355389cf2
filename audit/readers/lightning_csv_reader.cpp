// Lightning CSVLogger metrics.csv (format "lightning-csv").
//
// What Lightning writes (lightning/fabric/loggers/csv_logs.py, _ExperimentWriter, used by
// lightning/pytorch/loggers/csv_logs.py): every log_metrics(metrics, step) call appends a
// dict with "step" added; save() writes csv.DictWriter rows over the union of the keys, so
// a row has cells only for the keys of its call and empty cells elsewhere. The header is
// in first-seen order before 2.2.0 and sorted since. The trainer adds "epoch"
// (current_epoch, 0-based) to every call. Names carry "_step" / "_epoch" when a value is
// logged both on_step and on_epoch (lightning/pytorch/core/module.py, `log`). Values are
// tensor.item() written as str(float).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csv.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "numbers.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

char detect_separator(std::string_view header) {
  for (char c : {',', ';', '\t'})
    if (header.find(c) != std::string_view::npos) return c;
  return ',';
}

}  // namespace

std::optional<std::size_t> sniff_lightning_csv(const LogCandidate& c) {
  return csv_header_at(c.head, CsvHeader::lightning);
}

LoggedRun read_lightning_csv(std::istream& in, std::string_view file,
                             const TextLogOptions& options) {
  LoggedRun run;
  WarningSink warnings(run.warnings, file, options.max_warnings);
  PointReserver reserver(in);
  RecordReader reader(in, file, "\n", options.max_line_bytes);
  Record rec;
  std::vector<std::string> header;
  // Cells are views into the line (no string per cell): rows are most of the work.
  std::vector<std::string_view> cells;
  std::string unescaped;
  std::vector<MetricId> ids;  // per column
  std::vector<Split> splits;
  std::vector<char> per_step;
  std::string header_line;
  std::optional<std::size_t> epoch_col;
  std::optional<std::size_t> step_col;
  char sep = ',';
  bool have_header = false;
  while (reader.next(rec)) {
    const std::string_view line = csv_line(rec, file);
    if (line.empty()) continue;
    if (!have_header) {
      sep = detect_separator(line);
      split_csv_header(line, sep, header, file, rec.line);
      for (std::size_t c = 0; c < header.size(); ++c) {
        const std::string& name = header[c];
        if (name == "epoch") epoch_col = c;
        if (name == "step") step_col = c;
        ids.push_back(run.metric_id(name));
        splits.push_back(split_from_metric_name(name, Split::train));
        per_step.push_back(lightning_per_step(name, splits.back()) ? 1 : 0);
      }
      if (!epoch_col && !step_col) {
        fail(file, rec.line,
             "expected a metrics.csv header with an 'epoch' or 'step' column, found " +
                 quote_text(line));
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
    std::optional<std::int64_t> epoch;
    std::optional<std::int64_t> step;
    if (epoch_col) {
      const std::string_view cell = trim(cells[*epoch_col]);
      if (!cell.empty()) {
        epoch = parse_integer(cell);
        if (!epoch || *epoch < 0)
          fail(file, rec.line, "expected an integer epoch, found " + quote_text(cell));
      }
    }
    if (step_col) {
      const std::string_view cell = trim(cells[*step_col]);
      if (!cell.empty()) {
        step = parse_integer(cell);
        if (!step || *step < 0)
          fail(file, rec.line, "expected an integer step, found " + quote_text(cell));
      }
    }
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (c == epoch_col || c == step_col) continue;
      const std::string_view cell = trim(cells[c]);
      if (cell.empty()) continue;  // sparse: this call did not log that name
      const auto number = parse_number(cell);
      if (!number) {
        fail(file, rec.line,
             "expected a number or an empty cell in column " + quote_text(header[c]) + ", found " +
                 quote_text(cell));
      }
      LoggedPoint& p =
          add_point(run, ids[c], splits[c], number->value, number->precision, rec.line, rec.offset);
      p.epoch = epoch;
      p.step = step;
      p.per_step = per_step[c] != 0;
    }
  }
  if (!have_header) fail(file, 1, "empty file; expected a metrics.csv header");
  warnings.finish();
  return run;
}

}  // namespace metricaudit::audit::detail
