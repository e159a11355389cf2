// A small JSON Schema checker for the subset docs/audit-report.schema.json uses:
// type, const, enum, required, properties, additionalProperties (a schema), items,
// $ref to "#/$defs/...", minimum, pattern. A keyword outside the subset is reported as
// an error, so the schema cannot silently grow past what the test checks.
#pragma once

#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace metricaudit::audit::testing {

class SchemaChecker {
 public:
  explicit SchemaChecker(nlohmann::json root) : root_(std::move(root)) {}

  /// Problems found, as "path: what"; empty when `doc` conforms.
  std::vector<std::string> check(const nlohmann::json& doc) const {
    std::vector<std::string> errors;
    check(root_, doc, "$", errors);
    return errors;
  }

 private:
  static bool has_type(const nlohmann::json& v, const std::string& type) {
    if (type == "null") return v.is_null();
    if (type == "boolean") return v.is_boolean();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "string") return v.is_string();
    if (type == "array") return v.is_array();
    if (type == "object") return v.is_object();
    return false;
  }

  void check(const nlohmann::json& schema, const nlohmann::json& v, const std::string& path,
             std::vector<std::string>& errors) const {
    static const std::set<std::string> kKnown = {
        "$schema",  "title",      "description",          "type",  "const", "enum",
        "required", "properties", "additionalProperties", "items", "$ref",  "$defs",
        "minimum",  "pattern"};
    for (const auto& [key, _] : schema.items()) {
      if (kKnown.count(key) == 0)
        errors.push_back(path + ": schema keyword '" + key + "' unsupported");
    }
    if (schema.contains("$ref")) {
      const std::string ref = schema["$ref"];
      const std::string prefix = "#/$defs/";
      if (ref.rfind(prefix, 0) != 0 || !root_["$defs"].contains(ref.substr(prefix.size()))) {
        errors.push_back(path + ": unresolvable $ref " + ref);
        return;
      }
      check(root_["$defs"][ref.substr(prefix.size())], v, path, errors);
    }
    if (schema.contains("type")) {
      const auto& t = schema["type"];
      bool ok = false;
      if (t.is_string()) {
        ok = has_type(v, t);
      } else {
        for (const auto& one : t) ok = ok || has_type(v, one);
      }
      if (!ok) {
        errors.push_back(path + ": " + v.dump() + " is not of type " + t.dump());
        return;
      }
    }
    if (schema.contains("const") && v != schema["const"]) {
      errors.push_back(path + ": expected " + schema["const"].dump() + ", got " + v.dump());
    }
    if (schema.contains("enum")) {
      bool found = false;
      for (const auto& e : schema["enum"]) found = found || e == v;
      if (!found) errors.push_back(path + ": " + v.dump() + " not in " + schema["enum"].dump());
    }
    if (schema.contains("minimum") && v.is_number() &&
        v.get<double>() < schema["minimum"].get<double>()) {
      errors.push_back(path + ": " + v.dump() + " below minimum");
    }
    if (schema.contains("pattern") && v.is_string() &&
        !std::regex_search(v.get<std::string>(),
                           std::regex(schema["pattern"].get<std::string>()))) {
      errors.push_back(path + ": " + v.dump() + " does not match " + schema["pattern"].dump());
    }
    if (v.is_object()) {
      if (schema.contains("required")) {
        for (const auto& key : schema["required"]) {
          if (!v.contains(key.get<std::string>())) {
            errors.push_back(path + ": missing required member " + key.dump());
          }
        }
      }
      for (const auto& [key, value] : v.items()) {
        if (schema.contains("properties") && schema["properties"].contains(key)) {
          check(schema["properties"][key], value, path + "." + key, errors);
        } else if (schema.contains("additionalProperties") &&
                   schema["additionalProperties"].is_object()) {
          check(schema["additionalProperties"], value, path + "." + key, errors);
        }
      }
    }
    if (v.is_array() && schema.contains("items")) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        check(schema["items"], v[i], path + "[" + std::to_string(i) + "]", errors);
      }
    }
  }

  nlohmann::json root_;
};

}  // namespace metricaudit::audit::testing
