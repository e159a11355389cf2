// The JSON report: valid JSON, conforms to docs/audit-report.schema.json, carries every
// value exactly, and writes non-finite numbers as null with the value spelled out.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "metricaudit/audit/report_writers.hpp"
#include "sample_report.hpp"
#include "schema_check.hpp"

namespace metricaudit::audit {
namespace {

using nlohmann::json;

std::string render(const AuditReport& r) {
  std::ostringstream out;
  write_json(r, out);
  return out.str();
}

json schema() {
  std::ifstream in(METRICAUDIT_SOURCE_DIR "/docs/audit-report.schema.json");
  EXPECT_TRUE(in) << "docs/audit-report.schema.json";
  return json::parse(in);
}

// The schema checker's complaints about `doc` (none for a conforming document).
std::vector<std::string> schema_errors(const json& doc) {
  return testing::SchemaChecker(schema()).check(doc);
}

TEST(JsonWriter, ConformsToTheSchema) {
  EXPECT_EQ(schema_errors(json::parse(render(testing::sample_report()))),
            std::vector<std::string>{});
  EXPECT_EQ(schema_errors(json::parse(render(AuditReport{}))), std::vector<std::string>{});
}

TEST(JsonWriter, SchemaCheckerCatchesMissingAndMistypedMembers) {
  json doc = json::parse(render(testing::sample_report()));
  doc["findings"][0].erase("fix");
  doc["points"][0]["candidates"][0]["explains"] = "yes";
  const auto errors = testing::SchemaChecker(schema()).check(doc);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("\"fix\""), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("explains"), std::string::npos) << errors[1];
}

TEST(JsonWriter, TopLevelMembers) {
  const json doc = json::parse(render(testing::sample_report()));
  EXPECT_EQ(doc["schema_version"], AuditReport::kSchemaVersion);
  EXPECT_EQ(doc["tool"], "metricaudit");
  EXPECT_EQ(doc["tool_version"], "0.1.0-test");
  EXPECT_EQ(doc["exit_status"], 1);
  EXPECT_EQ(doc["logs"],
            json::parse(R"([{"path": "runs/a/metrics.csv", "format": "lightning-csv"}])"));
  EXPECT_EQ(doc["predictions"], "runs/a/predictions");
  EXPECT_EQ(doc["summary"]["findings"], 1);
  EXPECT_EQ(doc["summary"]["warnings"], 1);
  EXPECT_EQ(doc["summary"]["points"], 3);
  EXPECT_EQ(doc["warnings"].size(), 1u);
  EXPECT_EQ(doc["undecided"][0], "lr-AdamW: not an accuracy or a loss");
  EXPECT_TRUE(json::parse(render(AuditReport{}))["predictions"].is_null());
}

TEST(JsonWriter, FindingRoundTrips) {
  const AuditReport r = testing::sample_report();
  const json f = json::parse(render(r))["findings"][0];
  const Finding& in = r.findings[0];
  EXPECT_EQ(f["rule"], in.rule);
  EXPECT_EQ(f["name"], in.name);
  EXPECT_EQ(f["severity"], "warning");
  EXPECT_EQ(f["metric"], in.metric);
  EXPECT_EQ(f["split"], in.split);
  EXPECT_EQ(f["epochs"].get<std::vector<std::int64_t>>(), in.epochs);
  EXPECT_TRUE(f["steps"].empty());
  EXPECT_EQ(f["logged"].get<double>(), *in.logged);  // exact: doubles round-trip
  EXPECT_EQ(f["expected"].get<double>(), *in.expected);
  EXPECT_EQ(f["explained_by"], in.explained_by);
  EXPECT_EQ(f["expected_convention"], in.expected_convention);
  EXPECT_EQ(f["message"], in.message);
  EXPECT_EQ(f["fix"], in.fix);
  EXPECT_EQ(f["location"],
            json::parse(R"({"file": "runs/a/metrics.csv", "line": 11, "offset": 1100})"));
}

TEST(JsonWriter, PointRoundTrips) {
  const AuditReport r = testing::sample_report();
  const json p = json::parse(render(r))["points"][1];
  const PointResult& in = r.points[1];
  EXPECT_EQ(p["point"]["metric"], "val_acc");
  EXPECT_EQ(p["point"]["split"], "val");
  EXPECT_EQ(p["point"]["epoch"], 1);
  EXPECT_TRUE(p["point"]["step"].is_null());
  EXPECT_EQ(p["point"]["value"].get<double>(), in.point.value);
  EXPECT_EQ(p["point"]["precision"],
            json::parse(R"({"kind": "decimal", "decimals": 4, "significant_digits": 0})"));
  EXPECT_EQ(p["point"]["file"], "runs/a/metrics.csv");
  EXPECT_EQ(p["point"]["line"], 11);
  EXPECT_EQ(p["kind"], "accuracy");
  EXPECT_EQ(p["dump"], in.dump);
  EXPECT_EQ(p["tolerance"].get<double>(), in.tolerance);
  EXPECT_EQ(p["expected_id"], "accuracy.micro");
  EXPECT_EQ(p["expected"].get<double>(), *in.expected);
  EXPECT_EQ(p["explained_by"], json::array({"accuracy.macro.absent_zero"}));
  ASSERT_EQ(p["candidates"].size(), 2u);
  const json& c = p["candidates"][1];
  EXPECT_EQ(c["id"], "accuracy.macro.absent_zero");
  EXPECT_EQ(c["value"].get<double>(), in.candidates[1].value);
  EXPECT_EQ(c["distance"].get<double>(), in.candidates[1].distance);
  EXPECT_EQ(c["explains"], true);
  EXPECT_EQ(c["libraries"], in.candidates[1].libraries);
  EXPECT_FALSE(c.contains("nonfinite"));
}

TEST(JsonWriter, NonFiniteNumbersAreNullWithTheValueSpelledOut) {
  AuditReport r = testing::sample_report();
  r.points[0].point.value = std::numeric_limits<double>::quiet_NaN();
  r.findings[0].expected = -std::numeric_limits<double>::infinity();
  const std::string text = render(r);
  // Strict JSON: no NaN / Infinity literals.
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("Infinity"), std::string::npos);
  const json doc = json::parse(text);
  EXPECT_EQ(schema_errors(doc), std::vector<std::string>{});

  const json& point = doc["points"][0]["point"];
  EXPECT_TRUE(point["value"].is_null());
  EXPECT_EQ(point["nonfinite"], json::parse(R"({"value": "nan"})"));
  const json& candidate = doc["points"][2]["candidates"][1];
  EXPECT_TRUE(candidate["value"].is_null());
  EXPECT_TRUE(candidate["distance"].is_null());
  EXPECT_EQ(candidate["nonfinite"], json::parse(R"({"value": "inf", "distance": "inf"})"));
  const json& finding = doc["findings"][0];
  EXPECT_TRUE(finding["expected"].is_null());
  EXPECT_EQ(finding["nonfinite"]["expected"], "-inf");
  // Absent optionals are null without a nonfinite entry.
  r.findings[0].logged.reset();
  r.findings[0].expected.reset();
  const json absent = json::parse(render(r))["findings"][0];
  EXPECT_TRUE(absent["logged"].is_null());
  EXPECT_FALSE(absent.contains("nonfinite"));
}

TEST(JsonWriter, BinaryLogLocationsAndEmptyOptionals) {
  AuditReport r = testing::sample_report();
  r.findings[0].line = 0;
  r.findings[0].offset = 4096;
  r.findings[0].explained_by.clear();
  r.points[0].dump.clear();
  const json doc = json::parse(render(r));
  EXPECT_EQ(schema_errors(doc), std::vector<std::string>{});
  EXPECT_TRUE(doc["findings"][0]["location"]["line"].is_null());
  EXPECT_EQ(doc["findings"][0]["location"]["offset"], 4096);
  EXPECT_TRUE(doc["findings"][0]["explained_by"].is_null());
  EXPECT_TRUE(doc["points"][0]["dump"].is_null());
}

TEST(JsonWriter, InvalidUtf8IsReplacedNotThrown) {
  AuditReport r = testing::sample_report();
  r.points[0].metric = "acc\xff";
  std::string text;
  ASSERT_NO_THROW(text = render(r));
  EXPECT_EQ(json::parse(text)["points"][0]["point"]["metric"], "acc\xef\xbf\xbd");
}

}  // namespace
}  // namespace metricaudit::audit
