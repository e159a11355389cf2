// The records of a JSON document (json_records.hpp), through nlohmann's SAX interface: it
// hands over each number's text (the DOM keeps only the double), and an iterator that
// counts the bytes it gives the parser places each key on its line.
#include "json_records.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>

#include <nlohmann/json.hpp>

#include "json_text.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

using json = nlohmann::json;
using Type = JsonMember::Type;

// A pointer into the document that records how far the parser has read: nlohmann's
// iterator adapter reads one byte per increment, and reads a key's closing quote, or an
// object's '{', last before it reports the event.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* at, const char* base, std::size_t* consumed)
      : at_(at), base_(base), consumed_(consumed) {}
  reference operator*() const { return *at_; }
  CountingIterator& operator++() {
    ++at_;
    *consumed_ = static_cast<std::size_t>(at_ - base_);
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const CountingIterator& other) const { return at_ == other.at_; }
  bool operator!=(const CountingIterator& other) const { return at_ != other.at_; }

 private:
  const char* at_;
  const char* base_;
  std::size_t* consumed_;
};

class RecordHandler : public nlohmann::json_sax<json> {
 public:
  RecordHandler(std::string_view parsed, std::string_view original, std::string_view file,
                std::string_view array_key, const std::function<void(const JsonRecord&)>& on_record)
      : file_(file), array_key_(array_key), on_record_(on_record) {
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      if (parsed[i] == '\n') newlines_.push_back(i);
    }
    // The rewrite of NaN/Infinity adds quotes only: the lines are the same, their
    // offsets are the original's.
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < original.size(); ++i) {
      if (original[i] == '\n') line_starts_.push_back(static_cast<std::int64_t>(i + 1));
    }
  }

  std::size_t consumed = 0;  // bytes the parser has read (CountingIterator)
  JsonRecord top;
  bool found_array = false;

  bool null() override { return scalar(Type::null, {}); }
  bool boolean(bool /*val*/) override { return scalar(Type::boolean, {}); }
  bool number_integer(number_integer_t val) override { return integer(static_cast<double>(val)); }
  bool number_unsigned(number_unsigned_t val) override { return integer(static_cast<double>(val)); }
  bool number_float(number_float_t val, const string_t& text) override {
    ParsedNumber n;
    if (const auto parsed = parse_number(text)) {
      n = *parsed;
    } else {
      n.value = val;
    }
    return scalar(Type::number, n);
  }
  bool string(string_t& val) override {
    if (const auto non_finite = non_finite_placeholder(val)) {
      ParsedNumber n;
      n.value = *non_finite;
      n.precision.decimals = 0;
      return scalar(Type::number, n);
    }
    return scalar(Type::string, {});
  }
  bool binary(binary_t& /*val*/) override { return scalar(Type::string, {}); }

  bool key(string_t& val) override {
    if (skip_ == 0) {
      key_ = val;
      key_line_ = line_now();
    }
    return true;
  }

  bool start_object(std::size_t /*elements*/) override {
    if (skip_ > 0) return ++skip_, true;
    switch (depth_) {
      case 0:
        depth_ = 1;
        top.line = line_now();
        return true;
      case 1:
        if (is_array_member()) {
          fail(file_, key_line_,
               json_pointer("", key_) + ": expected an array of records, found " +
                   std::string(json_type_name(Type::object)));
        }
        return nested(Type::object);
      case 2:
        current_ =
            JsonRecord{json_pointer("", array_key_) + "/" + std::to_string(index_), line_now(), {}};
        depth_ = 3;
        return true;
      default:
        return nested(Type::object);
    }
  }
  bool end_object() override {
    if (skip_ > 0) return --skip_, true;
    if (depth_ == 3) {
      on_record_(current_);
      ++index_;
      depth_ = 2;
    } else if (depth_ == 1) {
      if (array_key_.empty()) on_record_(top);
      depth_ = 0;
    }
    return true;
  }
  bool start_array(std::size_t /*elements*/) override {
    if (skip_ > 0) return ++skip_, true;
    switch (depth_) {
      case 0:
        fail(file_, line_now(), "expected a JSON object at the top level, found an array");
      case 1:
        if (is_array_member()) {
          depth_ = 2;
          found_array = true;
          index_ = 0;
          return true;
        }
        return nested(Type::array);
      case 2:
        item_not_object(Type::array);
      default:
        return nested(Type::array);
    }
  }
  bool end_array() override {
    if (skip_ > 0) return --skip_, true;
    if (depth_ == 2) depth_ = 1;
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) override {
    // "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error
    // while parsing ...": keep what follows the error id.
    std::string what = ex.what();
    const std::size_t cut = what.find("] ");
    if (cut != std::string::npos) what = what.substr(cut + 2);
    fail(file_, line_now(), "invalid JSON (" + what + ")");
  }

 private:
  std::int64_t line_at(std::size_t position) const {
    return static_cast<std::int64_t>(
               std::lower_bound(newlines_.begin(), newlines_.end(), position) - newlines_.begin()) +
           1;
  }
  // The line of the last byte read.
  std::int64_t line_now() const { return line_at(consumed == 0 ? 0 : consumed - 1); }

  bool is_array_member() const { return !array_key_.empty() && key_ == array_key_; }

  [[noreturn]] void item_not_object(Type type) const {
    fail(file_, line_now(),
         json_pointer("", array_key_) + "/" + std::to_string(index_) +
             ": expected an object (a log record), found " + std::string(json_type_name(type)));
  }

  JsonRecord* record() { return depth_ == 3 ? &current_ : &top; }

  void add(Type type, const ParsedNumber& number) {
    JsonMember& m = record()->members.emplace_back();
    m.key = key_;
    m.type = type;
    m.number = number;
    m.line = key_line_;
    m.offset = line_starts_[static_cast<std::size_t>(key_line_ - 1)];
  }

  // An object or array inside a record: its type is kept, its content skipped.
  bool nested(Type type) {
    add(type, {});
    skip_ = 1;
    return true;
  }

  bool integer(double value) {
    ParsedNumber n;
    n.value = value;
    n.precision.decimals = 0;
    return scalar(Type::number, n);
  }

  bool scalar(Type type, const ParsedNumber& number) {
    if (skip_ > 0) return true;
    if (depth_ == 0) {
      fail(file_, line_now(),
           "expected a JSON object at the top level, found " + std::string(json_type_name(type)));
    }
    if (depth_ == 2) item_not_object(type);
    if (depth_ == 1 && is_array_member()) {
      fail(file_, key_line_,
           json_pointer("", key_) + ": expected an array of records, found " +
               std::string(json_type_name(type)));
    }
    add(type, number);
    return true;
  }

  std::string_view file_;
  std::string_view array_key_;
  const std::function<void(const JsonRecord&)>& on_record_;
  std::vector<std::size_t> newlines_;      // positions of '\n' in the parsed text
  std::vector<std::int64_t> line_starts_;  // offsets of the lines in the original text
  JsonRecord current_;
  int depth_ = 0;  // 1: in the top object, 2: in the records array, 3: in one of its items
  int skip_ = 0;   // open containers inside a nested member
  std::size_t index_ = 0;
  std::string key_;
  std::int64_t key_line_ = 1;
};

}  // namespace

std::string_view json_type_name(Type type) {
  switch (type) {
    case Type::number:
      return "a number";
    case Type::string:
      return "a string";
    case Type::boolean:
      return "a boolean";
    case Type::null:
      return "null";
    case Type::object:
      return "an object";
    case Type::array:
      return "an array";
  }
  return "a value";
}

std::string json_pointer(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

JsonRecord read_json_records(std::string_view text, std::string_view file,
                             std::string_view array_key,
                             const std::function<void(const JsonRecord&)>& on_record,
                             bool* found_array) {
  std::string rewritten;
  const std::string_view parsed = quote_non_finite(text, rewritten) ? rewritten : text;
  RecordHandler handler(parsed, text, file, array_key, on_record);
  const char* begin = parsed.data();
  const char* end = begin + parsed.size();
  if (parsed.empty()) fail(file, 1, "empty file; expected a JSON object");
  json::sax_parse(CountingIterator(begin, begin, &handler.consumed),
                  CountingIterator(end, begin, &handler.consumed), &handler);
  if (found_array != nullptr) *found_array = handler.found_array;
  return std::move(handler.top);
}

}  // namespace metricaudit::audit::detail
