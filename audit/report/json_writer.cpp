// The JSON report: docs/audit-json-schema.md documents every member, and
// docs/audit-report.schema.json states the same as a JSON Schema. Any change of a
// member's name, type or meaning bumps AuditReport::kSchemaVersion; adding members
// does not.
#include <ostream>

#include "json_support.hpp"
#include "metricaudit/audit/report_writers.hpp"

namespace metricaudit::audit {
namespace {

using detail::Json;

const char* precision_kind(Precision::Kind k) {
  switch (k) {
    case Precision::Kind::decimal:
      return "decimal";
    case Precision::Kind::float32:
      return "float32";
    case Precision::Kind::float64:
      return "float64";
  }
  return "decimal";
}

}  // namespace

// Shared with the compare report (json_support.hpp).
namespace detail {

Json location(const std::string& file, std::int64_t line, std::int64_t offset) {
  Json j = Json::object();
  detail::put_optional_string(j, "file", file);
  // Line 0 means "not a text log": null rather than an invalid 1-based line.
  if (line > 0) {
    j["line"] = line;
  } else {
    j["line"] = nullptr;
  }
  j["offset"] = offset;
  return j;
}

Json finding_json(const Finding& f) {
  Json j = Json::object();
  j["rule"] = f.rule;
  j["name"] = f.name;
  j["severity"] = std::string(severity_name(f.severity));
  j["metric"] = f.metric;
  j["split"] = f.split;
  j["epochs"] = f.epochs;
  j["steps"] = f.steps;
  detail::put_optional_number(j, "logged", f.logged);
  detail::put_optional_string(j, "explained_by", f.explained_by);
  detail::put_optional_number(j, "expected", f.expected);
  detail::put_optional_string(j, "expected_convention", f.expected_convention);
  j["message"] = f.message;
  j["fix"] = f.fix;
  j["location"] = location(f.file, f.line, f.offset);
  if (f.per_class) {
    j["per_class"] = Json{{"dump", f.per_class->dump},
                          {"recall", f.per_class->recall},
                          {"support", f.per_class->support}};
  }
  return j;
}

}  // namespace detail

namespace {

using detail::finding_json;

Json point_json(const PointResult& p) {
  const LoggedPoint& lp = p.point;
  Json point = Json::object();
  point["metric"] = p.metric;
  point["split"] = std::string(split_name(lp.split));
  if (lp.epoch) {
    point["epoch"] = *lp.epoch;
  } else {
    point["epoch"] = nullptr;
  }
  if (lp.step) {
    point["step"] = *lp.step;
  } else {
    point["step"] = nullptr;
  }
  detail::put_number(point, "value", lp.value);
  point["precision"] = Json{{"kind", precision_kind(lp.precision.kind)},
                            {"decimals", lp.precision.decimals},
                            {"significant_digits", lp.precision.significant_digits}};
  point["running_mean"] = lp.running_mean;
  point["per_step"] = lp.per_step;
  point["file"] = p.file;
  if (lp.line > 0) {
    point["line"] = lp.line;
  } else {
    point["line"] = nullptr;
  }
  point["offset"] = lp.offset;

  Json j = Json::object();
  j["point"] = std::move(point);
  j["kind"] = p.kind;
  detail::put_optional_string(j, "dump", p.dump);
  detail::put_number(j, "tolerance", p.tolerance);
  detail::put_optional_string(j, "expected_id", p.expected_id);
  detail::put_optional_number(j, "expected", p.expected);
  j["explained_by"] = p.explained_by;
  Json candidates = Json::array();
  for (const CandidateValue& c : p.candidates) {
    Json cj = Json::object();
    cj["id"] = c.id;
    detail::put_number(cj, "value", c.value);
    detail::put_number(cj, "distance", c.distance);
    cj["explains"] = c.explains;
    cj["libraries"] = c.libraries;
    candidates.push_back(std::move(cj));
  }
  j["candidates"] = std::move(candidates);
  return j;
}

}  // namespace

void write_json(const AuditReport& report, std::ostream& out) {
  Json j = Json::object();
  j["schema_version"] = AuditReport::kSchemaVersion;
  j["tool"] = "metricaudit";
  j["tool_version"] = report.tool_version;
  j["exit_status"] = report.exit_status();

  Json logs = Json::array();
  for (std::size_t i = 0; i < report.logs.size(); ++i) {
    Json log = Json::object();
    log["path"] = report.logs[i];
    if (i < report.log_formats.size()) {
      log["format"] = report.log_formats[i];
    } else {
      log["format"] = nullptr;
    }
    logs.push_back(std::move(log));
  }
  j["logs"] = std::move(logs);
  detail::put_optional_string(j, "predictions", report.predictions);

  std::size_t by_severity[3] = {0, 0, 0};
  for (const Finding& f : report.findings) ++by_severity[static_cast<int>(f.severity)];
  j["summary"] = Json{{"points", report.points.size()},
                      {"findings", report.findings.size()},
                      {"errors", by_severity[static_cast<int>(Severity::error)]},
                      {"warnings", by_severity[static_cast<int>(Severity::warning)]},
                      {"notes", by_severity[static_cast<int>(Severity::note)]},
                      {"undecided", report.undecided.size()}};

  Json findings = Json::array();
  for (const Finding& f : report.findings) findings.push_back(finding_json(f));
  j["findings"] = std::move(findings);
  Json points = Json::array();
  for (const PointResult& p : report.points) points.push_back(point_json(p));
  j["points"] = std::move(points);
  j["warnings"] = report.warnings;
  j["undecided"] = report.undecided;

  out << detail::dump(j) << '\n';
}

}  // namespace metricaudit::audit
