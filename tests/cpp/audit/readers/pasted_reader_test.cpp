// "pasted": per-epoch lines pasted without their bars (tests/data/logs/pasted).
#include <gtest/gtest.h>

#include <string>

#include "metricaudit/audit/log_formats.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::find_point;
using testing::fixture;
using testing::input_error;
using testing::read_string;

TEST(Pasted, KerasLinesAreEpochsInOrder) {
  const std::string path = fixture("pasted/keras_lines.txt");
  EXPECT_EQ(detect_log_format(path), "pasted");
  const std::vector<LoggedRun> runs = read_log(path);
  ASSERT_EQ(runs.size(), 1u);
  const LoggedRun& run = runs[0];
  EXPECT_EQ(run.format, "pasted");
  ASSERT_EQ(run.points.size(), 20u);
  const LoggedPoint* first = find_point(run, "loss", 0);
  ASSERT_NE(first, nullptr);
  EXPECT_DOUBLE_EQ(first->value, 0.1162);
  EXPECT_EQ(first->precision.decimals, 4);
  EXPECT_EQ(first->split, Split::train);
  EXPECT_TRUE(first->running_mean);  // Keras' training values are running means
  EXPECT_EQ(first->line, 1);
  const LoggedPoint* last = find_point(run, "accuracy", 9);
  ASSERT_NE(last, nullptr);
  EXPECT_DOUBLE_EQ(last->value, 0.9924);
  EXPECT_EQ(last->line, 10);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0], path + ":1: read 10 pasted Keras lines (lines 1-10) as epochs 0..9 " +
                                 "in order: nothing on them names the epoch");
}

TEST(Pasted, TqdmPostfixesKeepTheTqdmReadersMeaning) {
  const LoggedRun run = read_text_log(fixture("pasted/tqdm_lines.txt"));
  EXPECT_EQ(run.format, "pasted");
  ASSERT_EQ(run.points.size(), 20u);
  const LoggedPoint* acc = find_point(run, "acc", 1);
  ASSERT_NE(acc, nullptr);
  EXPECT_DOUBLE_EQ(acc->value, 0.975);
  EXPECT_EQ(acc->precision.decimals, 3);
  EXPECT_TRUE(acc->per_step);  // a training name on the bar: logged on_step
  const LoggedPoint* loss = find_point(run, "loss", 2);
  ASSERT_NE(loss, nullptr);
  EXPECT_DOUBLE_EQ(loss->value, 0.0386);
  EXPECT_EQ(loss->precision.decimals, 4);
  EXPECT_TRUE(loss->running_mean);
  EXPECT_EQ(find_point(run, "loss", 9)->value, 0.0225);
}

TEST(Pasted, TheWholeForumPostGivesBothBlocksAsTwoRuns) {
  const std::string path = fixture("pasted/seed_001_forum_post.txt");
  EXPECT_EQ(detect_log_format(path), "pasted");
  const std::vector<LoggedRun> runs = read_log(path);
  ASSERT_EQ(runs.size(), 2u);  // a Keras training and a Lightning one: kept apart
  EXPECT_EQ(runs[0].points.size(), 20u);
  EXPECT_EQ(runs[1].points.size(), 20u);
  EXPECT_EQ(find_point(runs[0], "loss", 0)->line, 39);
  EXPECT_DOUBLE_EQ(find_point(runs[0], "loss", 9)->value, 0.0213);
  EXPECT_EQ(find_point(runs[1], "acc", 0)->line, 52);
  EXPECT_DOUBLE_EQ(find_point(runs[1], "acc", 9)->value, 0.988);
  for (const LoggedRun& run : runs) {
    EXPECT_EQ(run.file, path);
    EXPECT_EQ(run.format, "pasted");
  }
  EXPECT_NE(runs[1].warnings.at(0).find("10 pasted tqdm lines (lines 52-61)"), std::string::npos);
  // read_text_log has one LoggedRun to give: both blocks' points.
  EXPECT_EQ(read_text_log(path).points.size(), 40u);
}

TEST(Pasted, MalformedLinesAreNoiseNeverHalfRead) {
  const std::string path = fixture("pasted/malformed.txt");
  EXPECT_NE(input_error([&] { detect_log_format(path); }).find("cannot tell the log format"),
            std::string::npos);
  EXPECT_TRUE(read_text_log(path, "pasted").points.empty());
  // A lone "name: value" is prose, not a pasted Keras line.
  EXPECT_TRUE(read_string("version: 2\nloss: 0.5\n", "pasted").points.empty());
  // A block ends at prose; the next one starts at epoch 0 again.
  const LoggedRun run =
      read_string("loss: 0.5 - acc: 0.1\nsome prose\nloss: 0.4 - acc: 0.2\n", "pasted");
  ASSERT_EQ(run.points.size(), 4u);
  EXPECT_EQ(run.points[2].epoch, 0);
}

TEST(Pasted, BlocksMergedIntoOneRunKeepTheirNames) {
  // read_text_log gives every block's points in one run: each block's names (its own
  // table) must map onto the merged run's.
  const LoggedRun run = read_string(
      "loss: 0.5 - accuracy: 0.9\nsome prose\nval_loss: 0.4 - val_accuracy: 0.8\n", "pasted");
  ASSERT_EQ(run.points.size(), 4u);
  EXPECT_EQ(run.metric(run.points[0]), "loss");
  EXPECT_EQ(run.metric(run.points[1]), "accuracy");
  EXPECT_EQ(run.metric(run.points[2]), "val_loss");
  EXPECT_EQ(run.metric(run.points[3]), "val_accuracy");
  EXPECT_EQ(run.points[3].split, Split::val);
  EXPECT_EQ(run.metrics.size(), 4u);
}

TEST(Pasted, BlockStatementsAreCapped) {
  // Found by scripts/fuzz: one statement per block, so many blocks made many warnings.
  std::string text;
  for (int i = 0; i < 5; ++i) text += "[a=1, b=2]\nprose\n";
  TextLogOptions options;
  options.max_warnings = 2;
  const LoggedRun run = read_string(text, "pasted", "m.log", options);
  EXPECT_EQ(run.points.size(), 10u);
  ASSERT_EQ(run.warnings.size(), 3u);
  EXPECT_EQ(run.warnings[2], "m.log: ... and 3 more warnings");
}

TEST(Pasted, DoesNotTakeOtherFormatsLogs) {
  // A Keras capture's verbose=2 line has a counter: it stays keras-progress.
  EXPECT_EQ(detect_log_format("1875/1875 - 5s - loss: 0.1 - accuracy: 0.9 - 3ms/step\n", "x"),
            "keras-progress");
  EXPECT_EQ(detect_log_format("Epoch 1/2\nloss: 0.1 - accuracy: 0.9\n", "x"), "keras-progress");
}

}  // namespace
}  // namespace metricaudit::audit
