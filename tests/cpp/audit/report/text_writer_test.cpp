// The terminal report: what it shows, in which sections, without colour unless asked,
// within 100 columns.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "metricaudit/audit/report_writers.hpp"
#include "sample_report.hpp"

namespace metricaudit::audit {
namespace {

std::string render(const AuditReport& r, bool colour = false) {
  std::ostringstream out;
  write_text(r, out, colour);
  return out.str();
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The line that contains `needle`, or "" (so a failed find reads clearly in the message).
std::string line_with(const std::string& text, const std::string& needle) {
  for (const std::string& line : lines_of(text)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

TEST(TextWriter, TableShowsLoggedRecomputedAndExplainingConvention) {
  const std::string text = render(testing::sample_report());
  EXPECT_NE(text.find("val_acc"), std::string::npos);
  EXPECT_NE(text.find("implied accuracy.micro"), std::string::npos);
  // One row per point: epoch, logged as printed, recomputed at the same precision,
  // the explaining convention; marked as not explained by the implied convention.
  const std::string row = line_with(text, "0.6014 ");
  EXPECT_NE(row.find("0.9033"), std::string::npos) << row;
  EXPECT_NE(row.find("accuracy.macro.absent_zero"), std::string::npos) << row;
  EXPECT_NE(row.find("!!"), std::string::npos) << row;
  const std::string loss_row = line_with(text, "1.5251 ");
  EXPECT_NE(loss_row.find("loss.logits"), std::string::npos) << loss_row;
  EXPECT_NE(loss_row.find("ok"), std::string::npos) << loss_row;
}

TEST(TextWriter, FindingsCarryRuleSeverityMetricEpochsMessageAndFix) {
  const std::string text = render(testing::sample_report());
  const std::size_t findings = text.find("Findings (1)");
  ASSERT_NE(findings, std::string::npos) << text;
  const std::string rest = text.substr(findings);
  EXPECT_NE(rest.find("MA001"), std::string::npos);
  EXPECT_NE(rest.find("warning"), std::string::npos);
  EXPECT_NE(rest.find("accuracy-macro-absent-zero"), std::string::npos);
  EXPECT_NE(rest.find("val_acc [val] epochs 0-1"), std::string::npos) << rest;
  EXPECT_NE(rest.find("at runs/a/metrics.csv:11"), std::string::npos);
  EXPECT_NE(rest.find("accuracy.micro gives 0.9033"), std::string::npos) << rest;
  EXPECT_NE(rest.find("counted as 0."), std::string::npos);
  EXPECT_NE(rest.find("fix: Use Accuracy(task=\"multiclass\", num_classes=12)."), std::string::npos)
      << rest;
}

TEST(TextWriter, UndecidedWarningsAndSummary) {
  const std::string text = render(testing::sample_report());
  EXPECT_NE(text.find("Undecided: not checked (2)"), std::string::npos);
  EXPECT_NE(text.find("  - lr-AdamW: not an accuracy or a loss"), std::string::npos);
  EXPECT_NE(text.find("Warnings (1)"), std::string::npos);
  EXPECT_NE(text.find("Summary: 1 finding (1 warning); 3 values recomputed; 2 undecided."),
            std::string::npos)
      << text;
}

TEST(TextWriter, ColourOnlyWhenAsked) {
  EXPECT_EQ(render(testing::sample_report(), false).find('\x1b'), std::string::npos);
  EXPECT_NE(render(testing::sample_report(), true).find("\x1b[33mwarning"), std::string::npos);
}

TEST(TextWriter, FitsInOneHundredColumns) {
  AuditReport r = testing::sample_report();
  // Long texts everywhere that can wrap.
  r.points[0].explained_by = {"accuracy.macro.absent_zero", "accuracy.macro.exclude_unseen",
                              "accuracy.balanced", "accuracy.weighted", "accuracy.top5"};
  r.points[0].metric = "validation/multiclass_accuracy_of_the_model_on_the_held_out_set";
  r.findings[0].message = std::string(30, 'x') + " " + std::string(400, 'y').replace(50, 1, " ");
  for (int i = 0; i < 40; ++i) r.findings[0].fix += "word" + std::to_string(i) + " ";
  r.undecided.push_back(std::string(60, 'u') + " " + std::string(60, 'v'));
  for (const std::string& line : lines_of(render(r))) {
    // An unbreakable word may overflow; nothing else.
    if (line.find("yyyyyyyyyyyyyyyyyyyy") != std::string::npos) continue;
    EXPECT_LE(line.size(), 100u) << line;
  }
  const std::string text = render(r);
  EXPECT_NE(text.find("accuracy.top5"), std::string::npos) << "wrapped, not cut";
}

TEST(TextWriter, EmptyReport) {
  AuditReport r;
  const std::string text = render(r);
  EXPECT_NE(text.find("Findings (0)"), std::string::npos);
  EXPECT_NE(text.find("(none: log-only rules)"), std::string::npos);
  EXPECT_EQ(text.find("Undecided"), std::string::npos);
  EXPECT_NE(text.find("Summary: 0 findings; 0 values recomputed; 0 undecided."), std::string::npos);
}

TEST(TextWriter, PointWithoutExplanationOrExpectedValue) {
  AuditReport r = testing::sample_report();
  r.points[0].explained_by.clear();
  r.points[0].expected.reset();
  r.points[0].point.epoch.reset();
  r.points[0].point.step = 42;
  const std::string row = line_with(render(r), "0.4049");
  EXPECT_NE(row.find("??"), std::string::npos) << row;
  EXPECT_NE(row.find("(none)"), std::string::npos) << row;
  EXPECT_NE(row.find(" 42 "), std::string::npos) << row;
}

}  // namespace
}  // namespace metricaudit::audit
