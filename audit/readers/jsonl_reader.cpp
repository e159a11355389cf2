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
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_text.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "numbers.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

using json = nlohmann::json;

// `text == word` for a literal: the size first, then a memcmp of constant length that the
// compiler inlines (string_view's == called an out-of-line compare for every key).
template <std::size_t N>
bool is(std::string_view text, const char (&word)[N]) {
  return text.size() == N - 1 && std::memcmp(text.data(), word, N - 1) == 0;
}

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
    split.reset();
    not_object = false;
    fractional_epoch = false;
    path_.clear();
    depth_ = 0;
    array_depth_ = 0;
    key_ = {};
    error.clear();
  }

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
  bool string(string_t& val) override { return string_event(val); }
  bool key(string_t& val) override {
    // nlohmann's key is its token buffer, overwritten by the next token: keep a copy.
    if (array_depth_ == 0) {
      key_storage_ = val;
      key_ = key_storage_;
    }
    return true;
  }

  // The events of the fast path (FastLine below), which hands out views into the line
  // rather than strings; the nlohmann overrides above forward to the same code.
  bool integer_event(std::int64_t val) {
    ParsedNumber n;
    n.value = static_cast<double>(val);
    n.precision.decimals = 0;
    return number(n, static_cast<double>(val));
  }
  bool float_event(std::string_view text) {
    // nlohmann passes its strtod value with the token; parse_number accepts every JSON
    // float, so the fast path hands a token it rejects (none expected) back to nlohmann.
    // nlohmann refuses a float that overflows to infinity ("number overflow parsing"):
    // that error is its to write.
    const auto parsed = parse_number(text);
    return parsed && std::isfinite(parsed->value) && number(*parsed, parsed->value);
  }
  /// `val` must stay valid until the line is parsed (FastLine's views into the line do).
  bool key_event(std::string_view val) {
    if (array_depth_ == 0) key_ = val;
    return true;
  }
  bool string_event(std::string_view val) {
    if (depth_ == 0) return top_level_not_object();
    if (array_depth_ > 0) return true;
    // The NaN/Infinity placeholders (see quote_non_finite) and producers that quote them.
    if (const auto non_finite = non_finite_placeholder(val)) {
      ParsedNumber n;
      n.value = *non_finite;
      n.precision.decimals = 0;
      return number(n, n.value);
    }
    if (depth_ == 1 && (is(key_, "split") || is(key_, "phase") || is(key_, "mode"))) {
      split = split_named_by(val);
    }
    return true;
  }
  bool null() override { return scalar_skipped(); }
  bool boolean(bool /*val*/) override { return scalar_skipped(); }
  bool binary(binary_t& /*val*/) override { return scalar_skipped(); }
  bool start_object(std::size_t /*elements*/) override {
    if (array_depth_ > 0) {
      ++array_depth_;
      return true;
    }
    if (depth_ > 0) path_.emplace_back(key_);
    ++depth_;
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
  std::optional<Split> split;  ///< the split a "split"/"phase"/"mode" value names
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
    if (depth_ == 1 && (is(key_, "epoch") || is(key_, "step") || is(key_, "global_step"))) {
      const bool integral = std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15;
      if (is(key_, "epoch")) {
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
    Value& out = values.emplace_back();
    if (path_.empty()) {
      out.name.assign(key_);
    } else {
      for (const auto& part : path_) {
        out.name += part;
        out.name += '/';
      }
      out.name += key_;
    }
    out.number = n;
    return true;
  }

  std::vector<std::string> path_;
  int depth_ = 0;
  int array_depth_ = 0;
  std::string_view key_;     // the current key: into the line, or into key_storage_
  std::string key_storage_;  // nlohmann's keys
};

// A JSON reader for the lines training scripts write: objects of ASCII keys and numbers,
// maybe nested, with strings, literals and arrays. It drives the same LineHandler events
// as nlohmann's SAX parser, from views into the line (nlohmann builds a string per token
// and strtod-s every float, which the handler then parses again for its precision). At
// anything else (an escape, a control or non-ASCII byte in a string, an integer too long
// for int64, deep nesting, any syntax error) it gives up, and the line goes to nlohmann
// from the start, so errors and rare forms read exactly as before.
class FastLine {
 public:
  FastLine(std::string_view line, LineHandler& handler)
      : p_(line.data()), end_(line.data() + line.size()), h_(handler) {}

  /// True when the whole line was one object and every event was fed.
  bool parse() {
    skip_ws();
    if (p_ == end_ || *p_ != '{' || !object(0)) return false;
    skip_ws();
    return p_ == end_;
  }

 private:
  static constexpr int kMaxDepth = 64;  // nlohmann has no limit; deeper lines go there

  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool string(std::string_view& out) {
    ++p_;  // the opening quote
    const char* start = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }
  const char* skip_digits(const char* from) const {
    const std::string_view rest(from, static_cast<std::size_t>(end_ - from));
    return from + scan_digits(rest, 0);
  }

  // JSON's number: '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool number() {
    const char* start = p_;
    bool negative = false;
    if (*p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ == end_ || !digit(*p_)) return false;
    const char* int_start = p_;
    if (*p_ == '0') {
      ++p_;
    } else {
      p_ = skip_digits(p_);
    }
    const auto int_digits = static_cast<std::size_t>(p_ - int_start);
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      is_float = true;
      ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      p_ = skip_digits(p_);
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      is_float = true;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      p_ = skip_digits(p_);
    }
    if (is_float)
      return h_.float_event(std::string_view(start, static_cast<std::size_t>(p_ - start)));
    // nlohmann reads integers that overflow (u)int64 as floats: leave those to it.
    if (int_digits > 18) return false;
    std::int64_t v = 0;
    for (const char* d = int_start; d != p_; ++d) v = v * 10 + (*d - '0');
    return h_.integer_event(negative ? -v : v);
  }

  bool value(int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"': {
        std::string_view text;
        return string(text) && h_.string_event(text);
      }
      case 't':
        return literal("true") && h_.boolean(true);
      case 'f':
        return literal("false") && h_.boolean(false);
      case 'n':
        return literal("null") && h_.null();
      default:
        return number();
    }
  }

  bool object(int depth) {
    if (depth >= kMaxDepth) return false;
    ++p_;  // '{'
    if (!h_.start_object(static_cast<std::size_t>(-1))) return false;
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return h_.end_object();
    }
    for (;;) {
      skip_ws();
      if (p_ == end_ || *p_ != '"') return false;
      std::string_view key;
      if (!string(key) || !h_.key_event(key)) return false;
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      if (!value(depth + 1)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return h_.end_object();
    }
  }

  bool array(int depth) {
    if (depth >= kMaxDepth) return false;
    ++p_;  // '['
    if (!h_.start_array(static_cast<std::size_t>(-1))) return false;
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return h_.end_array();
    }
    for (;;) {
      skip_ws();
      if (!value(depth + 1)) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      return h_.end_array();
    }
  }

  const char* p_;
  const char* end_;
  LineHandler& h_;
};

}  // namespace

// JSON lines start with an object on their first line.
std::optional<std::size_t> sniff_jsonl(const LogCandidate& c) {
  const auto first = first_nonblank_line(c.head);
  if (!first || !first->text.starts_with("{")) return std::nullopt;
  return first->offset;
}

LoggedRun read_jsonl(std::istream& in, std::string_view file, const TextLogOptions& options) {
  LoggedRun run;
  WarningSink warnings(run.warnings, file, options.max_warnings);
  RecordReader reader(in, file, "\n", options.max_line_bytes);
  Record rec;
  PointReserver reserver(in);
  LineHandler handler;
  std::string rewritten;
  MetricNames names(run);
  // The last line's i-th name, its id and what it implies: lines repeat their keys, and
  // deriving the split word by word (or hashing the name) for every value showed in
  // profiles.
  struct CachedName {
    std::string name;
    Split fallback = Split::train;
    Split split = Split::train;
    MetricId id = 0;
    bool per_step = false;
  };
  std::vector<CachedName> name_cache;
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
    bool ok = FastLine(line, handler).parse();
    if (!ok) {
      handler.reset();
      ok = json::sax_parse(line.begin(), line.end(), &handler);
    }
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
    const Split fallback = handler.split.value_or(Split::train);
    reserver.check(run.points, rec.offset);
    if (name_cache.size() < handler.values.size()) name_cache.resize(handler.values.size());
    for (std::size_t i = 0; i < handler.values.size(); ++i) {
      const auto& v = handler.values[i];
      // The CSV readers refuse an empty column name; an empty key is the same mistake.
      if (v.name.empty())
        fail(file, rec.line, "a number under an empty key; expected a metric name");
      CachedName& cached = name_cache[i];
      if (cached.name != v.name) {
        cached.name = v.name;
        cached.id = names.id(v.name);
        cached.split = split_from_metric_name(v.name, fallback);
        cached.fallback = fallback;
        cached.per_step = v.name.ends_with("_step");  // Lightning's naming, when a script copies it
      } else if (cached.fallback != fallback) {
        cached.split = split_from_metric_name(v.name, fallback);
        cached.fallback = fallback;
      }
      LoggedPoint& p = add_point(run, cached.id, cached.split, v.number.value, v.number.precision,
                                 rec.line, rec.offset);
      p.epoch = handler.epoch;
      p.step = handler.step;
      p.per_step = cached.per_step;
    }
  }
  warnings.finish();
  return run;
}

}  // namespace metricaudit::audit::detail
