// detect_log_format and read_text_log(path, "auto").
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include "metricaudit/audit/tensorboard_reader.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::fixture;
using testing::input_error;

TEST(DetectFormat, EveryFixture) {
  EXPECT_EQ(detect_log_format(fixture("keras2_progress.log")), "keras-progress");
  EXPECT_EQ(detect_log_format(fixture("keras3_progress.log")), "keras-progress");
  EXPECT_EQ(detect_log_format(fixture("keras2_verbose2.log")), "keras-progress");
  EXPECT_EQ(detect_log_format(fixture("keras_csvlogger.csv")), "keras-csv");
  EXPECT_EQ(detect_log_format(fixture("keras_csvlogger_semicolon.csv")), "keras-csv");
  EXPECT_EQ(detect_log_format(fixture("lightning_metrics.csv")), "lightning-csv");
  EXPECT_EQ(detect_log_format(fixture("lightning_tqdm.log")), "tqdm");
  EXPECT_EQ(detect_log_format(fixture("metrics.jsonl")), "jsonl");
}

TEST(DetectFormat, FromContent) {
  EXPECT_EQ(detect_log_format("epoch\tacc\tloss\n0\t0.5\t1\n", "x"), "keras-csv");
  EXPECT_EQ(detect_log_format("epoch\n0\n", "x"), "keras-csv");
  EXPECT_EQ(detect_log_format("\"epoch\",\"loss\"\n", "x"), "keras-csv");
  // Lightning: a step column, *_step/*_epoch names, or "epoch" not first.
  EXPECT_EQ(detect_log_format("train_loss,epoch,step\n", "x"), "lightning-csv");
  EXPECT_EQ(detect_log_format("epoch,loss_step,loss_epoch\n", "x"), "lightning-csv");
  EXPECT_EQ(detect_log_format("acc,epoch\n", "x"), "lightning-csv");
  EXPECT_EQ(detect_log_format("\n\n  {\"epoch\": 0}\n", "x"), "jsonl");
  // Keras 3 bar with no header (evaluate only), and a bar after banner noise.
  EXPECT_EQ(
      detect_log_format("banner\n313/313 \xE2\x94\x81\xE2\x94\x81 1s 2ms/step - loss: 0.1\n", "x"),
      "keras-progress");
  EXPECT_EQ(
      detect_log_format("Using TensorFlow backend.\n  1/100 [>....] - ETA: 3s - loss: 1\r", "x"),
      "keras-progress");
  EXPECT_EQ(
      detect_log_format("GPU available: True\nEpoch 0:   0%|          | 0/5 [00:00<?, ?it/s]", "x"),
      "tqdm");
  // A dated log line is not a bar; a callback's "Epoch 1:" message is not tqdm.
  const std::string msg = input_error(
      [] { detect_log_format("2024/01/05 started\nEpoch 1: saving model\n", "odd.txt"); });
  EXPECT_EQ(msg.rfind("odd.txt:1: cannot tell the log format from the first 41 bytes; expected", 0),
            0u)
      << msg;
}

TEST(DetectFormat, TensorBoardByNameOrRecordHeader) {
  EXPECT_EQ(detect_log_format("", "runs/exp/events.out.tfevents.1700000000.host.1.0"),
            "tensorboard");
  // A TFRecord header: uint64 length 24, then the masked CRC-32C of those 8 bytes.
  std::string head(8, '\0');
  head[0] = 24;
  const std::uint32_t masked =
      detail::masked_crc32c(std::as_bytes(std::span(head.data(), std::size_t{8})));
  for (int i = 0; i < 4; ++i) head.push_back(static_cast<char>((masked >> (8 * i)) & 0xFF));
  head += "payload";
  EXPECT_EQ(detect_log_format(head, "renamed.bin"), "tensorboard");
  head[8] = static_cast<char>(head[8] ^ 1);  // a wrong CRC is not a TFRecord
  EXPECT_THROW(detect_log_format(head, "renamed.bin"), InputError);
}

TEST(DetectFormat, EmptyAndMissingFiles) {
  const std::string path = fixture("empty.log");
  std::string msg = input_error([&] { detect_log_format(path); });
  EXPECT_EQ(msg, path + ":1: empty file; expected a training log");
  msg = input_error([&] { read_text_log(path); });
  EXPECT_EQ(msg, path + ":1: empty file; expected a training log");
  const std::string missing = fixture("no_such_file.log");
  msg = input_error([&] { detect_log_format(missing); });
  EXPECT_EQ(msg.rfind(missing + ":1: cannot open the file", 0), 0u) << msg;
  msg = input_error([&] { read_text_log(missing, "jsonl"); });
  EXPECT_EQ(msg.rfind(missing + ":1: cannot open the file", 0), 0u) << msg;
}

TEST(ReadTextLog, AutoDetectsAndReads) {
  const LoggedRun keras = read_text_log(fixture("keras3_progress.log"));
  EXPECT_EQ(keras.format, "keras-progress");
  EXPECT_EQ(keras.points.size(), 8u);
  const LoggedRun tqdm = read_text_log(fixture("lightning_tqdm.log"), "auto");
  EXPECT_EQ(tqdm.format, "tqdm");
  EXPECT_EQ(tqdm.points.size(), 9u);
  std::ifstream in(fixture("lightning_metrics.csv"), std::ios::binary);
  const LoggedRun csv = read_text_log(in, "metrics.csv", "auto");
  EXPECT_EQ(csv.format, "lightning-csv");
  EXPECT_EQ(csv.points.size(), 14u);
  EXPECT_EQ(csv.file_of(csv.points[0]), "metrics.csv");
}

TEST(ReadTextLog, FormatArgumentErrors) {
  EXPECT_THROW(read_text_log(fixture("metrics.jsonl"), "yaml"), InvalidArgument);
  try {
    read_text_log(fixture("metrics.jsonl"), "tensorboard");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("read_tensorboard"), std::string::npos) << e.what();
  }
  // Auto-detected TensorBoard files are handed back the same way.
  const metricaudit::testing::ScratchDir dir;
  const auto tb = dir / "events.out.tfevents.1.host";
  std::ofstream(tb) << "x";
  EXPECT_THROW(read_text_log(tb), InvalidArgument);
}

}  // namespace
}  // namespace metricaudit::audit
