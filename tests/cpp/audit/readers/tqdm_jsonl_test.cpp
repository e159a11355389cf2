// tqdm (Lightning stdout) and jsonl.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::find_point;
using testing::fixture;
using testing::input_error;
using testing::read_string;

TEST(Tqdm, LightningStdoutLastRedrawPerEpoch) {
  const std::string path = fixture("lightning_tqdm.log");
  const LoggedRun run = read_text_log(path, "tqdm");
  EXPECT_EQ(run.format, "tqdm");
  ASSERT_EQ(run.points.size(), 9u);
  EXPECT_TRUE(run.warnings.empty());

  // Epoch 0's last redraw comes after the validation bar (line 11), with val metrics.
  const LoggedPoint& step0 = run.points[0];
  EXPECT_EQ(run.metric(step0), "train_loss_step");
  EXPECT_EQ(step0.epoch, 0);
  EXPECT_DOUBLE_EQ(step0.value, 0.410);
  EXPECT_EQ(step0.precision.decimals, 3);
  EXPECT_TRUE(step0.per_step);
  EXPECT_EQ(step0.split, Split::train);
  EXPECT_EQ(step0.line, 11);
  for (const auto& p : run.points) EXPECT_NE(run.metric(p), "v_num");

  const LoggedPoint* val_acc0 = find_point(run, "val_acc", 0);
  ASSERT_NE(val_acc0, nullptr);
  EXPECT_EQ(val_acc0->split, Split::val);
  EXPECT_FALSE(val_acc0->per_step);
  EXPECT_DOUBLE_EQ(val_acc0->value, 0.901);

  const LoggedPoint* epoch_loss0 = find_point(run, "train_loss_epoch", 0);
  ASSERT_NE(epoch_loss0, nullptr);
  EXPECT_FALSE(epoch_loss0->per_step);
  EXPECT_DOUBLE_EQ(epoch_loss0->value, 0.498);

  // Epoch 1: Lightning pads "12.3" to "12.30": one informative decimal.
  const LoggedPoint* val_loss1 = find_point(run, "val_loss", 1);
  ASSERT_NE(val_loss1, nullptr);
  EXPECT_DOUBLE_EQ(val_loss1->value, 12.3);
  EXPECT_EQ(val_loss1->precision.decimals, 1);
  EXPECT_EQ(val_loss1->line, 11);
  const LoggedPoint* small = find_point(run, "train_loss_epoch", 1);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->precision.decimals, 4);  // "0.0134"
  const LoggedPoint* loss = find_point(run, "loss", 1);
  ASSERT_NE(loss, nullptr);
  EXPECT_DOUBLE_EQ(loss->value, 1.2e-5);
  EXPECT_EQ(loss->precision.significant_digits, 2);
  EXPECT_EQ(loss->precision.decimals, 6);
  EXPECT_TRUE(loss->running_mean);  // Lightning < 2.0's windowed "loss"
}

TEST(Tqdm, CallbackMessagesAreNotBars) {
  const std::string text =
      "Epoch 0: val_loss reached 0.50 (best 0.50), saving model\n"
      "Epoch 0: 100%|##########| 10/10 [00:00<00:00, 99.00it/s, v_num=3, acc=0.500]\n"
      "Epoch 0, global step 10: 'val_loss' reached 0.50000\n";
  const LoggedRun run = read_string(text, "tqdm");
  ASSERT_EQ(run.points.size(), 1u);
  EXPECT_EQ(run.metric(run.points[0]), "acc");
  EXPECT_EQ(run.points[0].line, 2);
  EXPECT_EQ(run.points[0].precision.decimals, 3);
}

TEST(Tqdm, TrailingStderrTextIsAWarning) {
  const std::string text =
      "Epoch 0: 100%|##########| 10/10 [00:00<00:00, 99.00it/s, acc=0.500]/x.py:1: UserWarning: "
      "w\n";
  const LoggedRun run = read_string(text, "tqdm", "w.log");
  ASSERT_EQ(run.points.size(), 1u);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0].rfind("w.log:1: ignored text after the tqdm bar: '/x.py:1:", 0), 0u)
      << run.warnings[0];
}

TEST(Tqdm, TruncatedLastRedrawIsAnError) {
  const std::string path = fixture("tqdm_truncated.log");
  const std::string msg = input_error([&] { read_text_log(path, "tqdm"); });
  EXPECT_EQ(
      msg.rfind(path + ":1: truncated tqdm postfix '[00:02<00:00, 45.10it/s, v_num=0, train_'...; "
                       "expected ']' closing",
                0),
      0u)
      << msg;
}

TEST(Tqdm, NonNumericValueIsAnError) {
  const std::string path = fixture("tqdm_nonnumeric.log");
  const std::string msg = input_error([&] { read_text_log(path, "tqdm"); });
  EXPECT_EQ(msg, path + ":1: expected a number for 'loss' in the tqdm postfix, found 'nope'");
}

TEST(Tqdm, MalformedPostfixItemIsAnError) {
  const std::string msg = input_error([] {
    read_string("Epoch 2: 100%|#| 1/1 [00:00<00:00, 9.00it/s, acc=0.5, junk]\n", "tqdm", "j.log");
  });
  EXPECT_EQ(msg, "j.log:1: malformed tqdm postfix item 'junk'; expected key=value");
}

TEST(Tqdm, NonUtf8InTheLastRedrawIsAnErrorButNotInNoise) {
  const std::string noise =
      "caf\xe9 latin-1 noise\nEpoch 0: 100%|#| 1/1 [00:00<00:00, 9.00it/s, a=0.5]\n";
  EXPECT_EQ(read_string(noise, "tqdm").points.size(), 1u);
  const std::string msg = input_error([] {
    read_string("Epoch 0: 100%|\xff| 1/1 [00:00<00:00, 9.00it/s, a=0.5]\n", "tqdm", "b.log");
  });
  EXPECT_EQ(msg.rfind("b.log:1: invalid UTF-8 at byte 15 of the tqdm bar", 0), 0u) << msg;
}

TEST(Jsonl, ObjectsPerLine) {
  const std::string path = fixture("metrics.jsonl");
  const LoggedRun run = read_text_log(path, "jsonl");
  EXPECT_EQ(run.format, "jsonl");
  ASSERT_EQ(run.points.size(), 9u);

  const LoggedPoint& loss0 = run.points[0];
  EXPECT_EQ(run.metric(loss0), "loss");
  EXPECT_EQ(loss0.split, Split::train);
  EXPECT_EQ(loss0.epoch, 0);
  EXPECT_EQ(loss0.step, 100);
  EXPECT_DOUBLE_EQ(loss0.value, 0.4123);
  EXPECT_EQ(loss0.precision.decimals, 4);
  EXPECT_EQ(loss0.line, 1);
  EXPECT_EQ(loss0.offset, 0);

  const LoggedPoint* val_acc = find_point(run, "val_accuracy", 0);
  ASSERT_NE(val_acc, nullptr);
  EXPECT_EQ(val_acc->split, Split::val);
  EXPECT_EQ(val_acc->precision.decimals, 1);
  EXPECT_EQ(val_acc->line, 3);  // the blank line 2 is skipped but counted

  const LoggedPoint* nested = find_point(run, "val/acc", 1);
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->split, Split::val);
  EXPECT_DOUBLE_EQ(nested->value, 0.91);
  EXPECT_EQ(find_point(run, "lrs", std::nullopt), nullptr);
  EXPECT_EQ(find_point(run, "time", std::nullopt), nullptr);

  const LoggedPoint* exp = find_point(run, "loss", 1);
  ASSERT_NE(exp, nullptr);
  EXPECT_EQ(exp->precision.significant_digits, 2);
  EXPECT_EQ(exp->precision.decimals, 6);

  // json.dumps's NaN, and "split": "test" for names that name no split; CRLF line end.
  const LoggedPoint* nan_loss = find_point(run, "loss", 2);
  ASSERT_NE(nan_loss, nullptr);
  EXPECT_TRUE(std::isnan(nan_loss->value));
  EXPECT_EQ(nan_loss->split, Split::test);
  EXPECT_EQ(nan_loss->line, 5);
  const LoggedPoint* acc2 = find_point(run, "acc", 2);
  ASSERT_NE(acc2, nullptr);
  EXPECT_EQ(acc2->split, Split::test);
  EXPECT_DOUBLE_EQ(acc2->value, 0.5);
}

TEST(Jsonl, IntegersStringsWithNaNAndFractionalEpochs) {
  const LoggedRun run = read_string(
      "{\"note\": \"NaN in text is fine\", \"correct\": 912, \"epoch\": 0.5, \"global_step\": 7}\n",
      "jsonl", "h.jsonl");
  ASSERT_EQ(run.points.size(), 1u);
  EXPECT_EQ(run.metric(run.points[0]), "correct");
  EXPECT_EQ(run.points[0].value, 912.0);
  EXPECT_EQ(run.points[0].precision.decimals, 0);
  EXPECT_FALSE(run.points[0].epoch.has_value());
  EXPECT_EQ(run.points[0].step, 7);
  EXPECT_FALSE(run.points[0].per_step);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0].rfind("h.jsonl:1: a non-integer \"epoch\"", 0), 0u);
}

TEST(Jsonl, SplitKeyAndStepSuffix) {
  const LoggedRun run = read_string(
      "{\"phase\": \"validation\", \"loss\": 0.25, \"train_loss_step\": 0.5, \"step\": 3}\n",
      "jsonl");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.points[0].split, Split::val);
  EXPECT_FALSE(run.points[0].per_step);
  EXPECT_EQ(run.points[1].split, Split::train);  // the name's own word wins over "phase"
  EXPECT_TRUE(run.points[1].per_step);
}

TEST(Jsonl, NonObjectLineIsAnError) {
  const std::string path = fixture("jsonl_notobject.jsonl");
  const std::string msg = input_error([&] { read_text_log(path, "jsonl"); });
  EXPECT_EQ(msg, path +
                     ":2: expected a JSON object per line ({\"epoch\": 0, \"loss\": 0.5}), found "
                     "'[1, 2, 3]'");
  const std::string scalar = input_error([] { read_string("42\n", "jsonl", "s.jsonl"); });
  EXPECT_EQ(scalar.rfind("s.jsonl:1: expected a JSON object per line", 0), 0u) << scalar;
}

TEST(Jsonl, TruncatedLineIsAnError) {
  const std::string path = fixture("jsonl_truncated.jsonl");
  const std::string msg = input_error([&] { read_text_log(path, "jsonl"); });
  EXPECT_EQ(msg.rfind(path + ":2: invalid JSON at byte ", 0), 0u) << msg;
  EXPECT_NE(msg.find("expected one JSON object per line"), std::string::npos) << msg;
}

TEST(Jsonl, NonUtf8AndTrailingGarbageAreErrors) {
  std::string msg =
      input_error([] { read_string("{\"a\": 1}\n{\"b\xff\": 2}\n", "jsonl", "u.jsonl"); });
  EXPECT_EQ(msg, "u.jsonl:2: invalid UTF-8 at byte 4; expected a UTF-8 JSON line");
  msg = input_error([] { read_string("{\"a\": 1} {\"b\": 2}\n", "jsonl", "g.jsonl"); });
  EXPECT_EQ(msg.rfind("g.jsonl:1: invalid JSON", 0), 0u) << msg;
}

}  // namespace
}  // namespace metricaudit::audit
