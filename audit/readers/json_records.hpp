// The records of a JSON document: the objects a JSON file keeps its values in (Hugging
// Face's trainer_state.json: each item of "log_history"; all_results.json: the top-level
// object), each member with its number's text (its printed precision) and the line its
// key is on. Python's NaN/Infinity are accepted (json_text.hpp). Private to audit/readers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "numbers.hpp"

namespace metricaudit::audit::detail {

struct JsonMember {
  enum class Type { number, string, boolean, null, object, array };
  std::string key;
  Type type = Type::null;
  ParsedNumber number;      ///< Type::number (NaN and +-Infinity included)
  std::int64_t line = 0;    ///< 1-based line of the key
  std::int64_t offset = 0;  ///< byte offset of that line
};

struct JsonRecord {
  std::string pointer;    ///< JSON pointer of the object: "" (the document) or "/log_history/3"
  std::int64_t line = 0;  ///< 1-based line of its opening brace
  std::vector<JsonMember> members;  ///< in file order; nested objects and arrays by type only
};

/// "a number", "a string", "an object", ... for messages.
std::string_view json_type_name(JsonMember::Type type);

/// The JSON pointer of `key` in the object at `pointer` ("~" and "/" escaped, RFC 6901).
std::string json_pointer(std::string_view pointer, std::string_view key);

/// Reads the JSON document `text` of `file`. With `array_key` empty, the top-level object
/// is the one record, given to `on_record`. Otherwise each item of the top-level member
/// `array_key` is a record given to `on_record` in order, and the returned record holds
/// the other top-level members (scalars by value, nested objects and arrays by type);
/// `*found_array` says whether the member was there. Throws InputError "file:line: ..."
/// for invalid JSON, a document that is not an object, an `array_key` member that is not
/// an array, or an item of it that is not an object (the message names its JSON pointer).
JsonRecord read_json_records(std::string_view text, std::string_view file,
                             std::string_view array_key,
                             const std::function<void(const JsonRecord&)>& on_record,
                             bool* found_array = nullptr);

}  // namespace metricaudit::audit::detail
