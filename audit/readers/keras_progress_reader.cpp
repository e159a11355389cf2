// Keras progress-bar text captured from stdout (format "keras-progress").
//
// What Keras prints (keras/src/utils/progbar.py, Keras 3; keras/utils/generic_utils.py,
// Keras 2 / tf.keras):
//   verbose=1, every update:  "\b" * previous width, then "\r" (dynamic display, which
//                             includes every POSIX process, so captures of piped stdout
//                             too), else "\n"; then the bar:
//     Keras 2: "%{w}d/%d [" + "=" * (n-1) + ">" + "." * rest + "]" then " - ETA: 1:23"
//              while running, " - 5s 3ms/step" when finalized; then " - name: value"...
//     Keras 3: "%{w}d/%d " + "━" * width (ANSI-coloured), then " 1:23 45ms/step" or
//              " 5s 3ms/step"; then " - name: value"...
//   verbose=2, once per epoch: "1875/1875 - 5s - loss: ..." (Keras 2, with trailing
//              " - 5s/epoch - 3ms/step") or "1875/1875 - 5s - 3ms/step - loss: ..." (Keras 3).
//   Values: "%.4f" when abs(value) > 1e-3, else "%.4e"; padded with spaces to the previous
//   width; "\n" after the finalizing update (current == target).
//   ProgbarLogger prints "Epoch %d/%d" with epoch + 1 before each epoch
//   (keras/src/callbacks/progbar_logger.py) and finalizes with the epoch-end logs, so the
//   final bar of an epoch carries the running means of the training metrics and the
//   val_ results of the end-of-epoch evaluation.
//
// Reading: records end at '\n', '\r' or '\b' (a redraw). ANSI escapes are removed. A
// record is an epoch header, a bar, or noise (skipped). Only final bars are read strictly;
// intermediate ones are read only with keep_redraws, leniently (interleaved stderr can cut
// them), and unreadable ones become warnings.
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

struct KerasCounter {
  std::int64_t current = 0;
  std::optional<std::int64_t> target;  ///< nullopt for "Unknown"
  std::size_t rest = 0;                ///< offset of the text after the counter
};

// Recognises a Keras bar line ("  32/1875 [", "1875/1875 ━", "1875/1875 - 5s",
// "     12/Unknown"): the counter followed by a space and '[', '━' or '-', or by nothing.
std::optional<KerasCounter> keras_counter(std::string_view text) {
  const std::size_t lead = text.size() - trim_left(text).size();
  std::int64_t current = 0;
  const std::size_t nd = read_digits(text.substr(lead), &current);
  if (nd == 0) return std::nullopt;
  std::size_t i = lead + nd;
  if (i >= text.size() || text[i] != '/') return std::nullopt;
  ++i;
  KerasCounter out;
  out.current = current;
  std::int64_t target = 0;
  const std::size_t td = read_digits(text.substr(i), &target);
  if (td > 0) {
    out.target = target;
    i += td;
  } else if (text.substr(i).starts_with("Unknown")) {
    i += 7;
  } else {
    return std::nullopt;
  }
  out.rest = i;
  if (i == text.size()) return out;
  if (text[i] != ' ') return std::nullopt;
  std::size_t k = i;
  while (k < text.size() && text[k] == ' ') ++k;
  if (k == text.size()) return out;
  // Keras 2 bar '[', Keras 3 bar '━' (U+2501, E2 94 81), verbose=2 " - 5s".
  if (text[k] == '[' || text[k] == '-' || text.substr(k).starts_with("\xE2\x94\x81")) return out;
  return std::nullopt;
}

// Recognises "Epoch k/n" (the Keras epoch header); *malformed is set when the text starts
// with "Epoch <digits>/" but does not finish as a header.
std::optional<std::int64_t> keras_epoch_header(std::string_view text, bool* malformed) {
  *malformed = false;
  text = trim(text);
  if (!text.starts_with("Epoch ")) return std::nullopt;
  std::int64_t k = 0;
  const std::size_t kd = read_digits(text.substr(6), &k);
  if (kd == 0 || 6 + kd >= text.size() || text[6 + kd] != '/') return std::nullopt;
  std::int64_t n = 0;
  const std::size_t nd = read_digits(text.substr(7 + kd), &n);
  if (nd == 0 || 7 + kd + nd != text.size() || k < 1) {
    *malformed = true;
    return std::nullopt;
  }
  return k;
}

// A record that only a Keras capture holds: an epoch header (even a malformed one, which
// the reader then refuses), or a counter followed by a bar, a rate or an ETA.
bool is_keras_record(std::string_view t) {
  bool malformed = false;
  if (keras_epoch_header(t, &malformed) || malformed) return true;
  if (!starts_with_digit(t)) return false;
  const auto counter = keras_counter(t);
  if (!counter) return false;
  const std::string_view rest = t.substr(counter->rest);
  return rest.find("/step") != std::string_view::npos || rest.find(" [") == 0 ||
         rest.find(" \xE2\x94\x81") == 0 || rest.find("ETA") != std::string_view::npos;
}

struct BarMetric {
  std::string_view name;
  ParsedNumber number;
};

// A space-separated token that Keras prints as timing: "5s", "3ms/step", "45us/step",
// "5s/epoch", "1:23", "1:02:03".
bool is_time_token(std::string_view t) {
  std::size_t i = 0;
  while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || t[i] == ':' || t[i] == '.')) ++i;
  if (i == 0) return false;
  std::string_view unit = t.substr(i);
  const std::size_t slash = unit.find('/');
  std::string_view per;
  if (slash != std::string_view::npos) {
    per = unit.substr(slash + 1);
    unit = unit.substr(0, slash);
    if (per.empty()) return false;
    for (char c : per)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')) return false;
  }
  return unit.empty() || unit == "s" || unit == "ms" || unit == "us" || unit == "µs" ||
         unit == "\xC2\xB5s";
}

bool all_time_tokens(std::string_view piece) {
  piece = trim(piece);
  while (!piece.empty()) {
    const std::size_t sp = piece.find(' ');
    const std::string_view tok = piece.substr(0, sp);
    if (!is_time_token(tok)) return false;
    if (sp == std::string_view::npos) break;
    piece = trim_left(piece.substr(sp));
  }
  return true;
}

// Parses the part of a bar after its counter into metrics. Returns an empty string on
// success, else what was wrong (the caller throws or warns).
std::string parse_bar_metrics(std::string_view text, std::size_t rest, std::vector<BarMetric>& out,
                              std::vector<std::string>& notes) {
  out.clear();
  std::string_view s = text.substr(rest);
  static constexpr std::string_view kBlock = "\xE2\x94\x81";  // '━'
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size() && s[i] == '[') {
    const std::size_t close = s.find(']', i);
    if (close == std::string_view::npos)
      return "truncated progress bar " + quote_text(s.substr(i)) + "; expected ']' closing the bar";
    i = close + 1;
  } else if (s.substr(i).starts_with(kBlock)) {
    while (i < s.size()) {
      if (s.substr(i).starts_with(kBlock)) {
        i += kBlock.size();
      } else if (s[i] == ' ' && i + 1 < s.size() && s.substr(i + 1).starts_with(kBlock)) {
        ++i;
      } else {
        break;
      }
    }
  } else {
    i = 0;  // verbose=2: " - 5s - loss: ..." starts with the separator itself
  }
  s = s.substr(i);
  // Pieces are separated by " - " (Keras writes " - %s:" before every value); the first
  // piece holds the timing of Keras 3 ("5s 3ms/step") or is empty.
  bool first = true;
  while (true) {
    const std::size_t sep = s.find(" - ");
    const std::string_view raw = s.substr(0, sep);
    const std::string_view piece = trim(raw);
    if (!piece.empty()) {
      const std::size_t colon = piece.find(": ");
      if (colon != std::string_view::npos) {
        const std::string_view name = piece.substr(0, colon);
        const std::string_view value = trim(piece.substr(colon + 2));
        if (name == "ETA") {
          // Keras 2's time-to-go, not a metric.
        } else if (name.empty() || name.find(' ') != std::string_view::npos) {
          return "malformed metric " + quote_text(piece) + "; expected ' - name: value'";
        } else if (!value.empty() && value.front() == '[') {
          // Keras 2 prints stateful array metrics with %s ("[0.9 0.8]"): not a scalar.
          notes.push_back("skipped the non-scalar value of '" + std::string(name) + "'");
        } else if (auto number = parse_number(value)) {
          out.push_back({name, *number});
        } else {
          return "expected a number after '" + std::string(name) + ": ', found " +
                 quote_text(value);
        }
      } else if (!all_time_tokens(piece)) {
        return (first ? "unexpected " : "truncated or malformed metric ") + quote_text(piece) +
               "; expected ' - name: value'";
      }
    } else if (!first && sep != std::string_view::npos) {
      return "empty metric between ' - ' separators; expected ' - name: value'";
    }
    first = false;
    if (sep == std::string_view::npos) break;
    s = s.substr(sep + 3);
  }
  return {};
}

class KerasProgressReader {
 public:
  KerasProgressReader(std::string_view file, const TextLogOptions& options, LoggedRun& run)
      : file_(file),
        options_(options),
        run_(run),
        warnings_(run.warnings, file, options.max_warnings) {}

  void read(std::istream& in) {
    RecordReader reader(in, file_, "\n\r\b", options_.max_line_bytes);
    Record rec;
    std::string scratch;
    while (reader.next(rec)) {
      const std::string_view text = strip_ansi(rec.text, scratch);
      const std::string_view t = trim_left(text);
      if (t.empty()) continue;
      if (t[0] == 'E') {
        bool malformed = false;
        if (auto k = keras_epoch_header(t, &malformed)) {
          start_epoch(*k - 1, rec.line);
        } else if (malformed) {
          fail(file_, rec.line,
               "malformed epoch header " + quote_text(trim(t)) +
                   "; expected 'Epoch k/n' with k >= 1");
        }
        continue;
      }
      if (!starts_with_digit(t)) continue;
      const auto counter = keras_counter(t);
      if (!counter) continue;
      on_bar(t, *counter, rec);
    }
    if (epoch_ && !finalized_) {
      warnings_.add(epoch_line_, "epoch " + std::to_string(*epoch_ + 1) +
                                     " has no final progress bar (training interrupted?)");
    }
    warnings_.finish();
  }

 private:
  void start_epoch(std::int64_t epoch, std::int64_t line) {
    if (epoch_ && !finalized_) {
      warnings_.add(epoch_line_, "epoch " + std::to_string(*epoch_ + 1) +
                                     " has no final progress bar (training interrupted?)");
    }
    if (epoch_ && epoch <= *epoch_) {
      warnings_.add(line, "epoch numbering restarts at " + std::to_string(epoch + 1) +
                              " (a second fit() call?)");
    }
    epoch_ = epoch;
    epoch_line_ = line;
    finalized_ = false;
    replaceable_ = false;
  }

  void on_bar(std::string_view text, const KerasCounter& counter, const Record& rec) {
    if (rec.end == '\r' || rec.end == '\b') dynamic_display_ = true;
    const bool at_target = counter.target && counter.current >= *counter.target;
    if (!at_target) {
      replaceable_ = false;  // a new run of updates has started
      // An intermediate redraw: only read on request, and only inside an open epoch.
      if (!options_.keep_redraws || !epoch_ || finalized_) return;
      notes_.clear();
      const std::string err = parse_bar_metrics(text, counter.rest, metrics_, notes_);
      if (!err.empty()) {
        warnings_.add(rec.line, "skipped an intermediate progress bar: " + err);
        return;
      }
      std::optional<std::int64_t> step = counter.current;
      if (counter.target) step = *epoch_ * *counter.target + counter.current;
      for (const auto& m : metrics_)
        emit(m, rec, epoch_, step, /*per_step=*/true, Split::train, true);
      return;
    }
    notes_.clear();
    std::string err = parse_bar_metrics(text, counter.rest, metrics_, notes_);
    std::size_t bad = 0;
    if (err.empty() && !valid_utf8(text, &bad)) {
      err = "invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the progress bar " +
            quote_text(text) + "; expected UTF-8 text";
    }
    if (!err.empty()) {
      // A bar that is redrawn again ('\r', '\b' after it) may be cut by interleaved stderr;
      // one that ends its line is what the log finally shows, and must be whole.
      if (rec.end == '\r' || rec.end == '\b') {
        warnings_.add(rec.line, "skipped a progress bar that was redrawn: " + err);
        return;
      }
      fail(file_, rec.line, err);
    }
    for (const auto& note : notes_) warnings_.add(rec.line, note);
    // Keras 3 can draw "22/22 ... - loss" at the last batch (on_train_batch_end,
    // finalize=False) and then the finalizing "22/22 ... - loss - val_loss" after the
    // validation (on_epoch_end). The second replaces the first when nothing else was drawn
    // between, it carries every name the first had, and the first was not already ended
    // with the finalizing "\n" of a dynamic display.
    if (replaceable_ && counter.target == last_target_ && has_all_names() &&
        !(last_ended_line_ && dynamic_display_)) {
      run_.points.resize(last_begin_);
    } else if (epoch_ && !finalized_) {
      last_in_epoch_ = true;
      finalized_ = true;
    } else {
      last_in_epoch_ = false;
    }
    last_begin_ = run_.points.size();
    last_target_ = counter.target;
    last_ended_line_ = rec.end == '\n' || rec.end == 0;
    replaceable_ = true;
    last_names_.clear();
    for (const auto& m : metrics_) last_names_.emplace_back(m.name);
    if (last_in_epoch_) {
      for (const auto& m : metrics_) emit(m, rec, epoch_, std::nullopt, false, Split::train, true);
    } else {
      // model.evaluate() (or a bar before any epoch header): one full evaluation, so the
      // values are final results rather than running means.
      for (const auto& m : metrics_)
        emit(m, rec, std::nullopt, std::nullopt, false, Split::test, false);
    }
  }

  bool has_all_names() const {
    for (const auto& name : last_names_) {
      bool found = false;
      for (const auto& m : metrics_) found = found || m.name == name;
      if (!found) return false;
    }
    return true;
  }

  void emit(const BarMetric& m, const Record& rec, std::optional<std::int64_t> epoch,
            std::optional<std::int64_t> step, bool per_step, Split default_split,
            bool train_is_running_mean) {
    LoggedPoint& p =
        add_point(run_, names_.id(m.name), split_from_metric_name(m.name, default_split),
                  m.number.value, m.number.precision, rec.line, rec.offset);
    p.epoch = epoch;
    p.step = step;
    // Training values on a fit() bar are running means over the epoch so far; val_ values
    // are the end-of-epoch evaluation (../shared/CONVENTIONS.md, "What a log shows").
    p.running_mean = train_is_running_mean && p.split == Split::train;
    p.per_step = per_step;
  }

  std::string_view file_;
  const TextLogOptions& options_;
  LoggedRun& run_;
  MetricNames names_{run_};
  WarningSink warnings_;
  std::optional<std::int64_t> epoch_;
  std::int64_t epoch_line_ = 0;
  bool finalized_ = false;
  // The last bar at its target, which a following redraw of the same bar may replace.
  bool replaceable_ = false;
  bool last_in_epoch_ = false;
  bool last_ended_line_ = false;
  bool dynamic_display_ = false;
  std::size_t last_begin_ = 0;
  std::optional<std::int64_t> last_target_;
  std::vector<std::string> last_names_;
  std::vector<BarMetric> metrics_;
  std::vector<std::string> notes_;
};

}  // namespace

std::optional<std::size_t> sniff_keras_progress(const LogCandidate& c) {
  return first_record_where(c.head, is_keras_record);
}

LoggedRun read_keras_progress(std::istream& in, std::string_view file,
                              const TextLogOptions& options) {
  LoggedRun run;
  KerasProgressReader reader(file, options, run);
  reader.read(in);
  return run;
}

}  // namespace metricaudit::audit::detail
