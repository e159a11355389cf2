// Whole runs as `metricaudit audit RUN_DIR` reads them (run_audit): the real fixture runs
// in tests/data/logs (Hugging Face Trainer, MLflow, Keras 3's TensorBoard callback,
// Lightning's TensorBoardLogger and MLFlowLogger, each with the evaluations' dumps where
// the run saved them), the walk of a run directory (audit/src/inputs.cpp): which files
// and folders it reads, and each format's files that hold no metric value, refused by the
// command (exit 2) naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "metricaudit/audit/audit.hpp"
#include "metricaudit/error.hpp"
#include "scratch_dir.hpp"

namespace metricaudit::audit {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& rel) {
  return std::string(METRICAUDIT_LOG_FIXTURES) + "/" + rel;
}

AuditReport audit(const fs::path& path, const std::string& log_format = "auto") {
  AuditOptions options;
  options.path = path;
  options.log_format = log_format;
  return run_audit(options);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Every recomputed point is explained by the convention its name implies.
void expect_all_explained(const AuditReport& r) {
  for (const PointResult& p : r.points) {
    EXPECT_NE(std::find(p.explained_by.begin(), p.explained_by.end(), p.expected_id),
              p.explained_by.end())
        << p.metric << " epoch " << p.point.epoch.value_or(-1) << ": logged " << p.point.value
        << ", " << p.expected_id << " = " << p.expected.value_or(-1);
  }
}

// (metric, split, epoch) of the recomputed points, in report order.
std::vector<std::string> recomputed(const AuditReport& r) {
  std::vector<std::string> out;
  for (const PointResult& p : r.points) {
    out.push_back(p.metric + "/" + std::string(split_name(p.point.split)) + "/" +
                  std::to_string(p.point.epoch.value_or(-1)) + " <- " +
                  fs::path(p.dump).filename().string());
  }
  return out;
}

TEST(FixtureRuns, HuggingFaceTrainerOutputFolder) {
  const AuditReport r = audit(fixture("hf/run"));
  // The run's own state and all_results.json; the checkpoint copies and the per-split
  // results files are held in full by those two.
  EXPECT_EQ(r.logs, (std::vector<std::string>{fixture("hf/run/trainer_state.json"),
                                              fixture("hf/run/all_results.json")}));
  EXPECT_EQ(r.log_formats, (std::vector<std::string>{"hf-trainer", "hf-results"}));
  EXPECT_TRUE(r.warnings.empty()) << joined(r.warnings);
  EXPECT_EQ(r.predictions, fixture("hf/run/predictions"));
  // Both evaluations, each recomputed from the logits the evaluation saw (epoch 1.0 ->
  // val_epoch0.npz), the accuracy as micro accuracy, the loss as cross-entropy on logits.
  EXPECT_EQ(recomputed(r), (std::vector<std::string>{
                               "eval_accuracy/val/0 <- val_epoch0.npz",
                               "eval_loss/val/0 <- val_epoch0.npz",
                               "eval_accuracy/val/1 <- val_epoch1.npz",
                               "eval_loss/val/1 <- val_epoch1.npz",
                           }));
  expect_all_explained(r);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.exit_status(), 0);
}

TEST(FixtureRuns, MlflowStoreInARunDirectory) {
  const AuditReport r = audit(fixture("mlflow/run"));
  ASSERT_EQ(r.logs.size(), 1u);
  EXPECT_EQ(r.log_formats, std::vector<std::string>{"mlflow"});
  EXPECT_EQ(fs::path(r.logs[0]).parent_path().parent_path(),
            fs::path(fixture("mlflow/run/mlruns")));
  EXPECT_TRUE(r.warnings.empty()) << joined(r.warnings);
  EXPECT_TRUE(r.points.empty());  // no dumps: the log-only rules ran
  EXPECT_EQ(r.exit_status(), 0);
  // The store itself, an experiment and a run read the same.
  EXPECT_EQ(audit(fixture("mlflow/run/mlruns")).logs, r.logs);
  EXPECT_EQ(audit(r.logs[0]).logs, r.logs);
}

TEST(FixtureRuns, LightningMlflowRunWithDumps) {
  const AuditReport r = audit(fixture("lightning/mlflow"));
  EXPECT_EQ(r.log_formats, std::vector<std::string>{"mlflow"});
  EXPECT_TRUE(r.warnings.empty()) << joined(r.warnings);
  EXPECT_EQ(recomputed(r), (std::vector<std::string>{
                               "val_acc/val/0 <- val_epoch0.npz",
                               "val_acc/val/1 <- val_epoch1.npz",
                               "val_loss/val/0 <- val_epoch0.npz",
                               "val_loss/val/1 <- val_epoch1.npz",
                           }));
  expect_all_explained(r);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.exit_status(), 0);
}

TEST(FixtureRuns, LightningTensorBoardRunWithDumps) {
  const AuditReport r = audit(fixture("lightning/tensorboard"));
  ASSERT_EQ(r.logs.size(), 1u);
  EXPECT_EQ(fs::path(r.logs[0]).parent_path().filename(), "version_0");
  EXPECT_EQ(r.log_formats, std::vector<std::string>{"tensorboard"});
  EXPECT_TRUE(r.warnings.empty()) << joined(r.warnings);
  EXPECT_EQ(recomputed(r), (std::vector<std::string>{
                               "val_loss/val/0 <- val_epoch0.npz",
                               "val_acc/val/0 <- val_epoch0.npz",
                               "val_loss/val/1 <- val_epoch1.npz",
                               "val_acc/val/1 <- val_epoch1.npz",
                           }));
  expect_all_explained(r);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.exit_status(), 0);
}

TEST(FixtureRuns, KerasTensorBoardCallbackRunWithDumps) {
  const AuditReport r = audit(fixture("keras_tensorboard/run"));
  ASSERT_EQ(r.logs.size(), 2u);
  EXPECT_EQ(fs::path(r.logs[0]).parent_path().filename(), "train");
  EXPECT_EQ(fs::path(r.logs[1]).parent_path().filename(), "validation");
  EXPECT_TRUE(r.warnings.empty()) << joined(r.warnings);
  // The validation folder's values, from the probabilities the model output; the
  // training folder's running means have no dump.
  EXPECT_EQ(recomputed(r), (std::vector<std::string>{
                               "evaluation_accuracy_vs_iterations/val/0 <- val_epoch0.npz",
                               "evaluation_loss_vs_iterations/val/0 <- val_epoch0.npz",
                               "epoch_accuracy/val/0 <- val_epoch0.npz",
                               "epoch_loss/val/0 <- val_epoch0.npz",
                               "evaluation_accuracy_vs_iterations/val/1 <- val_epoch1.npz",
                               "evaluation_loss_vs_iterations/val/1 <- val_epoch1.npz",
                               "epoch_accuracy/val/1 <- val_epoch1.npz",
                               "epoch_loss/val/1 <- val_epoch1.npz",
                           }));
  expect_all_explained(r);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "LG005");  // a note: the training values are running means
  EXPECT_EQ(r.exit_status(), 0);
}

// ---- the walk ---------------------------------------------------------------------------

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

void copy_dir(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy(from, to, fs::copy_options::recursive);
}

const std::string kCsv = "epoch,accuracy,loss\n0,0.5,1.0\n1,0.6,0.9\n";

TEST(RunDirectoryWalk, FourFoldersDeepAndNotIntoHiddenOnes) {
  const metricaudit::testing::ScratchDir dir;
  // TensorFlow's tutorial layout: logs/fit/<time>/train/events...
  copy_dir(fixture("keras_tensorboard/run/logs/train"), dir / "logs/fit/20240101-120000/train");
  write(dir / "a/b/c/d/e/deep.csv", kCsv);  // five folders down: not read
  write(dir / ".venv/lib/log.csv", kCsv);   // hidden folders hold no logs
  write(dir / "__pycache__/x.csv", kCsv);
  const AuditReport r = audit(dir.path());
  ASSERT_EQ(r.logs.size(), 1u);
  EXPECT_EQ(fs::path(r.logs[0]).parent_path(), dir / "logs/fit/20240101-120000/train");
}

TEST(RunDirectoryWalk, JsonFilesOnlyByName) {
  const metricaudit::testing::ScratchDir dir;
  // A model config and a tokenizer are JSON too: never logs.
  write(dir / "config.json", "{\"hidden_size\": 16, \"num_labels\": 4}\n");
  write(dir / "metrics.csv", kCsv);
  fs::copy_file(fixture("hf/run/trainer_state.json"), dir / "trainer_state.json");
  const AuditReport r = audit(dir.path());
  EXPECT_EQ(r.log_formats, (std::vector<std::string>{"keras-csv", "hf-trainer"}));
  EXPECT_TRUE(r.warnings.empty()) << joined(r.warnings);
}

TEST(RunDirectoryWalk, SavedModelsAreNotLogs) {
  const metricaudit::testing::ScratchDir dir;
  // A Hugging Face checkpoint as the Trainer saves it beside its state, and the model
  // files Keras, Lightning and TensorFlow save: not logs, and no warning about them.
  copy_dir(fixture("hf/run/checkpoint-8"), dir / "checkpoint-8");
  const std::string bytes("\x80\x02\x00\x01binary\xff", 11);
  for (const char* name : {"model.safetensors", "training_args.bin", "rng_state.pth",
                           "optimizer.pt", "scheduler.pt"}) {
    write(dir / "checkpoint-8" / name, bytes);
  }
  for (const char* name :
       {"model.keras", "weights.h5", "saved_model/saved_model.pb",
        "lightning_logs/version_0/checkpoints/epoch=1-step=8.ckpt", "model.onnx", "history.pkl"}) {
    write(dir / name, bytes);
  }
  const AuditReport r = audit(dir.path());
  EXPECT_EQ(r.logs, std::vector<std::string>{(dir / "checkpoint-8/trainer_state.json").string()});
  EXPECT_TRUE(r.warnings.empty()) << joined(r.warnings);
}

TEST(RunDirectoryWalk, TheNewestTrainerStateOfEachRun) {
  const metricaudit::testing::ScratchDir dir;
  // Checkpoints only: the highest step's copy is the run's state; eval_results.json alone
  // (no all_results.json) is read.
  copy_dir(fixture("hf/run/checkpoint-8"), dir / "checkpoint-8");
  copy_dir(fixture("hf/run/checkpoint-16"), dir / "checkpoint-16");
  fs::copy_file(fixture("hf/run/eval_results.json"), dir / "eval_results.json");
  const AuditReport r = audit(dir.path());
  EXPECT_EQ(r.logs, (std::vector<std::string>{(dir / "checkpoint-16/trainer_state.json").string(),
                                              (dir / "eval_results.json").string()}));
  // Named on its own, or its folder walked alone, a copy is read.
  EXPECT_EQ(audit(dir / "checkpoint-8/trainer_state.json").log_formats,
            std::vector<std::string>{"hf-trainer"});
  EXPECT_EQ(audit(dir / "checkpoint-8").logs,
            std::vector<std::string>{(dir / "checkpoint-8/trainer_state.json").string()});
}

TEST(RunDirectoryWalk, ANamedFormatReadsOnlyItsFiles) {
  const metricaudit::testing::ScratchDir dir;
  copy_dir(fixture("hf/run"), dir / "run");
  copy_dir(fixture("mlflow/run/mlruns"), dir / "run/mlruns");
  // --log-format hf-trainer: the state; not the results files, not the MLflow store.
  const AuditReport r = audit(dir / "run", "hf-trainer");
  EXPECT_EQ(r.logs, std::vector<std::string>{(dir / "run/trainer_state.json").string()});
  // --log-format mlflow: the store, found in the folder holding it or named.
  EXPECT_EQ(audit(dir / "run", "mlflow").logs, audit(dir / "run/mlruns", "mlflow").logs);
  EXPECT_EQ(audit(dir / "run", "mlflow").log_formats, std::vector<std::string>{"mlflow"});
  // ... and nothing else: a folder without one is an input error.
  EXPECT_THROW(audit(dir / "run/checkpoint-8", "mlflow"), InputError);
  // auto: all three kinds.
  EXPECT_EQ(audit(dir / "run").log_formats,
            (std::vector<std::string>{"hf-trainer", "hf-results", "mlflow"}));
}

// ---- nothing read ------------------------------------------------------------------------
// A log of each format as its library leaves it when no metric was logged: the command
// exits 2 naming the file and what it holds, never "0 findings".

// Whether the command refuses `path` with exit 2, nothing on stdout, and a message that
// starts with the log it read nothing from and the format it read it as.
::testing::AssertionResult nothing_read(const fs::path& path, const fs::path& log,
                                        const std::string& format) {
  const testing::CliResult r = testing::run_cli({"audit", path.string()});
  const std::string expected =
      "metricaudit: error: " + log.string() + ": no metric value read from it as " + format + " (";
  if (r.status != 2) return ::testing::AssertionFailure() << "exit " << r.status << ": " << r.err;
  if (!r.out.empty()) return ::testing::AssertionFailure() << "stdout: " << r.out;
  if (r.err.rfind(expected, 0) != 0) {
    return ::testing::AssertionFailure()
           << "stderr: " << r.err << "\nexpected it to start: " << expected;
  }
  return ::testing::AssertionSuccess();
}

// The first record of a real event file: the file_version event ("brain.Event:2") that
// a summary writer writes when it opens, all a run that logged no scalar leaves. A
// TFRecord is an 8-byte length, its 4-byte CRC, the data and the data's 4-byte CRC.
void copy_first_record(const fs::path& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  unsigned char length[8] = {};
  in.read(reinterpret_cast<char*>(length), 8);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | length[i];
  ASSERT_LT(n, 1024u) << from;
  in.seekg(0);
  std::string record(16 + n, '\0');
  in.read(record.data(), static_cast<std::streamsize>(record.size()));
  ASSERT_TRUE(in) << from;
  write(to, record);
}

fs::path only_file(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find("tfevents") != std::string::npos) files.push_back(e);
  }
  EXPECT_EQ(files.size(), 1u) << dir;
  return files.empty() ? dir : files[0];
}

TEST(NothingRead, ATrainerStateBeforeItsFirstLog) {
  const metricaudit::testing::ScratchDir dir;
  const fs::path state = dir / "run/trainer_state.json";
  fs::create_directories(state.parent_path());
  fs::copy_file(fixture("hf/malformed/empty_log_history_trainer_state.json"), state);
  EXPECT_TRUE(nothing_read(dir / "run", state, "hf-trainer"));
  EXPECT_TRUE(nothing_read(state, state, "hf-trainer"));
  // Renamed, it is still told by its content.
  EXPECT_TRUE(nothing_read(fixture("hf/malformed/empty_log_history_trainer_state.json"),
                           fixture("hf/malformed/empty_log_history_trainer_state.json"),
                           "hf-trainer"));
}

TEST(NothingRead, TheResultsOfAnEvaluationWithoutLabels) {
  const metricaudit::testing::ScratchDir dir;
  const fs::path results = dir / "run/eval_results.json";
  fs::create_directories(results.parent_path());
  fs::copy_file(fixture("hf/malformed/unlabelled_eval_results.json"), results);
  EXPECT_TRUE(nothing_read(dir / "run", results, "hf-results"));
  EXPECT_TRUE(nothing_read(results, results, "hf-results"));
}

TEST(NothingRead, AnMlflowStoreWhoseRunsLoggedNoMetric) {
  const metricaudit::testing::ScratchDir dir;
  copy_dir(fixture("mlflow/run/mlruns"), dir / "run/mlruns");
  // The run as mlflow.start_run() leaves it before any log_metric: meta.yaml, params,
  // tags and an empty metrics/ folder.
  std::vector<fs::path> metrics;
  for (const auto& e : fs::recursive_directory_iterator(dir / "run/mlruns")) {
    if (e.is_directory() && e.path().filename() == "metrics") metrics.push_back(e.path());
  }
  ASSERT_FALSE(metrics.empty());
  for (const fs::path& m : metrics) {
    fs::remove_all(m);
    fs::create_directory(m);
  }
  EXPECT_TRUE(nothing_read(dir / "run", dir / "run/mlruns", "mlflow"));
  EXPECT_TRUE(nothing_read(dir / "run/mlruns", dir / "run/mlruns", "mlflow"));
  const testing::CliResult r = testing::run_cli({"audit", (dir / "run").string()});
  EXPECT_NE(r.err.find("(a directory holding "), std::string::npos) << r.err;
}

TEST(NothingRead, TensorBoardFilesWithoutAScalar) {
  const metricaudit::testing::ScratchDir dir;
  // Keras' callback: train/ and validation/ folders, both empty of scalars.
  for (const char* split : {"train", "validation"}) {
    const fs::path from = only_file(fixture(std::string("keras_tensorboard/run/logs/") + split));
    copy_first_record(from, dir / "keras/logs" / split / from.filename());
  }
  const fs::path keras_train =
      dir / "keras/logs/train" / only_file(fixture("keras_tensorboard/run/logs/train")).filename();
  EXPECT_TRUE(nothing_read(dir / "keras", keras_train, "tensorboard"));
  EXPECT_TRUE(nothing_read(keras_train, keras_train, "tensorboard"));
  const testing::CliResult r = testing::run_cli({"audit", (dir / "keras").string()});
  EXPECT_NE(r.err.find("(and 1 more logs that gave nothing)"), std::string::npos) << r.err;
  // Lightning's TensorBoardLogger: lightning_logs/version_0 with its hparams.yaml.
  const fs::path version = fixture("lightning/tensorboard/lightning_logs/version_0");
  const fs::path events =
      dir / "lightning/lightning_logs/version_0" / only_file(version).filename();
  copy_first_record(only_file(version), events);
  fs::copy_file(version / "hparams.yaml", events.parent_path() / "hparams.yaml");
  EXPECT_TRUE(nothing_read(dir / "lightning", events, "tensorboard"));
}

}  // namespace
}  // namespace metricaudit::audit
