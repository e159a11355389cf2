// The rule table: complete, unique, every text present, levels as published.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "metricaudit/audit/rules.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit {
namespace {

TEST(Rules, EveryPublishedIdIsPresentWithItsNameAndLevel) {
  struct Expected {
    const char* id;
    const char* name;
    Severity level;
  };
  const Expected expected[] = {
      {"MA001", "accuracy-macro-absent-zero", Severity::warning},
      {"MA002", "accuracy-macro", Severity::warning},
      {"MA003", "accuracy-elementwise-binary", Severity::warning},
      {"MA004", "accuracy-other-convention", Severity::warning},
      {"MA005", "binary-accuracy-on-logits", Severity::warning},
      {"ML001", "loss-softmax-twice", Severity::warning},
      {"ML002", "loss-binary-onehot", Severity::warning},
      {"ML003", "loss-other-convention", Severity::warning},
      {"ML004", "loss-sigmoid-twice", Severity::warning},
      {"MP001", "per-class-macro-absent-zero", Severity::warning},
      {"MP002", "per-class-average", Severity::note},
      {"MP003", "per-class-on-logits", Severity::warning},
      {"MX001", "unexplained-value", Severity::error},
      {"MX002", "distributed-padding", Severity::warning},
      {"LG001", "softmax-twice-floor", Severity::warning},
      {"LG002", "accuracy-not-k-over-n", Severity::warning},
      {"LG003", "binary-accuracy-floor", Severity::note},
      {"LG004", "per-step-macro-bound", Severity::warning},
      {"LG005", "running-mean", Severity::note},
  };
  ASSERT_EQ(rules().size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    SCOPED_TRACE(expected[i].id);
    EXPECT_EQ(rules()[i].id, expected[i].id);  // table order is id order
    const RuleInfo& r = rule(expected[i].id);
    EXPECT_EQ(r.name, expected[i].name);
    EXPECT_EQ(r.level, expected[i].level);
    EXPECT_EQ(find_rule(expected[i].id), &r);
  }
}

TEST(Rules, IdsAndNamesAreUniqueAndEveryFieldIsWritten) {
  std::set<std::string_view> ids, names;
  for (const RuleInfo& r : rules()) {
    SCOPED_TRACE(std::string(r.id));
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id";
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate name";
    EXPECT_EQ(r.id.size(), 5u);
    EXPECT_FALSE(r.name.empty());
    EXPECT_FALSE(r.short_description.empty());
    EXPECT_FALSE(r.full_description.empty());
    EXPECT_FALSE(r.message.empty());
    EXPECT_FALSE(r.fix.empty());
    // Names are kebab-case: they are used as SARIF rule names and in scripts.
    for (char c : r.name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    // A paragraph says more than its one-line summary.
    EXPECT_GT(r.full_description.size(), r.short_description.size());
  }
}

TEST(Rules, FixesNameTheRemedies) {
  EXPECT_NE(rule("MA001").fix.find("Accuracy(task=\"multiclass\""), std::string_view::npos);
  EXPECT_NE(rule("MA001").fix.find("average=\"micro\""), std::string_view::npos);
  EXPECT_NE(rule("ML001").fix.find("NLLLoss"), std::string_view::npos);
  EXPECT_NE(rule("ML001").fix.find("Softmax"), std::string_view::npos);
  EXPECT_NE(rule("MA003").fix.find("categorical_crossentropy"), std::string_view::npos);
  EXPECT_NE(rule("MA003").fix.find("categorical_accuracy"), std::string_view::npos);
  EXPECT_NE(rule("MA005").fix.find("threshold=0.0"), std::string_view::npos);
  EXPECT_NE(rule("ML004").fix.find("BCEWithLogitsLoss"), std::string_view::npos);
}

TEST(Rules, FillReplacesEveryPlaceholderAndRefusesAMissingOne) {
  EXPECT_EQ(fill("{metric} over {C} classes, {C} again", {{"metric", "val_acc"}, {"C", "10"}}),
            "val_acc over 10 classes, 10 again");
  EXPECT_EQ(fill("no placeholder", {}), "no placeholder");
  EXPECT_THROW(fill("{metric} is {what}", {{"metric", "val_acc"}}), InvalidArgument);
  EXPECT_THROW(fill("{metric", {{"metric", "val_acc"}}), InvalidArgument);
}

TEST(Rules, GenericFixNamesNoFindingsFacts) {
  EXPECT_EQ(generic_fix(rule("MA002")),
            "torchmetrics: use Accuracy(task=\"multiclass\", num_classes=C) or "
            "MulticlassAccuracy(num_classes=C, average=\"micro\")");
  EXPECT_NE(generic_fix(rule("MA004")).find("the convention its name implies"), std::string::npos);
  // Every fix renders for a rule as a whole (SARIF's help): no placeholder beyond C and
  // the implied convention.
  for (const RuleInfo& r : rules()) EXPECT_NO_THROW(generic_fix(r)) << r.id;
}

TEST(Rules, UnknownIdIsAnError) {
  EXPECT_EQ(find_rule("XX999"), nullptr);
  EXPECT_THROW(rule("XX999"), InvalidArgument);
}

TEST(Report, SeverityNamesAndExitStatus) {
  EXPECT_EQ(severity_name(Severity::note), "note");
  EXPECT_EQ(severity_name(Severity::warning), "warning");
  EXPECT_EQ(severity_name(Severity::error), "error");

  AuditReport r;
  EXPECT_EQ(r.exit_status(), 0);
  Finding note;
  note.severity = Severity::note;
  r.findings.push_back(note);
  EXPECT_EQ(r.exit_status(), 0) << "notes do not fail a run";
  Finding warning;
  warning.severity = Severity::warning;
  r.findings.push_back(warning);
  EXPECT_EQ(r.exit_status(), 1);
  r.findings = {Finding{}};
  r.findings[0].severity = Severity::error;
  EXPECT_EQ(r.exit_status(), 1);
}

}  // namespace
}  // namespace metricaudit::audit
