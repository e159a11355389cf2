// Per-epoch lines pasted into a forum post, an issue or a notebook (format "pasted"):
//
//   Keras:      "loss: 0.1162 - accuracy: 0.9580"   the " - name: value" pieces of a Keras
//               progress bar without its counter, bar and timing (keras/src/utils/progbar.py)
//   tqdm:       "[acc=0.934, loss=0.134]"          a Lightning tqdm postfix without its bar
//               (lightning/pytorch/callbacks/progress/tqdm_progress.py: ", key=value" items)
//
// Nothing on such a line says which epoch it is: each line is read as one epoch, in order.
// Lines of one kind that follow each other (blank lines between them allowed) form a
// block, and each block is one run with epochs 0..N-1 (the seed post pastes a Keras
// training and a Lightning one, one after the other); every other line (the prose around
// the pasted lines) is noise. Each block is stated in LoggedRun::warnings, since the
// epochs are an assumption. Values keep what each writer means: Keras' training values
// are running means over the epoch; tqdm values are Lightning's progress-bar values
// (3 significant digits; "loss" a running mean), as the tqdm reader reads them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/log_formats.hpp"
#include "numbers.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

enum class LineKind { none, keras, tqdm };

struct Value {
  std::string_view name;
  std::string_view text;
  ParsedNumber number;
};

// "name: value" (Keras) or "name=value" (tqdm): a name without blanks and a number.
bool parse_item(std::string_view item, std::string_view between, std::vector<Value>& out) {
  item = trim(item);
  const std::size_t at = item.find(between);
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view name = item.substr(0, at);
  const std::string_view value = trim(item.substr(at + between.size()));
  if (name.find_first_of(" \t[]") != std::string_view::npos) return false;
  const auto number = parse_number(value);
  if (!number) return false;
  out.push_back({name, value, *number});
  return true;
}

// Splits `text` at `separator` and parses every piece as an item; false (and `out`
// cleared) unless every piece is one.
bool parse_items(std::string_view text, std::string_view separator, std::string_view between,
                 std::vector<Value>& out) {
  out.clear();
  for (;;) {
    const std::size_t cut = text.find(separator);
    if (!parse_item(text.substr(0, cut), between, out)) {
      out.clear();
      return false;
    }
    if (cut == std::string_view::npos) return true;
    text.remove_prefix(cut + separator.size());
  }
}

// What a (trimmed) line is, with its values.
LineKind classify(std::string_view line, std::vector<Value>& values) {
  if (line.size() >= 2 && line.front() == '[' && line.back() == ']') {
    return parse_items(line.substr(1, line.size() - 2), ",", "=", values) ? LineKind::tqdm
                                                                          : LineKind::none;
  }
  // One "name: value" alone is too little to tell a pasted Keras line from prose
  // ("version: 2"); Keras prints the loss and at least one metric.
  return parse_items(line, " - ", ": ", values) && values.size() >= 2 ? LineKind::keras
                                                                      : LineKind::none;
}

class PastedReader {
 public:
  PastedReader(std::string_view file, std::vector<LoggedRun>& runs, std::size_t max_warnings)
      : file_(file), runs_(runs), max_warnings_(max_warnings) {}

  void line(std::string_view text, const Record& rec) {
    const LineKind kind = classify(trim(text), values_);
    if (kind == LineKind::none) {
      if (!trim(text).empty()) close_block();
      return;
    }
    if (kind != kind_) close_block();
    if (kind_ == LineKind::none) {
      kind_ = kind;
      runs_.emplace_back();
      first_line_ = rec.line;
      epoch_ = 0;
    }
    LoggedRun& run = runs_.back();
    for (const Value& v : values_) {
      LoggedPoint& p =
          add_point(run, run.metric_id(v.name), split_from_metric_name(v.name, Split::train),
                    v.number.value, v.number.precision, rec.line, rec.offset);
      p.epoch = epoch_;
      if (kind == LineKind::keras) {
        p.running_mean = p.split == Split::train;
      } else {
        p.precision.decimals =
            static_cast<std::uint16_t>(significant_decimals(v.text, v.number.precision, 3));
        p.per_step = lightning_per_step(v.name, p.split);
        p.running_mean = v.name == "loss";
      }
    }
    last_line_ = rec.line;
    ++epoch_;
  }

  void close_block() {
    if (kind_ == LineKind::none) return;
    const char* kind = kind_ == LineKind::keras ? "Keras" : "tqdm";
    kind_ = LineKind::none;
    // One statement per block, up to the cap over the whole file (as WarningSink caps).
    if (warned_ >= max_warnings_) {
      ++dropped_;
      return;
    }
    ++warned_;
    runs_.back().warnings.push_back(
        std::string(file_) + ":" + std::to_string(first_line_) + ": read " +
        std::to_string(epoch_) + " pasted " + kind + " lines (lines " +
        std::to_string(first_line_) + "-" + std::to_string(last_line_) + ") as epochs 0.." +
        std::to_string(epoch_ - 1) + " in order: nothing on them names the epoch");
  }

  void finish() {
    close_block();
    if (dropped_ > 0) {
      runs_.back().warnings.push_back(std::string(file_) + ": ... and " + std::to_string(dropped_) +
                                      " more warnings");
    }
  }

 private:
  std::string_view file_;
  std::vector<LoggedRun>& runs_;
  std::vector<Value> values_;
  LineKind kind_ = LineKind::none;
  std::int64_t epoch_ = 0;
  std::int64_t first_line_ = 0;
  std::int64_t last_line_ = 0;
  std::size_t max_warnings_;
  std::size_t warned_ = 0;
  std::size_t dropped_ = 0;
};

}  // namespace

std::optional<std::size_t> sniff_pasted(const LogCandidate& c) {
  std::vector<Value> values;
  return first_record_where(
      c.head, [&](std::string_view t) { return classify(trim(t), values) != LineKind::none; });
}

std::vector<LoggedRun> read_pasted(const LogSource& source, const TextLogOptions& options) {
  std::vector<LoggedRun> runs;
  PastedReader reader(source.name, runs, options.max_warnings);
  RecordReader records(*source.stream, source.name, "\n", options.max_line_bytes);
  Record rec;
  std::string scratch;
  while (records.next(rec)) {
    std::string_view text = strip_ansi(rec.text, scratch);
    if (rec.line == 1) text = strip_bom(text);
    std::size_t bad = 0;
    if (!valid_utf8(text, &bad)) continue;  // prose in another encoding is noise too
    reader.line(text, rec);
  }
  reader.finish();
  return runs;
}

}  // namespace metricaudit::audit::detail
