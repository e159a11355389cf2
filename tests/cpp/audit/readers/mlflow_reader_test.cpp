// The MLflow file store reader (audit/readers/mlflow_reader.cpp) on stores mlflow 3.17.2
// wrote: a training loop's log_metric calls (tests/data/logs/mlflow, generate.py there)
// and Lightning's MLFlowLogger (tests/data/logs/lightning/mlflow, generate.py there); and
// on malformed metric lines.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "metricaudit/audit/log_formats.hpp"
#include "mlflow_store.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

namespace fs = std::filesystem;
using testing::fixture;
using testing::input_error;

const char* const kLoopRun =
    "mlflow/run/mlruns/366414188266125326/1b6b96782cc449fbb0716866ee51c9b9";
const char* const kLightningRun =
    "lightning/mlflow/mlruns/537600018731312353/946c272ca64e4c8c9eba4a455bcf5de9";

std::vector<const LoggedPoint*> points_of(const LoggedRun& run, std::string_view metric) {
  std::vector<const LoggedPoint*> out;
  for (const LoggedPoint& p : run.points) {
    if (run.metric(p) == metric) out.push_back(&p);
  }
  return out;
}

TEST(Mlflow, DetectsAStoreAnExperimentAndARun) {
  const fs::path run = fixture(kLoopRun);
  EXPECT_EQ(detect_log_format(run), "mlflow");
  EXPECT_EQ(detect_log_format(run.parent_path()), "mlflow");                // experiment
  EXPECT_EQ(detect_log_format(run.parent_path().parent_path()), "mlflow");  // mlruns/
  // The folder holding mlruns/ is a run directory, not a store: the walk finds mlruns/.
  EXPECT_THROW(detect_log_format(run.parent_path().parent_path().parent_path()), InputError);
  EXPECT_THROW(detect_log_format(run / "metrics"), InputError);
}

TEST(Mlflow, ReadsTheRealStoreOfALoggingLoop) {
  const fs::path store = fs::path(fixture(kLoopRun)).parent_path().parent_path();
  const std::vector<LoggedRun> runs = read_log(store);
  ASSERT_EQ(runs.size(), 1u);  // experiment 0 (Default) holds no run
  const LoggedRun& run = runs[0];
  EXPECT_EQ(run.format, "mlflow");
  EXPECT_EQ(run.file, fixture(kLoopRun));
  EXPECT_EQ(run.name, "two-epochs");
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
  // loss, accuracy, val_loss, val_accuracy at steps 0 and 1; val/f1 at step 1.
  ASSERT_EQ(run.points.size(), 9u);
  for (const LoggedPoint& p : run.points) {
    EXPECT_FALSE(p.epoch.has_value()) << run.metric(p);  // no "epoch" metric: step-indexed
    EXPECT_FALSE(p.per_step) << run.metric(p);
    EXPECT_EQ(run.file_of(p), (fs::path(run.file) / "metrics" / run.metric(p)).string());
    EXPECT_EQ(p.line, *p.step + (run.metric(p) == "val/f1" ? 0 : 1));
  }
  const auto val_loss = points_of(run, "val_loss");
  ASSERT_EQ(val_loss.size(), 2u);
  EXPECT_EQ(val_loss[0]->split, Split::val);
  EXPECT_EQ(val_loss[0]->step, 0);
  EXPECT_DOUBLE_EQ(val_loss[0]->value, 1.1);
  EXPECT_EQ(val_loss[1]->step, 1);
  EXPECT_DOUBLE_EQ(val_loss[1]->value, 0.95);
  EXPECT_EQ(val_loss[1]->precision.decimals, 2);
  EXPECT_EQ(val_loss[1]->offset, 20);  // "1796052365439 1.1 0\n" before it
  EXPECT_EQ(points_of(run, "loss")[0]->split, Split::train);
  const auto f1 = points_of(run, "val/f1");  // a key with '/' lives in a subfolder
  ASSERT_EQ(f1.size(), 1u);
  EXPECT_EQ(f1[0]->split, Split::val);
  EXPECT_EQ(f1[0]->step, 1);
}

TEST(Mlflow, LightningsEpochMetricPlacesTheSteps) {
  const std::vector<LoggedRun> runs = read_log(fixture(kLightningRun));
  ASSERT_EQ(runs.size(), 1u);
  const LoggedRun& run = runs[0];
  EXPECT_EQ(run.name, "lightning-two-epochs");
  EXPECT_TRUE(points_of(run, "epoch").empty());  // consumed: it places the others
  // 8 training steps, 2 epochs of train_loss_epoch, val_loss, val_acc.
  ASSERT_EQ(run.points.size(), 8u + 3 * 2u);
  for (const LoggedPoint* p : points_of(run, "train_loss_step")) {
    EXPECT_EQ(p->epoch, *p->step < 4 ? 0 : 1) << "step " << *p->step;
    EXPECT_TRUE(p->per_step);
  }
  for (const char* name : {"train_loss_epoch", "val_loss", "val_acc"}) {
    const auto pts = points_of(run, name);
    ASSERT_EQ(pts.size(), 2u) << name;
    EXPECT_EQ(pts[0]->epoch, 0) << name;
    EXPECT_EQ(pts[0]->step, 3) << name;
    EXPECT_EQ(pts[1]->epoch, 1) << name;
    EXPECT_EQ(pts[1]->step, 7) << name;
    EXPECT_FALSE(pts[0]->per_step) << name;
  }
  EXPECT_EQ(points_of(run, "val_acc")[0]->split, Split::val);
  EXPECT_EQ(points_of(run, "train_loss_epoch")[0]->split, Split::train);
}

TEST(Mlflow, MetricLines) {
  const auto read = [](const std::string& text) {
    std::istringstream in(text);
    return detail::read_mlflow_metric(in, "loss", "metrics/loss", {});
  };
  const auto m = read(
      "1700000000000 0.5 3\n\n1700000000001 nan 4\n1700000000002 1e-05\n"
      "1700000000003 0.25 5 ds digest\n");
  ASSERT_EQ(m.values.size(), 4u);
  EXPECT_EQ(m.values[0].step, 3);
  EXPECT_EQ(m.values[0].timestamp, 1700000000000);
  EXPECT_TRUE(std::isnan(m.values[1].number.value));
  EXPECT_EQ(m.values[1].line, 3);  // the blank line is skipped, and counted
  EXPECT_EQ(m.values[2].step, 0);  // two fields: step 0, as MLflow reads them
  EXPECT_DOUBLE_EQ(m.values[2].number.value, 1e-5);
  EXPECT_EQ(m.values[3].step, 5);  // five: a dataset's name and digest follow
  EXPECT_EQ(input_error([&] { read("1700000000000 0.5 3 x\n"); }),
            "metrics/loss:1: 4 fields; expected 'timestamp value step' (an MLflow metric line), "
            "found '1700000000000 0.5 3 x'");
  EXPECT_EQ(input_error([&] { read("1 0.5 0\n1700000000000 abc 3\n"); }),
            "metrics/loss:2: the value 'abc' is not a number");
  EXPECT_EQ(input_error([&] { read("1700000000000 0.5 3.5\n"); }),
            "metrics/loss:1: the step '3.5' is not a whole number");
  EXPECT_EQ(input_error([&] { read("now 0.5 3\n"); }),
            "metrics/loss:1: the timestamp 'now' is not a whole number of milliseconds");
  EXPECT_EQ(input_error([&] { read("1700000000000  0.5 3\n"); }),  // two spaces: 4 fields
            "metrics/loss:1: 4 fields; expected 'timestamp value step' (an MLflow metric line), "
            "found '1700000000000  0.5 3'");
}

TEST(Mlflow, MalformedMetricFiles) {
  // tests/data/logs/mlflow/malformed: what mlflow 3.17.2's own _get_metric_from_line
  // refuses is refused, naming the file and line.
  const auto read = [](const char* name) {
    const std::string path = fixture(std::string("mlflow/malformed/") + name);
    std::ifstream in(path);
    return detail::read_mlflow_metric(in, name, path, {});
  };
  const std::string dir = fixture("mlflow/malformed/");
  EXPECT_EQ(input_error([&] { read("four_fields"); }),
            dir +
                "four_fields:2: 4 fields; expected 'timestamp value step' (an MLflow metric "
                "line), found '1796052365461 0.625 1 extra'");
  EXPECT_EQ(input_error([&] { read("not_a_number"); }),
            dir + "not_a_number:2: the value 'n/a' is not a number");
  EXPECT_EQ(input_error([&] { read("fractional_step"); }),
            dir + "fractional_step:1: the step '0.5' is not a whole number");
  const auto tolerated = read("tolerated");
  ASSERT_EQ(tolerated.values.size(), 3u);
  EXPECT_EQ(tolerated.values[1].step, 1);
  EXPECT_EQ(tolerated.values[1].line, 3);
  EXPECT_TRUE(std::isnan(tolerated.values[2].number.value));
  EXPECT_EQ(tolerated.values[2].step, 0);
}

TEST(Mlflow, MetaValues) {
  const std::string meta =
      "artifact_uri: file:///x\nrun_name: 'it''s: a run'\nlifecycle_stage: active\n"
      "long: a folded\n  scalar over\n  lines\nsource_name: ''\n";
  EXPECT_EQ(detail::mlflow_meta_value(meta, "run_name"), "it's: a run");
  EXPECT_EQ(detail::mlflow_meta_value(meta, "lifecycle_stage"), "active");
  EXPECT_EQ(detail::mlflow_meta_value(meta, "long"), "a folded scalar over lines");
  EXPECT_EQ(detail::mlflow_meta_value(meta, "source_name"), "");
  EXPECT_FALSE(detail::mlflow_meta_value(meta, "run").has_value());  // a prefix is not a key
  EXPECT_EQ(detail::mlflow_meta_value("run_name: \"a \\\"b\\\"\"\n", "run_name"), "a \"b\"");
}

TEST(Mlflow, DeletedRunsAndBadEpochsAreSaid) {
  const metricaudit::testing::ScratchDir dir;
  const fs::path store = dir / "mlruns";
  fs::create_directories(store);
  fs::copy(fs::path(fixture(kLightningRun)).parent_path(), store / "1",
           fs::copy_options::recursive);
  const fs::path run = store / "1" / "946c272ca64e4c8c9eba4a455bcf5de9";
  // A second run, deleted.
  fs::copy(run, store / "1" / "deleted", fs::copy_options::recursive);
  {
    std::ofstream meta(store / "1" / "deleted" / "meta.yaml");
    meta << "run_name: gone\nlifecycle_stage: deleted\n";
  }
  // An epoch value that is no epoch index leaves the values without epochs.
  {
    std::ofstream epoch(run / "metrics" / "epoch", std::ios::app);
    epoch << "1796055478250 1.5 8\n";
  }
  const std::vector<LoggedRun> runs = read_log(store);
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_EQ(runs[0].warnings.size(), 2u);
  EXPECT_EQ(runs[0].warnings[0], (store / "1" / "deleted").string() +
                                     ": skipped: a deleted MLflow run (lifecycle_stage: deleted)");
  EXPECT_EQ(runs[0].warnings[1],
            (run / "metrics" / "epoch").string() +
                ":13: an epoch value that is not a whole number >= 0; the run's values are left "
                "without epochs");
  EXPECT_EQ(points_of(runs[0], "epoch").size(), 13u);  // kept as values, not consumed
  for (const LoggedPoint& p : runs[0].points)
    EXPECT_FALSE(p.epoch.has_value()) << runs[0].metric(p);

  // A bad line names its metric file.
  {
    std::ofstream loss(run / "metrics" / "val_loss", std::ios::app);
    loss << "garbage\n";
  }
  EXPECT_EQ(input_error([&] { read_log(store); }),
            (run / "metrics" / "val_loss").string() +
                ":3: 1 fields; expected 'timestamp value step' (an MLflow metric line), found "
                "'garbage'");
}

TEST(Mlflow, AStoreWithoutRunsGivesNothing) {
  const metricaudit::testing::ScratchDir dir;
  fs::create_directories(dir / "mlruns" / "0");
  std::ofstream(dir / "mlruns" / "0" / "meta.yaml") << "name: Default\n";
  // Not a store to detection (no run), and nothing when named.
  EXPECT_THROW(detect_log_format(dir / "mlruns"), InputError);
  const std::vector<LoggedRun> runs = read_log(dir / "mlruns", "mlflow");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(runs[0].points.empty());
  EXPECT_EQ(runs[0].warnings, std::vector<std::string>{(dir / "mlruns").string() +
                                                       ": no MLflow run with metrics in it"});
}

}  // namespace
}  // namespace metricaudit::audit
