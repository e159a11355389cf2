// The TensorBoard reader on what Keras 3's TensorBoard callback (tensorflow 2.21) and
// Lightning's TensorBoardLogger (lightning 2.2.5) write (tests/data/logs/keras_tensorboard
// and tests/data/logs/lightning/tensorboard, generate.py beside each), and on events built
// here with the reader's own protocol buffers: plugins, Keras' epoch_/batch_/evaluation_
// tags, Lightning's "epoch" scalar.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "metricaudit/audit/tensorboard_reader.hpp"
#include "proto/tensorboard_subset.pb.h"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

namespace fs = std::filesystem;
using Value = metricaudit::tbproto::Summary::Value;

std::string log_fixture(const std::string& rel) {
  return std::string(METRICAUDIT_LOG_FIXTURES) + "/" + rel;
}

// The one event file in `folder`.
std::string event_file(const std::string& folder) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(log_fixture(folder))) {
    if (e.path().filename().string().starts_with("events.out.tfevents")) {
      found.push_back(e.path().string());
    }
  }
  EXPECT_EQ(found.size(), 1u) << folder;
  return found.empty() ? std::string() : found.front();
}

std::vector<const LoggedPoint*> points_of(const LoggedRun& run, std::string_view metric) {
  std::vector<const LoggedPoint*> out;
  for (const LoggedPoint& p : run.points) {
    if (run.metric(p) == metric) out.push_back(&p);
  }
  return out;
}

// ---- events built here, framed as RecordWriter frames them ---------------------------

void append_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void append_record(std::string& out, const std::string& data) {
  std::string length;
  append_le(length, data.size(), 8);
  out += length;
  append_le(out, detail::masked_crc32c(std::as_bytes(std::span(length))), 4);
  out += data;
  append_le(out, detail::masked_crc32c(std::as_bytes(std::span(data))), 4);
}

class EventFile {
 public:
  EventFile() {
    metricaudit::tbproto::Event version;
    version.set_file_version("brain.Event:2");
    append_record(bytes_, version.SerializeAsString());
  }
  /// A torch-style simple_value scalar.
  EventFile& simple(std::int64_t step, const std::string& tag, float v) {
    Value* value = event(step);
    value->set_tag(tag);
    value->set_simple_value(v);
    return flush();
  }
  /// A TF2-style rank-0 DT_FLOAT tensor, with `plugin` in its metadata when not empty.
  EventFile& tensor(std::int64_t step, const std::string& tag, float v,
                    const std::string& plugin = "scalars") {
    Value* value = event(step);
    value->set_tag(tag);
    if (!plugin.empty()) value->mutable_metadata()->mutable_plugin_data()->set_plugin_name(plugin);
    value->mutable_tensor()->set_dtype(1);
    value->mutable_tensor()->add_float_val(v);
    return flush();
  }
  LoggedRun read(const std::string& name = "logs/events.out.tfevents.x") const {
    return parse_tensorboard(std::as_bytes(std::span(bytes_)), name);
  }

 private:
  Value* event(std::int64_t step) {
    pending_.Clear();
    pending_.set_step(step);
    return pending_.mutable_summary()->add_value();
  }
  EventFile& flush() {
    append_record(bytes_, pending_.SerializeAsString());
    return *this;
  }
  std::string bytes_;
  metricaudit::tbproto::Event pending_;
};

// ---- Keras 3 ----------------------------------------------------------------------------

TEST(TensorBoardKeras, TheCallbacksTrainFolder) {
  const std::string f = event_file("keras_tensorboard/run/logs/train");
  const LoggedRun run = read_tensorboard(f);
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
  // epoch_accuracy, epoch_loss, epoch_learning_rate at epochs 0 and 1; the model's
  // graph_keras_model string tensor is not a scalar.
  ASSERT_EQ(run.points.size(), 6u);
  for (const LoggedPoint& p : run.points) {
    EXPECT_TRUE(run.metric(p).starts_with("epoch_")) << run.metric(p);
    EXPECT_EQ(p.split, Split::train) << run.metric(p);
    EXPECT_EQ(p.epoch, p.step) << run.metric(p);
    EXPECT_TRUE(p.running_mean) << run.metric(p);  // Keras' History: running means
    EXPECT_FALSE(p.per_step) << run.metric(p);
    EXPECT_EQ(p.precision.kind, Precision::Kind::float32);
  }
  EXPECT_EQ(points_of(run, "epoch_loss").size(), 2u);
  EXPECT_EQ(points_of(run, "epoch_accuracy")[1]->epoch, 1);
}

TEST(TensorBoardKeras, TheCallbacksValidationFolder) {
  const std::string f = event_file("keras_tensorboard/run/logs/validation");
  const LoggedRun run = read_tensorboard(f);
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
  // epoch_accuracy, epoch_loss at step = epoch; evaluation_<name>_vs_iterations at the
  // optimizer's iterations (4 batches of 16 per epoch), each the epoch it closes.
  ASSERT_EQ(run.points.size(), 8u);
  for (const LoggedPoint& p : run.points) {
    EXPECT_EQ(p.split, Split::val) << run.metric(p);  // from the folder: the tags name no split
    EXPECT_FALSE(p.running_mean) << run.metric(p);
    EXPECT_FALSE(p.per_step) << run.metric(p);
  }
  const auto loss = points_of(run, "epoch_loss");
  const auto eval_loss = points_of(run, "evaluation_loss_vs_iterations");
  ASSERT_EQ(loss.size(), 2u);
  ASSERT_EQ(eval_loss.size(), 2u);
  for (std::size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(loss[e]->epoch, static_cast<std::int64_t>(e));
    EXPECT_EQ(eval_loss[e]->epoch, static_cast<std::int64_t>(e));
    EXPECT_EQ(eval_loss[e]->step, 4 * static_cast<std::int64_t>(e + 1));
    EXPECT_EQ(eval_loss[e]->value, loss[e]->value);  // one evaluation, logged twice
  }
}

TEST(TensorBoardKeras, BatchAndEvaluationValuesTakeTheNextEpoch) {
  const LoggedRun run = EventFile()
                            .tensor(1, "batch_loss", 0.9f)
                            .tensor(2, "batch_loss", 0.8f)
                            .tensor(0, "epoch_loss", 0.85f)
                            .tensor(3, "batch_loss", 0.7f)
                            .tensor(1, "epoch_loss", 0.7f)
                            .tensor(4, "evaluation_loss_vs_iterations", 0.6f)  // evaluate()
                            .simple(7, "epoch_loss", 0.5f)  // torch's add_scalar: no epoch
                            .read("logs/train/events.out.tfevents.x");
  ASSERT_EQ(run.points.size(), 7u);
  const std::vector<std::optional<std::int64_t>> epochs = {0,           0, 0, 1, 1, std::nullopt,
                                                           std::nullopt};
  for (std::size_t i = 0; i < epochs.size(); ++i) {
    EXPECT_EQ(run.points[i].epoch, epochs[i]) << i << " " << run.metric(run.points[i]);
  }
  EXPECT_TRUE(run.points[0].per_step);
  EXPECT_TRUE(run.points[0].running_mean);
  EXPECT_FALSE(run.points[2].per_step);
  EXPECT_FALSE(run.points[6].running_mean);
}

// ---- Lightning --------------------------------------------------------------------------

TEST(TensorBoardLightning, TheEpochScalarPlacesTheSteps) {
  const std::string f = event_file("lightning/tensorboard/lightning_logs/version_0");
  const LoggedRun run = read_tensorboard(f);
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
  EXPECT_TRUE(points_of(run, "epoch").empty());  // consumed: it places the others
  // hp_metric, 8 training steps, 2 epochs of train_loss_epoch, val_loss, val_acc; the
  // hparams plugin's summaries hold no scalar.
  ASSERT_EQ(run.points.size(), 1u + 8u + 3 * 2u);
  for (const LoggedPoint* p : points_of(run, "train_loss_step")) {
    EXPECT_EQ(p->epoch, *p->step < 4 ? 0 : 1) << "step " << *p->step;
    EXPECT_TRUE(p->per_step);
    EXPECT_EQ(p->split, Split::train);
  }
  for (const char* name : {"train_loss_epoch", "val_loss", "val_acc"}) {
    const auto pts = points_of(run, name);
    ASSERT_EQ(pts.size(), 2u) << name;
    EXPECT_EQ(pts[0]->epoch, 0) << name;
    EXPECT_EQ(pts[0]->step, 3) << name;
    EXPECT_EQ(pts[1]->epoch, 1) << name;
    EXPECT_EQ(pts[1]->step, 7) << name;
    EXPECT_FALSE(pts[1]->per_step) << name;
  }
  EXPECT_EQ(points_of(run, "val_acc")[0]->split, Split::val);
  EXPECT_EQ(points_of(run, "val_acc")[0]->value, 0.25);
}

TEST(TensorBoardLightning, TheNextEpochValueAtTheSameStepWins) {
  // Two logging calls at one step, each writing its metrics and then its epoch.
  const LoggedRun run = EventFile()
                            .simple(5, "train_loss_step", 0.5f)
                            .simple(5, "epoch", 0.0f)
                            .simple(5, "val_acc", 0.7f)
                            .simple(5, "epoch", 1.0f)
                            .simple(9, "val_acc", 0.8f)  // no epoch logged at step 9
                            .read();
  ASSERT_EQ(run.points.size(), 3u);
  EXPECT_EQ(run.points[0].epoch, 0);
  EXPECT_EQ(run.points[1].epoch, 1);
  EXPECT_FALSE(run.points[2].epoch.has_value());
}

TEST(TensorBoardLightning, AnEpochSeriesOfNonIndicesIsLeftAlone) {
  const LoggedRun run =
      EventFile().simple(5, "loss", 0.5f).simple(5, "epoch", 0.5f).read("events.out.tfevents.x");
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_FALSE(run.points[0].epoch.has_value());
  EXPECT_EQ(run.metric(run.points[1]), "epoch");
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0], "events.out.tfevents.x@" + std::to_string(run.points[1].offset) +
                                 ": an 'epoch' value that is not a whole number >= 0; values are "
                                 "left without epochs");
}

// ---- plugins ----------------------------------------------------------------------------

TEST(TensorBoardPlugins, OnlyScalarsPluginTensorsAreScalars) {
  const LoggedRun run = EventFile()
                            .tensor(0, "acc", 0.5f)            // scalars, with metadata
                            .tensor(1, "acc", 0.6f, "")        // its later values carry none
                            .tensor(0, "hp", 1.0f, "hparams")  // another plugin's tensor
                            .tensor(1, "hp", 2.0f, "")         // ... and its later values
                            .tensor(0, "custom", 3.0f, "")     // no plugin ever: read
                            .read();
  ASSERT_EQ(run.points.size(), 3u);
  EXPECT_EQ(run.metric(run.points[0]), "acc");
  EXPECT_EQ(run.metric(run.points[1]), "acc");
  EXPECT_EQ(run.points[1].value, 0.6f);
  EXPECT_EQ(run.metric(run.points[2]), "custom");
  EXPECT_TRUE(run.warnings.empty());
}

TEST(TensorBoardSplits, EvalAndFolderWords) {
  // Hugging Face's TensorBoard callback writes "eval/accuracy"; a tag's word wins over
  // the folder's.
  const LoggedRun run = EventFile()
                            .simple(8, "eval/accuracy", 0.5f)
                            .simple(8, "train/loss", 1.0f)
                            .simple(8, "loss", 1.0f)
                            .read("logs/validation/events.out.tfevents.x");
  ASSERT_EQ(run.points.size(), 3u);
  EXPECT_EQ(run.points[0].split, Split::val);
  EXPECT_EQ(run.points[1].split, Split::train);
  EXPECT_EQ(run.points[2].split, Split::val);
  EXPECT_EQ(split_from_tag("eval_f1"), "val");
}

// LoggedIndex keeps INT64_MIN for "no step" (logged_series.hpp), so an event at that
// step cannot be stored as read: it is refused with the file and offset, while the next
// step up and other negative steps read as they are.
TEST(TensorBoardSteps, TheStepThatMeansNoneIsRefused) {
  constexpr std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  const LoggedRun run = EventFile().simple(lowest + 1, "acc", 0.5f).simple(-1, "acc", 0.25f).read();
  ASSERT_EQ(run.points.size(), 2u);
  EXPECT_EQ(run.points[0].step, lowest + 1);
  EXPECT_EQ(run.points[1].step, -1);

  const EventFile bad = EventFile().simple(3, "acc", 0.5f).simple(lowest, "acc", 0.25f);
  const std::string message = testing::input_error_of([&] { bad.read(); });
  EXPECT_TRUE(message.starts_with("logs/events.out.tfevents.x@")) << message;
  EXPECT_TRUE(message.ends_with(": the step -9223372036854775808 is out of range")) << message;
}

}  // namespace
}  // namespace metricaudit::audit
