// tqdm progress-bar postfixes from Lightning's stdout (format "tqdm").
//
// What Lightning prints (lightning/pytorch/callbacks/progress/tqdm_progress.py):
//   the training bar has description f"Epoch {trainer.current_epoch}" (0-based) and tqdm's
//   format "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]",
//   redrawn in place with "\r"; the postfix is set_postfix(get_metrics()) = ", key=value"
//   for "v_num" (the logger version, not a metric) and every prog_bar=True metric.
//   Numbers go through tqdm.format_num ('{0:.3g}', or str(n) when shorter) and then
//   Lightning's Tqdm.format_num, which pads floats with zeros to 5 characters ("0.5" ->
//   "0.500", "12.3" -> "12.30"): 3 significant digits, padding zeros carry nothing.
//   Lightning < 2.0 also shows "loss": the mean of the last 20 training losses
//   (TensorRunningAccum(window_length=20)), marked running_mean here.
// Reading: records end at '\n' or '\r'; ANSI escapes (cursor moves of nested bars) are
// removed; the last redraw whose description is "Epoch N:" before N changes (or the input
// ends) is read strictly; other bars (validation, sanity check) and noise are skipped.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "metricaudit/audit/log_formats.hpp"
#include "numbers.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

// tqdm.format_num prints '{0:.3g}' (tqdm/std.py), Lightning pads with zeros.
constexpr int kTqdmDigits = 3;

// Recognises Lightning's tqdm description "Epoch N:"; returns N and the offset after ':'.
std::optional<std::int64_t> tqdm_epoch_prefix(std::string_view text, std::size_t* after) {
  const std::size_t lead = text.size() - trim_left(text).size();
  const std::string_view t = text.substr(lead);
  if (!t.starts_with("Epoch ")) return std::nullopt;
  std::int64_t n = 0;
  const std::size_t nd = read_digits(t.substr(6), &n);
  if (nd == 0 || 6 + nd >= t.size() || t[6 + nd] != ':') return std::nullopt;
  *after = lead + 6 + nd + 1;
  return n;
}

// "Epoch 1: val_loss improved ..." (a callback's message) is not a bar: a bar has
// "NN%|" (known total) or "Nit [" (unknown total) after its description.
bool is_tqdm_bar(std::string_view text, std::size_t after) {
  const std::string_view rest = text.substr(after);
  return rest.find("%|") != std::string_view::npos || rest.find("it [") != std::string_view::npos;
}

struct Pending {
  std::string text;
  std::int64_t epoch = 0;
  std::int64_t line = 0;
  std::int64_t offset = 0;
  std::size_t after = 0;  // offset after "Epoch N:"
};

void parse_redraw(const Pending& r, std::string_view file, LoggedRun& run, WarningSink& warnings) {
  const std::string_view t = r.text;
  std::size_t bad = 0;
  if (!valid_utf8(t, &bad)) {
    fail(file, r.line,
         "invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the tqdm bar " +
             quote_text(trim(t)) + "; expected UTF-8 text");
  }
  const std::size_t open = t.find('[', r.after);
  if (open == std::string_view::npos) {
    fail(file, r.line,
         "truncated tqdm bar " + quote_text(trim(t)) +
             "; expected '[elapsed<remaining, rate, key=value, ...]'");
  }
  const std::size_t close = t.find(']', open);
  if (close == std::string_view::npos) {
    fail(file, r.line,
         "truncated tqdm postfix " + quote_text(t.substr(open)) +
             "; expected ']' closing '[elapsed<remaining, rate, key=value, ...]'");
  }
  if (!trim(t.substr(close + 1)).empty()) {
    warnings.add(r.line,
                 "ignored text after the tqdm bar: " + quote_text(trim(t.substr(close + 1))));
  }
  std::string_view inside = t.substr(open + 1, close - open - 1);
  std::size_t item_index = 0;
  bool in_postfix = false;
  while (true) {
    const std::size_t comma = inside.find(", ");
    const std::string_view item = trim(inside.substr(0, comma));
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      // The first two items are "{elapsed}<{remaining}" and the rate ("45.1it/s").
      if (in_postfix || item_index >= 2) {
        fail(file, r.line,
             "malformed tqdm postfix item " + quote_text(item) + "; expected key=value");
      }
    } else {
      in_postfix = true;
      const std::string_view key = trim(item.substr(0, eq));
      const std::string_view value = trim(item.substr(eq + 1));
      if (key.empty()) {
        fail(file, r.line,
             "empty key in tqdm postfix item " + quote_text(item) + "; expected key=value");
      }
      if (key != "v_num") {
        auto number = parse_number(value);
        if (!number) {
          fail(file, r.line,
               "expected a number for '" + std::string(key) + "' in the tqdm postfix, found " +
                   quote_text(value));
        }
        LoggedPoint& p =
            add_point(run, run.metric_id(key), split_from_metric_name(key, Split::train),
                      number->value, number->precision, r.line, r.offset);
        p.epoch = r.epoch;
        p.precision.decimals =
            static_cast<std::uint16_t>(significant_decimals(value, number->precision, kTqdmDigits));
        p.per_step = lightning_per_step(key, p.split);
        p.running_mean = key == "loss";
      }
    }
    ++item_index;
    if (comma == std::string_view::npos) break;
    inside = inside.substr(comma + 2);
  }
}

}  // namespace

std::optional<std::size_t> sniff_tqdm(const LogCandidate& c) {
  return first_record_where(c.head, [](std::string_view t) {
    std::size_t after = 0;
    return tqdm_epoch_prefix(t, &after) && is_tqdm_bar(t, after);
  });
}

LoggedRun read_tqdm(std::istream& in, std::string_view file, const TextLogOptions& options) {
  LoggedRun run;
  WarningSink warnings(run.warnings, file, options.max_warnings);
  RecordReader reader(in, file, "\n\r", options.max_line_bytes);
  Record rec;
  std::string scratch;
  Pending pending;
  bool have_pending = false;
  while (reader.next(rec)) {
    const std::string_view text = strip_ansi(rec.text, scratch);
    std::size_t after = 0;
    const auto epoch = tqdm_epoch_prefix(text, &after);
    if (!epoch) continue;
    if (!is_tqdm_bar(text, after)) continue;
    if (have_pending && pending.epoch != *epoch) parse_redraw(pending, file, run, warnings);
    // Keep a copy of the latest redraw; assign() reuses the string's capacity.
    pending.text.assign(text);
    pending.epoch = *epoch;
    pending.line = rec.line;
    pending.offset = rec.offset;
    pending.after = after;
    have_pending = true;
  }
  if (have_pending) parse_redraw(pending, file, run, warnings);
  warnings.finish();
  return run;
}

}  // namespace metricaudit::audit::detail
