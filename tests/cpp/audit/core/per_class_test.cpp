// Finding::per_class: the recall of each class behind a macro finding, which the HTML
// report draws as bars. Its mean must be the logged macro value; other findings carry none.
#include <gtest/gtest.h>

#include <numeric>

#include "metricaudit/audit/audit.hpp"

namespace metricaudit::audit {
namespace {

AuditReport audit(const char* path) {
  AuditOptions o;
  o.path = path;
  return run_audit(o);
}

TEST(PerClass, MacroFindingsCarryTheRecallTheyAverage) {
  const AuditReport r = audit("examples/seed-torchmetrics-macro");
  int macro = 0;
  for (const Finding& f : r.findings) {
    if (f.metric != "val_acc") continue;
    ASSERT_TRUE(f.per_class.has_value()) << f.rule;
    const PerClassRecall& pc = *f.per_class;
    ASSERT_EQ(pc.recall.size(), 12u);
    ASSERT_EQ(pc.support.size(), 12u);
    // torchmetrics 0.11's macro: the mean over all 12 classes, absent ones as 0.
    const double mean = std::accumulate(pc.recall.begin(), pc.recall.end(), 0.0) / 12.0;
    EXPECT_NEAR(mean, *f.logged, 5e-5);
    EXPECT_EQ(pc.support[10] + pc.support[11], 0);
    EXPECT_EQ(std::accumulate(pc.support.begin(), pc.support.end(), std::int64_t{0}),
              362);  // run.json eval_size.val
    EXPECT_NE(pc.dump.find("val_epoch5"), std::string::npos);
    ++macro;
  }
  EXPECT_EQ(macro, 1);
}

TEST(PerClass, OtherFindingsCarryNone) {
  for (const char* run : {"examples/softmax-twice", "examples/keras3-binary-accuracy"}) {
    const AuditReport r = audit(run);
    ASSERT_FALSE(r.findings.empty()) << run;
    for (const Finding& f : r.findings) EXPECT_FALSE(f.per_class.has_value()) << run << f.rule;
  }
}

}  // namespace
}  // namespace metricaudit::audit
