// The point's compact fields (logged_series.hpp): LoggedIndex reads as a
// std::optional<std::int64_t>, and a run's name table holds each name once.
#include "metricaudit/audit/logged_series.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace metricaudit::audit {
namespace {

TEST(LoggedIndex, ReadsAsAnOptional) {
  const LoggedIndex none;
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(static_cast<bool>(none));
  EXPECT_EQ(none, std::nullopt);
  EXPECT_EQ(none, std::optional<std::int64_t>());  // not std::optional's nullopt != value
  EXPECT_EQ(std::optional<std::int64_t>(), none);
  EXPECT_EQ(none.value_or(-1), -1);
  EXPECT_THROW((void)none.value(), std::bad_optional_access);
  EXPECT_EQ(std::optional<std::int64_t>(none), std::nullopt);

  const LoggedIndex three = 3;
  EXPECT_TRUE(three.has_value());
  EXPECT_EQ(*three, 3);
  EXPECT_EQ(three, 3);
  EXPECT_EQ(three, std::optional<std::int64_t>(3));
  EXPECT_NE(three, std::optional<std::int64_t>());
  EXPECT_NE(three, none);
  EXPECT_EQ(std::optional<std::int64_t>(three), 3);

  // 0 and the most negative value a log can hold (one above the "none" code) are numbers.
  EXPECT_EQ(LoggedIndex(0), 0);
  const std::int64_t lowest = LoggedIndex::kNone + 1;
  EXPECT_EQ(LoggedIndex(lowest), lowest);
  // std::optional's order: none first.
  EXPECT_LT(none, LoggedIndex(lowest));
  EXPECT_LT(LoggedIndex(2), three);

  LoggedIndex changed = three;
  changed = std::nullopt;
  EXPECT_FALSE(changed.has_value());
  changed = std::optional<std::int64_t>(7);
  EXPECT_EQ(changed, 7);
  changed.reset();
  EXPECT_FALSE(changed.has_value());
}

TEST(LoggedPoint, FitsIn64Bytes) {
  // The static_assert in the header says the same; this names it in the test list.
  EXPECT_LE(sizeof(LoggedPoint), 64u);
}

TEST(LoggedRun, NamesAreStoredOnceAndFilesFollowThem) {
  LoggedRun run;
  run.file = "runs/a/metrics.csv";
  EXPECT_EQ(run.metric_id("loss"), 0u);
  EXPECT_EQ(run.metric_id("val_acc"), 1u);
  EXPECT_EQ(run.metric_id("loss"), 0u);
  EXPECT_EQ(run.metrics.size(), 2u);
  LoggedPoint p;
  p.metric_id = 1;
  EXPECT_EQ(run.metric(p), "val_acc");
  EXPECT_EQ(run.file_of(p), "runs/a/metrics.csv");
  // A log with a file per metric (MLflow): the point's file is its metric's.
  run.metric_files = {"run/metrics/loss", "run/metrics/val_acc"};
  EXPECT_EQ(run.file_of(p), "run/metrics/val_acc");
}

}  // namespace
}  // namespace metricaudit::audit
