// SARIF 2.1.0: the members code-scanning services require, rules from the one table,
// results located in the log (startLine for text logs, byteOffset for binary ones).
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "metricaudit/audit/report_writers.hpp"
#include "metricaudit/audit/rules.hpp"
#include "sample_report.hpp"

namespace metricaudit::audit {
namespace {

using nlohmann::json;

json render(const AuditReport& r) {
  std::ostringstream out;
  write_sarif(r, out);
  return json::parse(out.str());
}

TEST(SarifWriter, EnvelopeAndDriver) {
  const json doc = render(testing::sample_report());
  EXPECT_EQ(doc["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  EXPECT_EQ(doc["version"], "2.1.0");
  ASSERT_EQ(doc["runs"].size(), 1u);
  const json& driver = doc["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"], "metricaudit");
  EXPECT_EQ(driver["version"], "0.1.0-test");
  EXPECT_FALSE(driver.contains("informationUri"));  // optional; no made-up address
}

TEST(SarifWriter, RulesComeFromTheTable) {
  const json rules_json = render(testing::sample_report())["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules_json.size(), rules().size());
  for (std::size_t i = 0; i < rules().size(); ++i) {
    const RuleInfo& r = rules()[i];
    const json& j = rules_json[i];
    SCOPED_TRACE(std::string(r.id));
    EXPECT_EQ(j["id"], r.id);
    EXPECT_EQ(j["name"], r.name);
    EXPECT_EQ(j["shortDescription"]["text"], r.short_description);
    EXPECT_EQ(j["fullDescription"]["text"], r.full_description);
    EXPECT_EQ(j["help"]["text"], generic_fix(r));
    EXPECT_EQ(j["defaultConfiguration"]["level"], severity_name(r.level));
  }
}

TEST(SarifWriter, ResultPerFindingLocatedAtTheLine) {
  const json run = render(testing::sample_report())["runs"][0];
  ASSERT_EQ(run["results"].size(), 1u);
  const json& result = run["results"][0];
  EXPECT_EQ(result["ruleId"], "MA001");
  EXPECT_EQ(run["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()]["id"], "MA001");
  EXPECT_EQ(result["level"], "warning");
  EXPECT_NE(result["message"]["text"].get<std::string>().find("macro average"), std::string::npos);
  const json& loc = result["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "runs/a/metrics.csv");
  EXPECT_EQ(loc["region"], json::parse(R"({"startLine": 11})"));
  EXPECT_EQ(result["properties"]["metric"], "val_acc");
  EXPECT_EQ(result["properties"]["epochs"], json::parse("[0, 1]"));
  EXPECT_EQ(result["properties"]["fix"], "Use Accuracy(task=\"multiclass\", num_classes=12).");
}

TEST(SarifWriter, BinaryLogsUseByteOffsetsAndLevelsFollowSeverity) {
  AuditReport r = testing::sample_report();
  r.findings[0].file = "runs/b/events.out.tfevents.1";
  r.findings[0].line = 0;
  r.findings[0].offset = 4096;
  Finding error = r.findings[0];
  error.rule = "MX001";
  error.severity = Severity::error;
  Finding note = r.findings[0];
  note.rule = "LG005";
  note.severity = Severity::note;
  r.findings.push_back(error);
  r.findings.push_back(note);
  const json results = render(r)["runs"][0]["results"];
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"],
            json::parse(R"({"byteOffset": 4096})"));
  EXPECT_EQ(results[1]["level"], "error");
  EXPECT_EQ(results[2]["level"], "note");
}

TEST(SarifWriter, UnknownRuleIdsStillResolve) {
  AuditReport r = testing::sample_report();
  r.findings[0].rule = "ZZ001";
  r.findings[0].name = "from-the-future";
  const json driver_rules = render(r)["runs"][0]["tool"]["driver"]["rules"];
  const json result = render(r)["runs"][0]["results"][0];
  const json& rule_json = driver_rules[result["ruleIndex"].get<std::size_t>()];
  EXPECT_EQ(rule_json["id"], "ZZ001");
  EXPECT_EQ(rule_json["name"], "from-the-future");
}

TEST(SarifWriter, NotificationsAndNoFindings) {
  const json run = render(AuditReport{})["runs"][0];
  EXPECT_TRUE(run["results"].is_array());
  EXPECT_TRUE(run["results"].empty());
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);
  EXPECT_EQ(run["invocations"][0]["exitCode"], 0);
  const json notes =
      render(testing::sample_report())["runs"][0]["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 3u);  // one warning, two undecided
  EXPECT_EQ(notes[0]["level"], "warning");
  EXPECT_EQ(notes[1]["message"]["text"], "not checked: lr-AdamW: not an accuracy or a loss");
}

}  // namespace
}  // namespace metricaudit::audit
