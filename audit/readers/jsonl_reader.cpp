// JSON lines (format "jsonl"): one object per line, as training scripts write with
// json.dumps(dict) per epoch or step.
//
// Top-level "epoch" and "step" (or "global_step") place the line; "split", "phase" or
// "mode" with a string value naming a split sets the split of names that name none;
// every other number is a metric. Nested objects are flattened with '/'
// ({"val": {"acc": 0.9}} -> "val/acc"); strings, booleans, nulls and arrays are skipped.
// Python's json.dumps writes NaN, Infinity and -Infinity, which JSON does not allow; they
// are accepted outside strings. The number's text (not the parsed double) gives its
// printed precision, through nlohmann's SAX interface.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "metricaudit/audit/text_log_readers.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

using json = nlohmann::json;

// Collects one line's numbers; the reader turns them into points once the line is known
// to be a whole valid object (so epoch/step may come after the metrics).
class LineHandler : public nlohmann::json_sax<json> {
 public:
  struct Value {
    std::string name;
    ParsedNumber number;
  };

  void reset() {
    values.clear();
    epoch.reset();
    step.reset();
    split.clear();
    not_object = false;
    fractional_epoch = false;
    path_.clear();
    depth_ = 0;
    array_depth_ = 0;
    key_.clear();
    error.clear();
  }

  bool null() override { return scalar_skipped(); }
  bool boolean(bool /*val*/) override { return scalar_skipped(); }
  bool number_integer(number_integer_t val) override {
    ParsedNumber n;
    n.value = static_cast<double>(val);
    n.precision.decimals = 0;
    return number(n, static_cast<double>(val));
  }
  bool number_unsigned(number_unsigned_t val) override {
    ParsedNumber n;
    n.value = static_cast<double>(val);
    n.precision.decimals = 0;
    return number(n, static_cast<double>(val));
  }
  bool number_float(number_float_t val, const string_t& text) override {
    auto parsed = parse_number(text);
    ParsedNumber n;
    if (parsed) {
      n = *parsed;
    } else {
      n.value = val;
    }
    return number(n, n.value);
  }
  bool string(string_t& val) override {
    if (depth_ == 0) return top_level_not_object();
    if (array_depth_ > 0) return true;
    // The NaN/Infinity placeholders (see quote_non_finite) and producers that quote them.
    if (val == "NaN" || val == "Infinity" || val == "-Infinity") {
      ParsedNumber n;
      n.value = val == "NaN" ? std::nan("") : (val[0] == '-' ? -HUGE_VAL : HUGE_VAL);
      n.precision.decimals = 0;
      return number(n, n.value);
    }
    if (depth_ == 1 && (key_ == "split" || key_ == "phase" || key_ == "mode")) {
      split.assign(split_from_metric_name(val, ""));
    }
    return true;
  }
  bool binary(binary_t& /*val*/) override { return scalar_skipped(); }
  bool start_object(std::size_t /*elements*/) override {
    if (array_depth_ > 0) {
      ++array_depth_;
      return true;
    }
    if (depth_ > 0) path_.push_back(key_);
    ++depth_;
    return true;
  }
  bool key(string_t& val) override {
    if (array_depth_ == 0) key_ = val;
    return true;
  }
  bool end_object() override {
    if (array_depth_ > 0) {
      --array_depth_;
      return true;
    }
    --depth_;
    if (!path_.empty()) path_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*elements*/) override {
    if (depth_ == 0) return top_level_not_object();
    ++array_depth_;
    return true;
  }
  bool end_array() override {
    --array_depth_;
    return true;
  }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) override {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1,
    // column 7: syntax error while parsing ..."; keep what follows the error id.
    std::string what = ex.what();
    const std::size_t cut = what.find("] ");
    if (cut != std::string::npos) what = what.substr(cut + 2);
    error = "invalid JSON at byte " + std::to_string(position) + " (" + what + ")";
    return false;
  }

  std::vector<Value> values;
  std::optional<std::int64_t> epoch;
  std::optional<std::int64_t> step;
  std::string split;
  bool not_object = false;
  bool fractional_epoch = false;
  std::string error;

 private:
  bool top_level_not_object() {
    not_object = true;
    return false;
  }
  bool scalar_skipped() { return depth_ == 0 ? top_level_not_object() : true; }

  bool number(const ParsedNumber& n, double v) {
    if (depth_ == 0) return top_level_not_object();
    if (array_depth_ > 0) return true;
    if (depth_ == 1 && (key_ == "epoch" || key_ == "step" || key_ == "global_step")) {
      const bool integral = std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15;
      if (key_ == "epoch") {
        if (integral) {
          epoch = static_cast<std::int64_t>(v);
        } else {
          fractional_epoch = true;  // e.g. Hugging Face's "epoch": 0.27
        }
      } else if (integral) {
        step = static_cast<std::int64_t>(v);
      }
      return true;
    }
    Value out;
    for (const auto& part : path_) {
      out.name += part;
      out.name += '/';
    }
    out.name += key_;
    out.number = n;
    values.push_back(std::move(out));
    return true;
  }

  std::vector<std::string> path_;
  int depth_ = 0;
  int array_depth_ = 0;
  std::string key_;
};

// Rewrites bare NaN / Infinity / -Infinity (outside strings) as quoted placeholders into
// `out`; returns false (out untouched) when there are none, the common case.
bool quote_non_finite(std::string_view line, std::string& out) {
  if (line.find("NaN") == std::string_view::npos && line.find("Infinity") == std::string_view::npos)
    return false;
  out.clear();
  bool in_string = false;
  bool changed = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < line.size()) {
        out.push_back(line[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    const std::string_view rest = line.substr(i);
    std::string_view token;
    for (std::string_view t : {"NaN", "Infinity", "-Infinity"})
      if (rest.starts_with(t)) token = t;
    if (token.empty()) {
      out.push_back(c);
      continue;
    }
    out.push_back('"');
    out.append(token);
    out.push_back('"');
    i += token.size() - 1;
    changed = true;
  }
  return changed;
}

}  // namespace

LoggedRun read_jsonl(std::istream& in, std::string_view file, const TextLogOptions& options) {
  LoggedRun run;
  run.format = "jsonl";
  run.file.assign(file);
  WarningSink warnings(run.warnings, file, options.max_warnings);
  RecordReader reader(in, file, "\n", options.max_line_bytes);
  Record rec;
  LineHandler handler;
  std::string rewritten;
  bool warned_fractional = false;
  while (reader.next(rec)) {
    std::string_view line = rec.text;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (rec.line == 1) line = strip_bom(line);
    if (trim(line).empty()) continue;
    std::size_t bad = 0;
    if (!valid_utf8(line, &bad)) {
      fail(file, rec.line,
           "invalid UTF-8 at byte " + std::to_string(bad + 1) + "; expected a UTF-8 JSON line");
    }
    if (quote_non_finite(line, rewritten)) line = rewritten;
    handler.reset();
    const bool ok = json::sax_parse(line.begin(), line.end(), &handler);
    if (handler.not_object) {
      fail(file, rec.line,
           "expected a JSON object per line ({\"epoch\": 0, \"loss\": 0.5}), found " +
               quote_text(trim(line)));
    }
    if (!ok) {
      fail(file, rec.line,
           (handler.error.empty() ? std::string("invalid JSON") : handler.error) +
               "; expected one JSON object per line");
    }
    if (handler.fractional_epoch && !warned_fractional) {
      warnings.add(rec.line,
                   "a non-integer \"epoch\" is not an epoch index; points left without one");
      warned_fractional = true;
    }
    const std::string_view fallback =
        handler.split.empty() ? std::string_view("train") : std::string_view(handler.split);
    for (auto& v : handler.values) {
      // The CSV readers refuse an empty column name; an empty key is the same mistake.
      if (v.name.empty())
        fail(file, rec.line, "a number under an empty key; expected a metric name");
      LoggedPoint p;
      p.split.assign(split_from_metric_name(v.name, fallback));
      p.metric = std::move(v.name);
      p.epoch = handler.epoch;
      p.step = handler.step;
      p.value = v.number.value;
      p.precision = v.number.precision;
      p.per_step = p.metric.ends_with("_step");  // Lightning's naming, when a script copies it
      p.file.assign(file);
      p.line = rec.line;
      p.offset = rec.offset;
      run.points.push_back(std::move(p));
    }
  }
  warnings.finish();
  return run;
}

}  // namespace metricaudit::audit::detail
