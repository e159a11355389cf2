// keras-csv and lightning-csv.
#include <gtest/gtest.h>

#include <string>

#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::find_point;
using testing::fixture;
using testing::input_error;
using testing::read_string;

TEST(KerasCsv, CsvLoggerFileWithNaAndCrlf) {
  const std::string path = fixture("keras_csvlogger.csv");
  const LoggedRun run = read_text_log(path, "keras-csv");
  EXPECT_EQ(run.format, "keras-csv");
  // 3 rows x 4 keys, minus the two NA cells.
  ASSERT_EQ(run.points.size(), 10u);
  const LoggedPoint& acc0 = run.points[0];
  EXPECT_EQ(run.metric(acc0), "accuracy");
  EXPECT_EQ(acc0.split, Split::train);
  EXPECT_EQ(acc0.epoch, 0);
  EXPECT_EQ(acc0.value, 0.9385166764259338);
  EXPECT_EQ(acc0.precision.decimals, 16);
  EXPECT_TRUE(acc0.running_mean);
  EXPECT_EQ(acc0.line, 2);
  EXPECT_EQ(acc0.offset, 43);  // after "epoch,accuracy,loss,val_accuracy,val_loss\r\n"

  const LoggedPoint* val_loss0 = find_point(run, "val_loss", 0);
  ASSERT_NE(val_loss0, nullptr);
  EXPECT_EQ(val_loss0->split, Split::val);
  EXPECT_FALSE(val_loss0->running_mean);
  EXPECT_EQ(val_loss0->precision.decimals, 17);

  EXPECT_EQ(find_point(run, "val_loss", 1), nullptr);  // NA
  EXPECT_EQ(find_point(run, "val_accuracy", 1), nullptr);

  const LoggedPoint* loss2 = find_point(run, "loss", 2);
  ASSERT_NE(loss2, nullptr);
  EXPECT_DOUBLE_EQ(loss2->value, 5.712345e-05);
  EXPECT_EQ(loss2->precision.significant_digits, 7);
  EXPECT_EQ(loss2->precision.decimals, 11);
  EXPECT_EQ(loss2->line, 4);
  EXPECT_TRUE(run.warnings.empty());
}

TEST(KerasCsv, SemicolonAndTabSeparators) {
  const LoggedRun run = read_text_log(fixture("keras_csvlogger_semicolon.csv"), "keras-csv");
  ASSERT_EQ(run.points.size(), 6u);
  const LoggedPoint* lr = find_point(run, "lr", 1);
  ASSERT_NE(lr, nullptr);
  EXPECT_DOUBLE_EQ(lr->value, 0.0005);
  EXPECT_EQ(lr->line, 3);

  const LoggedRun tab = read_string("epoch\tloss\n0\t0.5\n", "keras-csv");
  ASSERT_EQ(tab.points.size(), 1u);
  EXPECT_EQ(tab.metric(tab.points[0]), "loss");
  EXPECT_DOUBLE_EQ(tab.points[0].value, 0.5);
}

TEST(KerasCsv, ListCellsAreSkippedWithAWarning) {
  // CSVLogger writes an iterable as "[a, b]", which the csv writer quotes again.
  const LoggedRun run =
      read_string("epoch,f1,loss\r\n0,\"\"\"[0.9, 0.8]\"\"\",0.5\r\n", "keras-csv", "l.csv");
  ASSERT_EQ(run.points.size(), 1u);
  EXPECT_EQ(run.metric(run.points[0]), "loss");
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0], "l.csv:2: skipped the non-scalar value of 'f1'");
}

TEST(KerasCsv, AppendedRunWithRepeatedHeaderIsAWarning) {
  const LoggedRun run = read_string("epoch,loss\n0,0.5\nepoch,loss\n0,0.4\n", "keras-csv", "r.csv");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.points[1].line, 4);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0], "r.csv:3: skipped a repeated header (two runs in one file?)");
}

TEST(KerasCsv, DuplicatedColumnIsAnError) {
  const std::string path = fixture("keras_csv_duplicate.csv");
  const std::string msg = input_error([&] { read_text_log(path, "keras-csv"); });
  EXPECT_EQ(msg, path + ":1: duplicated column 'loss' (column 4); expected each metric once");
}

TEST(KerasCsv, RaggedRowIsAnErrorWithCrlfLineNumbers) {
  const std::string path = fixture("keras_csv_ragged.csv");
  const std::string msg = input_error([&] { read_text_log(path, "keras-csv"); });
  EXPECT_EQ(msg, path + ":3: expected 3 fields as in the header, found 2");
}

TEST(KerasCsv, NonNumericValueIsAnError) {
  const std::string path = fixture("keras_csv_nonnumeric.csv");
  const std::string msg = input_error([&] { read_text_log(path, "keras-csv"); });
  EXPECT_EQ(msg, path + ":3: expected a number or NA in column 'loss', found 'abc'");
}

TEST(KerasCsv, NonUtf8IsAnError) {
  const std::string path = fixture("keras_csv_badutf8.csv");
  const std::string msg = input_error([&] { read_text_log(path, "keras-csv"); });
  EXPECT_EQ(msg, path + ":3: invalid UTF-8 at byte 7; expected a UTF-8 CSV file");
}

TEST(KerasCsv, HeaderAndEpochErrors) {
  std::string msg = input_error([] { read_string("", "keras-csv", "e.csv"); });
  EXPECT_EQ(msg, "e.csv:1: empty file; expected a CSVLogger header starting with 'epoch'");
  msg = input_error([] { read_string("loss,epoch\n0.5,0\n", "keras-csv", "h.csv"); });
  EXPECT_EQ(msg.rfind("h.csv:1: expected a CSVLogger header starting with 'epoch'", 0), 0u) << msg;
  msg = input_error([] { read_string("epoch|loss\n", "keras-csv", "s.csv"); });
  EXPECT_EQ(msg, "s.csv:1: expected a separator (',', ';' or tab) after 'epoch', found '|'");
  msg = input_error([] { read_string("epoch,loss\n0,0.5\none,0.4\n", "keras-csv", "n.csv"); });
  EXPECT_EQ(msg, "n.csv:3: expected a 0-based epoch number in column 'epoch', found 'one'");
  msg = input_error([] { read_string("epoch,loss\n0,\"0.5\n", "keras-csv", "q.csv"); });
  EXPECT_EQ(msg.rfind("q.csv:2: unterminated quoted CSV field in column 2", 0), 0u) << msg;
}

TEST(KerasCsv, Utf8BomAndBlankLines) {
  const LoggedRun run = read_string(
      "\xEF\xBB\xBF"
      "epoch,loss\n\n0,0.5\n\n",
      "keras-csv");
  ASSERT_EQ(run.points.size(), 1u);
  EXPECT_EQ(run.points[0].line, 3);
}

TEST(LightningCsv, SparseMetricsCsv) {
  const std::string path = fixture("lightning_metrics.csv");
  const LoggedRun run = read_text_log(path, "lightning-csv");
  EXPECT_EQ(run.format, "lightning-csv");
  ASSERT_EQ(run.points.size(), 14u);

  const LoggedPoint& first = run.points[0];
  EXPECT_EQ(run.metric(first), "train_acc_step");
  EXPECT_EQ(first.split, Split::train);
  EXPECT_EQ(first.epoch, 0);
  EXPECT_EQ(first.step, 49);
  EXPECT_DOUBLE_EQ(first.value, 0.8125);
  EXPECT_EQ(first.precision.decimals, 4);
  EXPECT_TRUE(first.per_step);
  EXPECT_FALSE(first.running_mean);
  EXPECT_EQ(first.line, 2);

  const LoggedPoint* val_acc = find_point(run, "val/acc", 1);
  ASSERT_NE(val_acc, nullptr);
  EXPECT_EQ(val_acc->split, Split::val);
  EXPECT_FALSE(val_acc->per_step);
  EXPECT_EQ(val_acc->step, 199);
  EXPECT_DOUBLE_EQ(val_acc->value, 0.925);
  EXPECT_EQ(val_acc->line, 7);

  const LoggedPoint* val_loss = find_point(run, "val_loss", 0);
  ASSERT_NE(val_loss, nullptr);
  EXPECT_EQ(val_loss->precision.decimals, 4);  // "0.3120" as printed
  EXPECT_EQ(val_loss->line, 4);

  const LoggedPoint* epoch_loss = find_point(run, "train_loss_epoch", 0);
  ASSERT_NE(epoch_loss, nullptr);
  EXPECT_FALSE(epoch_loss->per_step);
  EXPECT_EQ(epoch_loss->split, Split::train);
  EXPECT_EQ(epoch_loss->line, 5);
}

TEST(LightningCsv, ArbitraryHeaderOrderAndUnsuffixedNames) {
  // Lightning < 2.2 writes keys in first-seen order; "train_loss" logged on_step only.
  const LoggedRun run =
      read_string("train_loss,epoch,step,test_acc\n0.7,0,0,\n,0,9,0.8\n", "lightning-csv", "m.csv");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.metric(run.points[0]), "train_loss");
  EXPECT_TRUE(run.points[0].per_step);
  EXPECT_EQ(run.points[0].step, 0);
  EXPECT_EQ(run.metric(run.points[1]), "test_acc");
  EXPECT_EQ(run.points[1].split, Split::test);
  EXPECT_FALSE(run.points[1].per_step);
  EXPECT_EQ(run.points[1].step, 9);
}

TEST(LightningCsv, RaggedRowIsAnError) {
  const std::string path = fixture("lightning_ragged.csv");
  const std::string msg = input_error([&] { read_text_log(path, "lightning-csv"); });
  EXPECT_EQ(msg, path + ":3: expected 3 fields as in the header, found 4");
}

TEST(LightningCsv, StructuralErrors) {
  std::string msg = input_error([] { read_string("a,b\n1,2\n", "lightning-csv", "x.csv"); });
  EXPECT_EQ(msg,
            "x.csv:1: expected a metrics.csv header with an 'epoch' or 'step' column, found "
            "'a,b'");
  msg = input_error([] { read_string("step,loss,loss\n", "lightning-csv", "d.csv"); });
  EXPECT_EQ(msg, "d.csv:1: duplicated column 'loss' (column 3); expected each metric once");
  msg = input_error([] { read_string("step,loss\r\n0,0.5\r\n1,x\r\n", "lightning-csv", "v.csv"); });
  EXPECT_EQ(msg, "v.csv:3: expected a number or an empty cell in column 'loss', found 'x'");
  msg = input_error([] { read_string("step,epoch,loss\n0,0.5,1\n", "lightning-csv", "f.csv"); });
  EXPECT_EQ(msg, "f.csv:2: expected an integer epoch, found '0.5'");
  msg = input_error([] { read_string("step,loss\n0,0.5\n1,\xc3\n", "lightning-csv", "u.csv"); });
  EXPECT_EQ(msg, "u.csv:3: invalid UTF-8 at byte 3; expected a UTF-8 CSV file");
  msg = input_error([] { read_string("", "lightning-csv", "e.csv"); });
  EXPECT_EQ(msg, "e.csv:1: empty file; expected a metrics.csv header");
}

}  // namespace
}  // namespace metricaudit::audit
