// keras-progress: Keras 2 and Keras 3 bars captured from stdout.
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

TEST(KerasProgress, Keras2CaptureWithRedrawsAndNoise) {
  const LoggedRun run = read_text_log(fixture("keras2_progress.log"), "keras-progress");
  EXPECT_EQ(run.format, "keras-progress");
  EXPECT_EQ(run.file, fixture("keras2_progress.log"));
  // 3 epochs x 4 metrics + evaluate() x 2.
  ASSERT_EQ(run.points.size(), 14u);

  const LoggedPoint& loss0 = run.points[0];
  EXPECT_EQ(run.metric(loss0), "loss");
  EXPECT_EQ(loss0.split, Split::train);
  EXPECT_EQ(loss0.epoch, 0);
  EXPECT_FALSE(loss0.step.has_value());
  EXPECT_DOUBLE_EQ(loss0.value, 0.2110);  // the final redraw, not 2.3120 / 1.0211 / 0.3010
  EXPECT_EQ(loss0.precision.decimals, 4);
  EXPECT_EQ(loss0.precision.significant_digits, 0);
  EXPECT_TRUE(loss0.running_mean);
  EXPECT_FALSE(loss0.per_step);
  // Line 3 is "Epoch 1/3"; line 4 is cut by the XLA message; the epoch ends on line 5.
  EXPECT_EQ(loss0.line, 5);
  EXPECT_EQ(run.file_of(loss0), fixture("keras2_progress.log"));

  const LoggedPoint* val_acc = find_point(run, "val_accuracy", 0);
  ASSERT_NE(val_acc, nullptr);
  EXPECT_EQ(val_acc->split, Split::val);
  EXPECT_DOUBLE_EQ(val_acc->value, 0.9689);
  EXPECT_FALSE(val_acc->running_mean);
  EXPECT_EQ(val_acc->line, 5);

  const LoggedPoint* acc1 = find_point(run, "accuracy", 1);
  ASSERT_NE(acc1, nullptr);
  EXPECT_DOUBLE_EQ(acc1->value, 0.9740);
  EXPECT_EQ(acc1->line, 8);

  // "%.4e" below 1e-3.
  const LoggedPoint* loss2 = find_point(run, "loss", 2);
  ASSERT_NE(loss2, nullptr);
  EXPECT_DOUBLE_EQ(loss2->value, 9.8765e-04);
  EXPECT_EQ(loss2->precision.significant_digits, 5);
  EXPECT_EQ(loss2->precision.decimals, 8);
  EXPECT_EQ(loss2->line, 10);

  // model.evaluate() after fit: no epoch header, full evaluation.
  const LoggedPoint& eval_loss = run.points[12];
  EXPECT_EQ(run.metric(eval_loss), "loss");
  EXPECT_EQ(eval_loss.split, Split::test);
  EXPECT_FALSE(eval_loss.epoch.has_value());
  EXPECT_FALSE(eval_loss.running_mean);
  EXPECT_DOUBLE_EQ(eval_loss.value, 0.0745);
  EXPECT_EQ(eval_loss.line, 12);
  EXPECT_TRUE(run.warnings.empty());
}

TEST(KerasProgress, Keras3CaptureWithAnsiAndHeavyBar) {
  const LoggedRun run = read_text_log(fixture("keras3_progress.log"), "keras-progress");
  ASSERT_EQ(run.points.size(), 8u);
  // Keras 3 order: accuracy, loss, val_accuracy, val_loss.
  EXPECT_EQ(run.metric(run.points[0]), "accuracy");
  EXPECT_DOUBLE_EQ(run.points[0].value, 0.8566);
  EXPECT_EQ(run.points[0].epoch, 0);
  EXPECT_EQ(run.points[0].split, Split::train);
  EXPECT_TRUE(run.points[0].running_mean);
  EXPECT_EQ(run.points[0].line, 2);
  EXPECT_EQ(run.metric(run.points[3]), "val_loss");
  EXPECT_EQ(run.points[3].split, Split::val);
  EXPECT_DOUBLE_EQ(run.points[3].value, 0.1712);
  EXPECT_EQ(run.metric(run.points[7]), "val_loss");
  EXPECT_EQ(run.points[7].epoch, 1);
  EXPECT_DOUBLE_EQ(run.points[7].value, 0.1185);
  EXPECT_EQ(run.points[7].line, 4);
}

// A real capture (examples/keras3-progress: Keras 3, JAX backend, fit(verbose=1) on a
// pseudo-terminal, "\r\n" after the epoch headers) against the CSVLogger file written by
// the same run: every bar value is the CSV value rounded to 4 decimals.
TEST(KerasProgress, Keras3RealCaptureAgreesWithItsCsvLogger) {
  const LoggedRun bar = read_text_log(fixture("keras3_real_progress.log"), "keras-progress");
  const LoggedRun csv = read_text_log(fixture("keras3_real_csvlogger.csv"), "keras-csv");
  // Epoch 1 draws "22/22" twice: at the last batch, then with the val_ values; one counts.
  ASSERT_EQ(bar.points.size(), 24u);
  ASSERT_EQ(csv.points.size(), 24u);
  EXPECT_TRUE(bar.warnings.empty());
  for (const auto& p : bar.points) {
    const LoggedPoint* c = find_point(csv, bar.metric(p), p.epoch);
    ASSERT_NE(c, nullptr) << bar.metric(p) << " epoch " << *p.epoch;
    EXPECT_NEAR(p.value, c->value, 0.5e-4 + 1e-12) << bar.metric(p) << " epoch " << *p.epoch;
    EXPECT_EQ(p.split, c->split);
    EXPECT_EQ(p.running_mean, c->running_mean);
    EXPECT_EQ(p.precision.decimals, 4);
    EXPECT_EQ(p.line, 2 * *p.epoch + 2);
  }
}

TEST(KerasProgress, Keras3LastBatchBarIsReplacedByTheFinalOne) {
  const std::string bar = "5/5 \xE2\x94\x81\xE2\x94\x81 0s 3ms/step";
  const std::string text = "Epoch 1/1\n\r1/5 \xE2\x94\x81 1s 9ms/step - loss: 0.9000\b\b\b\r" +
                           bar + " - loss: 0.5000\b\b\b\r" + bar +
                           " - loss: 0.5000 - val_loss: 0.4000\n";
  const LoggedRun run = read_string(text, "keras-progress");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.metric(run.points[0]), "loss");
  EXPECT_EQ(run.points[0].epoch, 0);
  EXPECT_EQ(run.metric(run.points[1]), "val_loss");
  EXPECT_EQ(run.points[1].epoch, 0);
}

TEST(KerasProgress, EvaluateWithTheSameStepCountIsNotMergedIntoTheEpoch) {
  const std::string text =
      "Epoch 1/1\n"
      "1/5 [=====>........................] - ETA: 0s - loss: 0.9000\b\b\b\r"
      "5/5 [==============================] - 0s 1ms/step - loss: 0.5000\n"
      "5/5 [==============================] - 0s 1ms/step - loss: 0.4500\n";
  const LoggedRun run = read_string(text, "keras-progress");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.points[0].epoch, 0);
  EXPECT_DOUBLE_EQ(run.points[0].value, 0.5);
  EXPECT_FALSE(run.points[1].epoch.has_value());
  EXPECT_EQ(run.points[1].split, Split::test);
  EXPECT_DOUBLE_EQ(run.points[1].value, 0.45);
}

TEST(KerasProgress, RedrawnBarCutByStderrIsAWarning) {
  const std::string text =
      "Epoch 1/1\n"
      "5/5 [==============================] - 0s 1ms/step - loss: 0.50W0000 warning\n"
      "\b\b\b\r5/5 [==============================] - 0s 1ms/step - loss: 0.5000\b\b\r"
      "5/5 [==============================] - 0s 1ms/step - loss: 0.5000 - val_loss: 0.4\n";
  // The first "5/5" ends its line, so it is strict; make it the redrawn one instead.
  std::string redrawn = text;
  redrawn.replace(redrawn.find("warning\n"), 8, "warning\r");
  const LoggedRun run = read_string(redrawn, "keras-progress", "c.log");
  ASSERT_EQ(run.points.size(), 2u);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0].rfind("c.log:2: skipped a progress bar that was redrawn: expected a "
                                  "number after 'loss: '",
                                  0),
            0u)
      << run.warnings[0];
  const std::string msg = input_error([&] { read_string(text, "keras-progress", "c.log"); });
  EXPECT_EQ(msg, "c.log:2: expected a number after 'loss: ', found '0.50W0000 warning'");
}

TEST(KerasProgress, Verbose2OneLinePerEpoch) {
  const LoggedRun run = read_text_log(fixture("keras2_verbose2.log"), "keras-progress");
  ASSERT_EQ(run.points.size(), 8u);
  EXPECT_EQ(run.metric(run.points[0]), "loss");
  EXPECT_DOUBLE_EQ(run.points[0].value, 0.2961);
  EXPECT_EQ(run.points[0].epoch, 0);
  EXPECT_EQ(run.metric(run.points[7]), "val_accuracy");
  EXPECT_EQ(run.points[7].epoch, 1);
  EXPECT_DOUBLE_EQ(run.points[7].value, 0.9667);
  EXPECT_EQ(run.points[7].line, 4);
}

TEST(KerasProgress, Keras3Verbose2AndUnknownTarget) {
  const std::string text =
      "Epoch 1/1\n"
      "     12/Unknown 3s 20ms/step - loss: 0.9000\r"
      "469/469 - 3s - 6ms/step - accuracy: 0.8566 - loss: 0.4882\n";
  const LoggedRun run = read_string(text, "keras-progress");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.metric(run.points[1]), "loss");
  EXPECT_DOUBLE_EQ(run.points[1].value, 0.4882);
  EXPECT_EQ(run.points[1].line, 2);
}

TEST(KerasProgress, KeepRedrawsGivesPerStepRunningMeans) {
  TextLogOptions options;
  options.keep_redraws = true;
  const LoggedRun run = read_text_log(fixture("keras2_progress.log"), "keras-progress", options);
  std::size_t per_step = 0;
  for (const auto& p : run.points) per_step += p.per_step ? 1 : 0;
  // Epoch 1: redraws at 32 and 1000 (the one at step 1 is cut by the XLA message);
  // epochs 2 and 3: the redraw at step 1. Two metrics each.
  EXPECT_EQ(per_step, 8u);
  const LoggedPoint* first = nullptr;
  for (const auto& p : run.points)
    if (p.per_step && run.metric(p) == "loss") {
      first = &p;
      break;
    }
  ASSERT_NE(first, nullptr);
  EXPECT_DOUBLE_EQ(first->value, 1.0211);
  EXPECT_EQ(first->step, 32);
  EXPECT_EQ(first->epoch, 0);
  EXPECT_TRUE(first->running_mean);
  // The cut redraw is a warning, not an error.
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(
      run.warnings[0].rfind(fixture("keras2_progress.log") + ":4: skipped an intermediate", 0), 0u)
      << run.warnings[0];
  // The epoch-3 redraw: global step = epoch * target + current.
  const LoggedPoint* e2 = nullptr;
  for (const auto& p : run.points)
    if (p.per_step && p.epoch == 2) e2 = &p;
  ASSERT_NE(e2, nullptr);
  EXPECT_EQ(e2->step, 2 * 1875 + 1);
}

TEST(KerasProgress, NoiseLinesAreSkipped) {
  const std::string text =
      "WARNING:tensorflow:From train.py:12: The name tf.Session is deprecated.\n"
      "2024/01/05 12:00:00 some logger line\n"
      "Epoch 1: val_loss improved from inf to 0.5\n"
      "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0001.\n"
      "12 things happened\n"
      "Epoch 1/1\n"
      "10/10 [==============================] - 0s 1ms/step - loss: 0.5000 - val_loss: 0.6000\n"
      "Epoch 1: early stopping\n";
  const LoggedRun run = read_string(text, "keras-progress");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.metric(run.points[1]), "val_loss");
  EXPECT_EQ(run.points[1].line, 7);
}

TEST(KerasProgress, WindowsLineEnds) {
  const std::string text =
      "Epoch 1/2\r\n"
      "10/10 [==============================] - 0s 1ms/step - loss: 0.5000\r\n"
      "Epoch 2/2\r\n"
      " 1/10 [==>...........................] - ETA: 0s - loss: 0.4500\r"
      "10/10 [==============================] - 0s 1ms/step - loss: 0.4000\r\n";
  const LoggedRun run = read_string(text, "keras-progress");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_DOUBLE_EQ(run.points[1].value, 0.4);
  EXPECT_EQ(run.points[1].epoch, 1);
  EXPECT_EQ(run.points[1].line, 4);
}

TEST(KerasProgress, InterruptedEpochAndRestartAreWarnings) {
  const std::string text =
      "Epoch 1/3\n"
      "10/10 [==============================] - 0s 1ms/step - loss: 0.5000\n"
      "Epoch 2/3\n"
      " 3/10 [=======>......................] - ETA: 0s - loss: 0.4500\n"
      "Epoch 1/2\n"
      "10/10 [==============================] - 0s 1ms/step - loss: 0.3000\n";
  const LoggedRun run = read_string(text, "keras-progress", "run.log");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.points[1].epoch, 0);
  ASSERT_EQ(run.warnings.size(), 2u);
  EXPECT_EQ(run.warnings[0],
            "run.log:3: epoch 2 has no final progress bar (training interrupted?)");
  EXPECT_EQ(run.warnings[1], "run.log:5: epoch numbering restarts at 1 (a second fit() call?)");
}

TEST(KerasProgress, NanAndNegativeValuesAndArrayMetrics) {
  const std::string text =
      "Epoch 1/1\n"
      "10/10 [==============================] - 0s 1ms/step - loss: nan - score: -0.2500 - f1: "
      "[0.9 0.8] - acc: 0.1000\n";
  const LoggedRun run = read_string(text, "keras-progress", "a.log");
  ASSERT_EQ(run.points.size(), 3u);
  EXPECT_TRUE(std::isnan(run.points[0].value));
  EXPECT_DOUBLE_EQ(run.points[1].value, -0.25);
  EXPECT_EQ(run.metric(run.points[2]), "acc");
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0], "a.log:2: skipped the non-scalar value of 'f1'");
}

TEST(KerasProgress, NonUtf8InAFinalBarIsAnErrorButNotInNoise) {
  const std::string noise =
      "\xff\xfe garbage from a binary dump\nEpoch 1/1\n"
      "10/10 [==============================] - 0s 1ms/step - loss: 0.5000\n";
  EXPECT_EQ(read_string(noise, "keras-progress").points.size(), 1u);
  const std::string msg = input_error([] {
    read_string("Epoch 1/1\n10/10 [=====\xff=====] - 0s 1ms/step - loss: 0.5000\n",
                "keras-progress", "u.log");
  });
  EXPECT_EQ(msg.rfind("u.log:2: invalid UTF-8 at byte 13 of the progress bar", 0), 0u) << msg;
}

TEST(KerasProgress, TruncatedFinalBarIsAnError) {
  const std::string path = fixture("keras_truncated.log");
  const std::string msg = input_error([&] { read_text_log(path, "keras-progress"); });
  EXPECT_EQ(
      msg.rfind(path + ":2: truncated or malformed metric 'accur'; expected ' - name: value'", 0),
      0u)
      << msg;
}

TEST(KerasProgress, TruncatedBarBracketIsAnError) {
  const std::string msg =
      input_error([] { read_string("Epoch 1/1\n10/10 [=========", "keras-progress", "t.log"); });
  EXPECT_EQ(msg.rfind("t.log:2: truncated progress bar '[=========';", 0), 0u) << msg;
}

TEST(KerasProgress, NonNumericValueIsAnError) {
  const std::string path = fixture("keras_nonnumeric.log");
  const std::string msg = input_error([&] { read_text_log(path, "keras-progress"); });
  EXPECT_EQ(msg, path + ":3: expected a number after 'accuracy: ', found '0.98x5'");
}

TEST(KerasProgress, MalformedEpochHeaderIsAnError) {
  const std::string path = fixture("keras_bad_header.log");
  const std::string msg = input_error([&] { read_text_log(path, "keras-progress"); });
  EXPECT_EQ(msg, path + ":3: malformed epoch header 'Epoch 2/'; expected 'Epoch k/n' with k >= 1");
  const std::string zero =
      input_error([] { read_string("Epoch 0/3\n", "keras-progress", "z.log"); });
  EXPECT_EQ(zero.rfind("z.log:1: malformed epoch header 'Epoch 0/3'", 0), 0u) << zero;
}

TEST(KerasProgress, EmptyInputGivesNoPoints) {
  const LoggedRun run = read_string("", "keras-progress");
  EXPECT_TRUE(run.points.empty());
}

}  // namespace
}  // namespace metricaudit::audit
