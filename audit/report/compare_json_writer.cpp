// The compare JSON report: docs/compare.md ("JSON report") documents every member. Any
// change of a member's name, type or meaning bumps CompareReport::kSchemaVersion; adding
// members does not.
#include <ostream>

#include "json_support.hpp"
#include "metricaudit/audit/compare_writers.hpp"

namespace metricaudit::audit {
namespace {

using detail::Json;

Json interval_json(const std::optional<DifferenceInterval>& i) {
  if (!i) return nullptr;
  Json j = Json::object();
  detail::put_number(j, "low", i->low);
  detail::put_number(j, "high", i->high);
  return j;
}

Json side_json(const CompareSide& s) {
  Json j = Json::object();
  j["metric"] = s.metric;
  detail::put_optional_number(j, "logged", s.logged);
  j["explained_by"] = s.explained_by;
  detail::put_optional_number(j, "common", s.common);
  detail::put_optional_string(j, "common_id", s.common_id);
  detail::put_optional_string(j, "dump", s.dump);
  j["samples"] = s.samples;
  j["num_classes"] = s.num_classes;
  detail::put_optional_string(j, "file", s.file);
  if (s.line > 0) {
    j["line"] = s.line;
  } else {
    j["line"] = nullptr;
  }
  return j;
}

Json comparison_json(const Comparison& c, double alpha) {
  Json j = Json::object();
  j["kind"] = c.kind;
  j["split"] = c.split;
  if (c.epoch) {
    j["epoch"] = *c.epoch;
  } else {
    j["epoch"] = nullptr;
  }
  j["judged"] = c.judged;
  j["a"] = side_json(c.a);
  j["b"] = side_json(c.b);
  j["convention"] = c.convention;
  detail::put_optional_number(j, "logged_difference", c.logged_difference);
  detail::put_optional_number(j, "difference", c.difference);
  detail::put_optional_string(j, "test", c.test);
  detail::put_optional_string(j, "pairing", c.pairing);
  detail::put_optional_string(j, "tested", c.tested);
  detail::put_optional_number(j, "p_value", c.p_value);
  j["ci95"] = interval_json(c.ci95);
  Json ci = interval_json(c.ci);
  if (!ci.is_null()) ci["level"] = 1.0 - alpha;
  j["ci"] = std::move(ci);
  if (c.table) {
    j["table"] = Json::array({Json::array({(*c.table)[0][0], (*c.table)[0][1]}),
                              Json::array({(*c.table)[1][0], (*c.table)[1][1]})});
  } else {
    j["table"] = nullptr;
  }
  j["samples"] = Json{{"a", c.samples_a}, {"b", c.samples_b}};
  if (c.significant) {
    j["significant"] = *c.significant;
  } else {
    j["significant"] = nullptr;
  }
  if (c.verdict) {
    j["verdict"] = std::string(verdict_name(*c.verdict));
  } else {
    j["verdict"] = nullptr;
  }
  detail::put_optional_string(j, "reason", c.reason);
  return j;
}

Json run_json(const CompareRun& r) {
  Json j = Json::object();
  j["path"] = r.path;
  Json logs = Json::array();
  for (std::size_t i = 0; i < r.logs.size(); ++i) {
    logs.push_back(
        Json{{"path", r.logs[i]}, {"format", i < r.log_formats.size() ? r.log_formats[i] : ""}});
  }
  j["logs"] = std::move(logs);
  detail::put_optional_string(j, "predictions", r.predictions);
  Json findings = Json::array();
  for (const Finding& f : r.findings) findings.push_back(detail::finding_json(f));
  j["findings"] = std::move(findings);
  return j;
}

}  // namespace

void write_compare_json(const CompareReport& report, std::ostream& out) {
  Json j = Json::object();
  j["schema_version"] = CompareReport::kSchemaVersion;
  j["tool"] = "metricaudit";
  j["command"] = "compare";
  j["tool_version"] = report.tool_version;
  j["exit_status"] = report.exit_status();
  j["alpha"] = report.alpha;
  j["min_effect"] = report.min_effect;
  j["judged"] = report.judged;
  if (report.judged_epoch) {
    j["judged_epoch"] = *report.judged_epoch;
  } else {
    j["judged_epoch"] = nullptr;
  }
  j["runs"] = Json{{"a", run_json(report.a)}, {"b", run_json(report.b)}};

  Json counts = Json::object();
  std::size_t judged = 0;
  for (const Verdict v : kVerdicts) {
    counts[std::string(verdict_name(v))] = 0;
  }
  for (const Comparison& c : report.comparisons) {
    if (!c.judged || !c.verdict) continue;
    ++judged;
    auto& n = counts[std::string(verdict_name(*c.verdict))];
    n = n.get<int>() + 1;
  }
  j["summary"] = Json{{"comparisons", report.comparisons.size()},
                      {"judged", judged},
                      {"verdicts", std::move(counts)}};
  Json comparisons = Json::array();
  for (const Comparison& c : report.comparisons) {
    comparisons.push_back(comparison_json(c, report.alpha));
  }
  j["comparisons"] = std::move(comparisons);
  j["notes"] = report.notes;
  j["unpaired"] = report.unpaired;
  j["warnings"] = report.warnings;
  out << detail::dump(j) << '\n';
}

}  // namespace metricaudit::audit
