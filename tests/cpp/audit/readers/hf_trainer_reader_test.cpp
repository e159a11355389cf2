// The Hugging Face readers (audit/readers/hf_trainer_reader.cpp) on the files transformers
// 4.46.3 wrote (tests/data/logs/hf/run, generate.py there) and on their malformed variants
// (tests/data/logs/hf/malformed, make_malformed.py there).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "metricaudit/audit/log_formats.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

namespace fs = std::filesystem;
using testing::find_point;
using testing::fixture;
using testing::input_error;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const LoggedPoint* at_step(const LoggedRun& run, std::string_view metric, std::int64_t step) {
  for (const LoggedPoint& p : run.points) {
    if (run.metric(p) == metric && p.step == step) return &p;
  }
  return nullptr;
}

LoggedRun read_one(const std::string& path, std::string_view format = "auto") {
  std::vector<LoggedRun> runs = read_log(path, format);
  EXPECT_EQ(runs.size(), 1u);
  return runs.empty() ? LoggedRun{} : std::move(runs.front());
}

TEST(HfTrainer, DetectsTheTrainerFilesByName) {
  EXPECT_EQ(detect_log_format(fixture("hf/run/trainer_state.json")), "hf-trainer");
  EXPECT_EQ(detect_log_format(fixture("hf/run/checkpoint-8/trainer_state.json")), "hf-trainer");
  EXPECT_EQ(detect_log_format(fixture("hf/run/all_results.json")), "hf-results");
  EXPECT_EQ(detect_log_format(fixture("hf/run/eval_results.json")), "hf-results");
  // A renamed state is still told from JSON lines by its "log_history" (both start "{").
  EXPECT_EQ(detect_log_format(fixture("hf/malformed/epoch_string_trainer_state.json")),
            "hf-trainer");
  EXPECT_EQ(detect_log_format("{\n  \"log_history\": []\n}\n", "state.json"), "hf-trainer");
  EXPECT_EQ(detect_log_format("{\"epoch\": 0, \"loss\": 1}\n", "metrics.json"), "jsonl");
}

TEST(HfTrainer, ReadsEveryRecordOfTheRealState) {
  const std::string path = fixture("hf/run/trainer_state.json");
  const LoggedRun run = read_one(path);
  EXPECT_EQ(run.format, "hf-trainer");
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
  // 5 training records (loss, learning_rate, grad_norm), 2 evaluations (eval_accuracy,
  // eval_loss; runtimes and rates are the Trainer's bookkeeping), the training summary
  // (train_loss; total_flos and rates skipped).
  EXPECT_EQ(run.points.size(), 5u * 3 + 2u * 2 + 1u);
  const std::vector<std::string> lines = lines_of(path);
  for (const LoggedPoint& p : run.points) {
    ASSERT_GE(p.line, 1);
    ASSERT_LE(p.line, static_cast<std::int64_t>(lines.size()));
    EXPECT_NE(lines[static_cast<std::size_t>(p.line - 1)].find("\"" + run.metric(p) + "\""),
              std::string::npos)
        << run.metric(p) << " is not on line " << p.line;
    EXPECT_EQ(run.file_of(p), path);
  }

  // An evaluation at epoch 1.0 is the end of epoch 0; at 2.0, of epoch 1.
  const LoggedPoint* acc0 = at_step(run, "eval_accuracy", 8);
  ASSERT_NE(acc0, nullptr);
  EXPECT_EQ(acc0->split, Split::val);
  EXPECT_EQ(acc0->epoch, 0);
  EXPECT_FALSE(acc0->per_step);
  EXPECT_DOUBLE_EQ(acc0->value, 0.2);
  const LoggedPoint* loss1 = at_step(run, "eval_loss", 16);
  ASSERT_NE(loss1, nullptr);
  EXPECT_EQ(loss1->epoch, 1);
  EXPECT_DOUBLE_EQ(loss1->value, 1.380530595779419);
  EXPECT_EQ(loss1->precision.kind, Precision::Kind::decimal);
  EXPECT_EQ(loss1->precision.decimals, 15);  // as json.dumps printed it

  // Training values: the epoch they fall in (0.375 -> 0, 1.125 -> 1), per step; the loss
  // as the Trainer rounded it (4 decimals).
  const LoggedPoint* early = at_step(run, "loss", 3);
  ASSERT_NE(early, nullptr);
  EXPECT_EQ(early->split, Split::train);
  EXPECT_EQ(early->epoch, 0);
  EXPECT_TRUE(early->per_step);
  EXPECT_EQ(early->precision.decimals, 4);
  EXPECT_EQ(at_step(run, "loss", 9)->epoch, 1);
  EXPECT_EQ(at_step(run, "learning_rate", 15)->epoch, 1);
  EXPECT_EQ(at_step(run, "grad_norm", 6)->split, Split::train);

  // The summary's train_loss is a mean over the whole training: no epoch.
  const LoggedPoint* summary = find_point(run, "train_loss", std::nullopt);
  ASSERT_NE(summary, nullptr);
  EXPECT_FALSE(summary->epoch.has_value());
  EXPECT_EQ(summary->step, 16);
  for (std::string_view skipped : {"eval_runtime", "eval_samples_per_second", "total_flos",
                                   "train_runtime", "epoch", "step"}) {
    EXPECT_EQ(find_point(run, skipped, std::nullopt), nullptr) << skipped;
  }
}

TEST(HfTrainer, ACheckpointCopyIsReadWhenNamedAndSupersededInAWalk) {
  const LoggedRun copy = read_one(fixture("hf/run/checkpoint-8/trainer_state.json"));
  // The state at step 8: two training records and the first evaluation.
  EXPECT_EQ(copy.points.size(), 2u * 3 + 2u);
  EXPECT_EQ(at_step(copy, "eval_accuracy", 8)->epoch, 0);

  const auto* row = find_log_format("hf-trainer");
  ASSERT_NE(row->superseded, nullptr);
  const fs::path run = fixture("hf/run");
  EXPECT_TRUE(row->superseded(run / "checkpoint-8/trainer_state.json", run));
  EXPECT_TRUE(row->superseded(run / "checkpoint-16/trainer_state.json", run));
  EXPECT_FALSE(row->superseded(run / "trainer_state.json", run));
  // A walk of one checkpoint's folder reads its state: the run's is outside the walk.
  EXPECT_FALSE(row->superseded(run / "checkpoint-8/trainer_state.json", run / "checkpoint-8"));
  EXPECT_TRUE(row->superseded(run / "checkpoint-8/trainer_state.json", run.parent_path()));

  // Without the run's own state, the highest checkpoint is the newest.
  const metricaudit::testing::ScratchDir dir;
  for (const char* step : {"checkpoint-8", "checkpoint-16", "checkpoint-100"}) {
    std::filesystem::create_directories(dir / step);
    std::filesystem::copy_file(fixture("hf/run/checkpoint-8/trainer_state.json"),
                               dir / step / "trainer_state.json");
  }
  std::filesystem::create_directories(dir / "checkpoint-999");  // no state in it
  EXPECT_TRUE(row->superseded(dir / "checkpoint-8" / "trainer_state.json", dir.path()));
  EXPECT_TRUE(row->superseded(dir / "checkpoint-16" / "trainer_state.json", dir.path()));
  EXPECT_FALSE(row->superseded(dir / "checkpoint-100" / "trainer_state.json", dir.path()));
}

TEST(HfResults, TheFinalEvaluationHasNoEpoch) {
  const std::string path = fixture("hf/run/all_results.json");
  const LoggedRun run = read_one(path);
  EXPECT_EQ(run.format, "hf-results");
  ASSERT_EQ(run.points.size(), 3u);  // eval_accuracy, eval_loss, train_loss
  for (const LoggedPoint& p : run.points) {
    EXPECT_FALSE(p.epoch.has_value()) << run.metric(p);
    EXPECT_FALSE(p.step.has_value()) << run.metric(p);
    EXPECT_FALSE(p.per_step) << run.metric(p);
  }
  EXPECT_EQ(find_point(run, "eval_accuracy", std::nullopt)->split, Split::val);
  EXPECT_EQ(find_point(run, "train_loss", std::nullopt)->split, Split::train);
  EXPECT_DOUBLE_EQ(find_point(run, "eval_loss", std::nullopt)->value, 1.380530595779419);
  EXPECT_EQ(find_point(run, "eval_loss", std::nullopt)->line, 4);

  const auto* row = find_log_format("hf-results");
  ASSERT_NE(row->superseded, nullptr);
  const fs::path folder = fixture("hf/run");
  EXPECT_TRUE(row->superseded(folder / "eval_results.json", folder));
  EXPECT_TRUE(row->superseded(folder / "train_results.json", folder));
  EXPECT_FALSE(row->superseded(path, folder));
}

TEST(HfResults, NamesWithoutASplitWordTakeTheFiles) {
  const metricaudit::testing::ScratchDir dir;
  std::ofstream(dir / "eval_results.json") << "{\n    \"accuracy\": 0.5,\n    \"epoch\": 2.0\n}";
  const LoggedRun run = read_one((dir / "eval_results.json").string());
  ASSERT_EQ(run.points.size(), 1u);
  EXPECT_EQ(run.points[0].split, Split::val);
  EXPECT_EQ(run.points[0].line, 2);
  EXPECT_EQ(run.points[0].offset, 2);
}

TEST(HfTrainer, MalformedStatesNameTheFileLineAndPointer) {
  const auto error = [](const char* name) {
    const std::string path = fixture(std::string("hf/malformed/") + name);
    return std::pair(path, input_error([&] { read_log(path, "hf-trainer"); }));
  };
  {
    const auto [path, e] = error("truncated_trainer_state.json");
    EXPECT_EQ(e.rfind(path + ":28: invalid JSON (parse error at line 28, column 7: ", 0), 0u) << e;
  }
  {
    const auto [path, e] = error("no_log_history_trainer_state.json");
    EXPECT_EQ(e, path +
                     ":1: no \"log_history\" array at the top level; expected a Hugging Face "
                     "trainer_state.json");
  }
  {
    const auto [path, e] = error("log_history_object_trainer_state.json");
    EXPECT_EQ(e, path + ":10: /log_history: expected an array of records, found an object");
  }
  {
    const auto [path, e] = error("record_not_object_trainer_state.json");
    EXPECT_EQ(e, path + ":18: /log_history/1: expected an object (a log record), found a number");
  }
  {
    const auto [path, e] = error("epoch_string_trainer_state.json");
    EXPECT_EQ(e.find(": /log_history/2/epoch: expected a number, found a string"), path.size() + 3)
        << e;
  }
  {
    const auto [path, e] = error("epoch_negative_trainer_state.json");
    EXPECT_NE(e.find("/log_history/2/epoch: expected an epoch >= 0"), std::string::npos) << e;
  }
  {
    const auto [path, e] = error("step_fractional_trainer_state.json");
    EXPECT_NE(e.find("/log_history/0/step: expected a whole step >= 0"), std::string::npos) << e;
  }
  const std::string list = fixture("hf/malformed/list_eval_results.json");
  EXPECT_EQ(input_error([&] { read_log(list); }),
            list + ":1: expected a JSON object at the top level, found an array");
  EXPECT_EQ(input_error([&] { read_log(fixture("hf/run/all_results.json"), "hf-trainer"); }),
            fixture("hf/run/all_results.json") +
                ":1: no \"log_history\" array at the top level; expected a Hugging Face "
                "trainer_state.json");
}

TEST(HfTrainer, NanAndNonNumbersAsPythonWritesThem) {
  const LoggedRun nan = read_one(fixture("hf/malformed/nan_loss_trainer_state.json"), "hf-trainer");
  const LoggedPoint* loss = at_step(nan, "eval_loss", 8);
  ASSERT_NE(loss, nullptr);
  EXPECT_TRUE(std::isnan(loss->value));
  EXPECT_EQ(loss->line, 28);  // the rewrite of NaN keeps the lines

  const std::string path = fixture("hf/malformed/string_metric_trainer_state.json");
  const LoggedRun text = read_one(path, "hf-trainer");
  EXPECT_EQ(text.points.size(), 5u * 3 + 2u * 2 + 1u);  // the string is not a point
  ASSERT_EQ(text.warnings.size(), 1u);
  EXPECT_NE(text.warnings[0].find("skipped /log_history/2/eval_report: a string, not a number"),
            std::string::npos)
      << text.warnings[0];
}

TEST(HfTrainer, EpochsOfEvaluationsBetweenEpochs) {
  // eval_strategy="steps": an evaluation inside epoch 1 (at 1.5) is per_step there; a
  // record before any step (epoch 0.0) is in epoch 0.
  const std::string state =
      "{\n\"log_history\": [\n"
      "{\"epoch\": 0.0, \"eval_accuracy\": 0.25, \"step\": 0},\n"
      "{\"epoch\": 1.5, \"eval_accuracy\": 0.5, \"step\": 12},\n"
      "{\"epoch\": 2.0, \"eval_accuracy\": 0.75, \"step\": 16},\n"
      "{\"eval_accuracy\": 0.8, \"step\": 16}\n"
      "]\n}\n";
  const LoggedRun run = testing::read_string(state, "hf-trainer", "state.json");
  ASSERT_EQ(run.points.size(), 4u);
  EXPECT_EQ(run.points[0].epoch, 0);
  EXPECT_TRUE(run.points[0].per_step);
  EXPECT_EQ(run.points[1].epoch, 1);
  EXPECT_TRUE(run.points[1].per_step);
  EXPECT_EQ(run.points[2].epoch, 1);
  EXPECT_FALSE(run.points[2].per_step);
  EXPECT_FALSE(run.points[3].epoch.has_value());  // evaluate() before training: no epoch
  EXPECT_EQ(run.points[3].line, 6);
}

}  // namespace
}  // namespace metricaudit::audit
