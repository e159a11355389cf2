// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/): what code-scanning
// services (GitHub, GitLab, Azure DevOps) ingest. One run; tool.driver.rules lists every
// rule of the table so that ruleIndex is stable across reports; each finding is one
// result, located at the logged value in the log file (startLine for text logs,
// byteOffset for binary ones).
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "format.hpp"
#include "json_support.hpp"
#include "metricaudit/audit/report_writers.hpp"
#include "metricaudit/audit/rules.hpp"

namespace metricaudit::audit {
namespace {

using detail::Json;

// SARIF's levels are named like Severity: "note", "warning", "error".
std::string level(Severity s) {
  return std::string(severity_name(s));
}

Json rule_json(const RuleInfo& r) {
  Json j = Json::object();
  j["id"] = std::string(r.id);
  j["name"] = std::string(r.name);
  j["shortDescription"] = Json{{"text", std::string(r.short_description)}};
  j["fullDescription"] = Json{{"text", std::string(r.full_description)}};
  j["help"] = Json{{"text", generic_fix(r)}};
  j["defaultConfiguration"] = Json{{"level", level(r.level)}};
  return j;
}

Json result_json(const Finding& f, std::size_t rule_index) {
  Json j = Json::object();
  j["ruleId"] = f.rule;
  j["ruleIndex"] = rule_index;
  j["level"] = level(f.severity);
  j["message"] = Json{{"text", f.message.empty() ? f.rule + " " + f.name : f.message}};
  if (!f.file.empty()) {
    Json region = Json::object();
    // Text logs have 1-based lines; binary logs (TensorBoard) only byte offsets.
    if (f.line > 0) {
      region["startLine"] = f.line;
    } else {
      region["byteOffset"] = f.offset;
    }
    Json physical = Json::object();
    physical["artifactLocation"] = Json{{"uri", detail::path_to_uri_reference(f.file)}};
    physical["region"] = std::move(region);
    j["locations"] = Json::array({Json{{"physicalLocation", std::move(physical)}}});
  }
  // What SARIF has no field for travels in the property bag, named as in the JSON report.
  Json props = Json::object();
  props["metric"] = f.metric;
  props["split"] = f.split;
  props["epochs"] = f.epochs;
  props["steps"] = f.steps;
  detail::put_optional_number(props, "logged", f.logged);
  detail::put_optional_string(props, "explained_by", f.explained_by);
  detail::put_optional_number(props, "expected", f.expected);
  detail::put_optional_string(props, "expected_convention", f.expected_convention);
  props["fix"] = f.fix;
  j["properties"] = std::move(props);
  return j;
}

}  // namespace

void write_sarif(const AuditReport& report, std::ostream& out) {
  // The table's rules, then (defensively) any id a finding uses that the table lacks,
  // described from the finding itself so that every result's ruleIndex resolves.
  Json rules_json = Json::array();
  std::map<std::string, std::size_t, std::less<>> index;
  for (const RuleInfo& r : rules()) {
    index.emplace(std::string(r.id), rules_json.size());
    rules_json.push_back(rule_json(r));
  }
  for (const Finding& f : report.findings) {
    if (index.count(f.rule) != 0) continue;
    index.emplace(f.rule, rules_json.size());
    Json j = Json::object();
    j["id"] = f.rule;
    j["name"] = f.name.empty() ? f.rule : f.name;
    j["shortDescription"] = Json{{"text", f.name.empty() ? f.rule : f.name}};
    j["fullDescription"] = Json{{"text", f.message.empty() ? f.rule : f.message}};
    j["help"] = Json{{"text", f.fix.empty() ? f.rule : f.fix}};
    j["defaultConfiguration"] = Json{{"level", level(f.severity)}};
    rules_json.push_back(std::move(j));
  }

  Json driver = Json::object();
  driver["name"] = "metricaudit";
  driver["version"] = report.tool_version.empty() ? std::string("unknown") : report.tool_version;
  // informationUri is optional in SARIF 2.1.0; the project has no public address to give.
  driver["rules"] = std::move(rules_json);

  Json results = Json::array();
  for (const Finding& f : report.findings) results.push_back(result_json(f, index.at(f.rule)));

  // Input problems the audit tolerated and metrics it could not check are not results
  // (they are about the run, not the user's code): SARIF calls them tool notifications.
  Json notifications = Json::array();
  for (const std::string& w : report.warnings) {
    notifications.push_back(Json{{"level", "warning"}, {"message", Json{{"text", w}}}});
  }
  for (const std::string& u : report.undecided) {
    notifications.push_back(
        Json{{"level", "note"}, {"message", Json{{"text", "not checked: " + u}}}});
  }
  Json invocation = Json::object();
  invocation["executionSuccessful"] = true;
  invocation["exitCode"] = report.exit_status();
  invocation["toolExecutionNotifications"] = std::move(notifications);

  Json artifacts = Json::array();
  for (const std::string& log : report.logs) {
    artifacts.push_back(Json{{"location", Json{{"uri", detail::path_to_uri_reference(log)}}}});
  }

  Json run = Json::object();
  run["tool"] = Json{{"driver", std::move(driver)}};
  run["invocations"] = Json::array({std::move(invocation)});
  run["artifacts"] = std::move(artifacts);
  run["results"] = std::move(results);

  Json doc = Json::object();
  doc["$schema"] = std::string(kSarifSchemaUri);
  doc["version"] = "2.1.0";
  doc["runs"] = Json::array({std::move(run)});
  out << detail::dump(doc) << '\n';
}

}  // namespace metricaudit::audit
