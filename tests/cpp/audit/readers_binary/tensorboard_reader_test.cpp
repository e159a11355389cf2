// The TensorBoard reader against event files written by PyTorch's SummaryWriter and by
// TensorBoard's own EventFileWriter (TF2-style tensor_content scalars), and against
// hand-framed malformed files (tests/data/binary/generate.py). Expected CRC values were
// computed with TensorBoard's own masked_crc32c (tensorboard.compat.tensorflow_stub).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <span>

#include "metricaudit/audit/tensorboard_reader.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::as_span;
using testing::data;
using testing::file_bytes;
using testing::input_error_of;

TEST(Crc32c, KnownAnswers) {
  // RFC 3720 B.4 check value, and TensorBoard's masked_crc32c(b"abc") = 569464686.
  EXPECT_EQ(detail::crc32c(as_span("123456789")), 0xE3069283u);
  EXPECT_EQ(detail::masked_crc32c(as_span("abc")), 569464686u);
}

TEST(SplitFromTag, WordsNameTheSplit) {
  EXPECT_EQ(split_from_tag("val/acc"), "val");
  EXPECT_EQ(split_from_tag("val_loss"), "val");
  EXPECT_EQ(split_from_tag("validation/epoch_loss"), "val");
  EXPECT_EQ(split_from_tag("Validation Accuracy"), "val");
  EXPECT_EQ(split_from_tag("loss/valid"), "val");
  EXPECT_EQ(split_from_tag("test_acc"), "test");
  EXPECT_EQ(split_from_tag("metrics/test/f1"), "test");
  EXPECT_EQ(split_from_tag("train/loss"), "train");
  EXPECT_EQ(split_from_tag("loss"), "train");
  EXPECT_EQ(split_from_tag("interval_loss"), "train");  // whole words only
  EXPECT_EQ(split_from_tag("latest_value"), "train");
  EXPECT_EQ(split_from_tag(""), "train");
}

TEST(TensorBoard, TorchSummaryWriterScalarsInEveryEncoding) {
  const std::string f = data("tensorboard/torch/events.out.tfevents.torch");
  const LoggedRun run = read_tensorboard(f);
  EXPECT_EQ(run.format, "tensorboard");
  EXPECT_EQ(run.file, f);
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
  ASSERT_EQ(run.points.size(), 15u);  // 5 tags x 3 steps; the text summary is skipped
  const std::string bytes = file_bytes(f);
  std::int64_t previous_offset = 0;
  for (std::size_t i = 0; i < run.points.size(); ++i) {
    const LoggedPoint& p = run.points[i];
    const int step = static_cast<int>(i / 5);
    SCOPED_TRACE(run.metric(p) + " step " + std::to_string(step));
    EXPECT_EQ(p.step, step);
    EXPECT_FALSE(p.epoch.has_value());
    EXPECT_EQ(run.file_of(p), f);
    EXPECT_EQ(p.line, 0);
    EXPECT_GT(p.offset, previous_offset);  // one record per add_scalar
    previous_offset = p.offset;
    // the offset is a record's start: its length bytes carry a valid masked CRC
    ASSERT_LE(static_cast<std::size_t>(p.offset) + 12, bytes.size());
    const auto header = as_span(bytes).subspan(static_cast<std::size_t>(p.offset), 12);
    std::uint32_t stored = 0;
    std::memcpy(&stored, header.data() + 8, 4);
    EXPECT_EQ(detail::masked_crc32c(header.first(8)), stored);
    EXPECT_FALSE(p.running_mean);
    EXPECT_FALSE(p.per_step);
  }
  const auto at = [&](std::size_t step, std::size_t k) { return run.points[step * 5 + k]; };
  for (std::size_t s = 0; s < 3; ++s) {
    const double x = static_cast<double>(s);
    // simple_value: float32, the torch default
    EXPECT_EQ(run.metric(at(s, 0)), "train/loss");
    EXPECT_EQ(at(s, 0).split, Split::train);
    EXPECT_EQ(at(s, 0).value, static_cast<double>(static_cast<float>(1.0 / (x + 1))));
    EXPECT_EQ(at(s, 0).precision.kind, Precision::Kind::float32);
    EXPECT_EQ(run.metric(at(s, 1)), "val/acc");
    EXPECT_EQ(at(s, 1).split, Split::val);
    EXPECT_EQ(at(s, 1).value, 0.25 * x);
    EXPECT_EQ(run.metric(at(s, 2)), "val_loss");
    EXPECT_EQ(at(s, 2).split, Split::val);
    EXPECT_EQ(at(s, 2).value, static_cast<double>(static_cast<float>(0.1 * x)));
    // new_style=True: tensor.float_val
    EXPECT_EQ(run.metric(at(s, 3)), "test_acc_new");
    EXPECT_EQ(at(s, 3).split, Split::test);
    EXPECT_EQ(at(s, 3).value, static_cast<double>(static_cast<float>(0.1 + x)));
    EXPECT_EQ(at(s, 3).precision.kind, Precision::Kind::float32);
    // new_style=True, double_precision=True: tensor.double_val, the Python double itself
    EXPECT_EQ(run.metric(at(s, 4)), "lr_double");
    EXPECT_EQ(at(s, 4).split, Split::train);
    EXPECT_EQ(at(s, 4).value, 0.1 * (x + 1));
    EXPECT_EQ(at(s, 4).precision.kind, Precision::Kind::float64);
  }
}

TEST(TensorBoard, Tf2TensorContentScalars) {
  const std::string f = data("tensorboard/tf2/events.out.tfevents.tf2");
  const LoggedRun run = read_tensorboard(f);
  ASSERT_EQ(run.points.size(), 3u);  // string, int and 2x3 tensors are not scalars read
  EXPECT_EQ(run.metric(run.points[0]), "epoch_accuracy");
  EXPECT_EQ(run.points[0].split, Split::train);
  EXPECT_EQ(run.points[0].step, 0);
  EXPECT_EQ(run.points[0].value, 0.75);
  EXPECT_EQ(run.points[0].precision.kind, Precision::Kind::float32);
  EXPECT_EQ(run.metric(run.points[1]), "validation/epoch_loss");
  EXPECT_EQ(run.points[1].split, Split::val);
  EXPECT_EQ(run.points[1].value, 0.1);  // DT_DOUBLE: 8 raw bytes, exact
  EXPECT_EQ(run.points[1].precision.kind, Precision::Kind::float64);
  EXPECT_EQ(run.points[1].offset, run.points[0].offset);  // one event, one record
  EXPECT_EQ(run.points[2].value, 0.875);
  EXPECT_EQ(run.points[2].step, 1);
  // the rank-0 DT_INT32 tensor is named; the DT_STRING text and the 2x3 tensor pass silently
  EXPECT_EQ(run.warnings,
            std::vector<std::string>{f + "@" + std::to_string(run.points[2].offset) +
                                     ": skipped tag 'batch_count': a scalar tensor of dtype 3, "
                                     "not DT_FLOAT (1) or DT_DOUBLE (2)"});
}

TEST(TensorBoard, KerasCallbackFoldersNameTheSplit) {
  const LoggedRun train =
      read_tensorboard(data("tensorboard/keras/train/events.out.tfevents.keras"));
  const LoggedRun val =
      read_tensorboard(data("tensorboard/keras/validation/events.out.tfevents.keras"));
  ASSERT_EQ(train.points.size(), 1u);
  ASSERT_EQ(val.points.size(), 1u);
  EXPECT_EQ(train.metric(train.points[0]), "epoch_loss");
  EXPECT_EQ(train.points[0].split, Split::train);
  EXPECT_EQ(train.points[0].value, 0.5);
  EXPECT_EQ(val.metric(val.points[0]), "epoch_loss");
  EXPECT_EQ(val.points[0].split, Split::val);
  EXPECT_EQ(val.points[0].value, 0.625);
}

TEST(TensorBoard, HandFramedFileAndInMemoryImage) {
  const std::string f = data("tensorboard_bad/good.tfevents");
  const LoggedRun run = read_tensorboard(f);
  ASSERT_EQ(run.points.size(), 1u);
  EXPECT_EQ(run.metric(run.points[0]), "val/acc");
  EXPECT_EQ(run.points[0].offset, 40);
  EXPECT_EQ(run.points[0].step, 1);
  EXPECT_EQ(run.points[0].value, 0.5);
  const LoggedRun mem = parse_tensorboard(as_span(file_bytes(f)), "memory");
  ASSERT_EQ(mem.points.size(), 1u);
  EXPECT_EQ(mem.file_of(mem.points[0]), "memory");
  EXPECT_EQ(mem.points[0].value, 0.5);
}

TEST(TensorBoard, EmptyFileHasNoPoints) {
  const LoggedRun run = read_tensorboard(data("tensorboard_bad/empty.tfevents"));
  EXPECT_TRUE(run.points.empty());
  EXPECT_TRUE(run.warnings.empty());
}

TEST(TensorBoard, MissingFileVersionIsAWarning) {
  const std::string f = data("tensorboard_bad/no_file_version.tfevents");
  const LoggedRun run = read_tensorboard(f);
  ASSERT_EQ(run.points.size(), 1u);
  EXPECT_EQ(run.points[0].offset, 0);
  EXPECT_EQ(run.warnings, std::vector<std::string>{
                              f + "@0: the first record is not a file_version event (expected "
                                  "\"brain.Event:2\"); reading on"});
}

TEST(TensorBoard, MissingFile) {
  const std::string f = data("tensorboard_bad/does_not_exist");
  EXPECT_EQ(input_error_of([&] { read_tensorboard(f); }),
            f + ": cannot read: No such file or directory");
}

struct BadEvents {
  const char* file;
  const char* message;  // after "<path>@"
};

class TensorBoardMalformed : public ::testing::TestWithParam<BadEvents> {};

TEST_P(TensorBoardMalformed, ExactMessage) {
  const std::string f = data(std::string("tensorboard_bad/") + GetParam().file);
  EXPECT_EQ(input_error_of([&] { read_tensorboard(f); }), f + "@" + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Files, TensorBoardMalformed,
    ::testing::Values(
        BadEvents{"truncated_header.tfevents",
                  "40: truncated record: expected a 12-byte header (8-byte length, 4-byte CRC), "
                  "found 7 bytes"},
        BadEvents{"truncated_data.tfevents",
                  "40: truncated record: length 29 plus the 4-byte data CRC exceeds the 28 bytes "
                  "left in the file"},
        BadEvents{"huge_length.tfevents",
                  "40: truncated record: length 4611686018427387904 plus the 4-byte data CRC "
                  "exceeds the 33 bytes left in the file"},
        BadEvents{"huge_length_bad_crc.tfevents",
                  "40: length CRC mismatch: the record stores masked CRC-32C 0x23df2f60 for its "
                  "length bytes, computed 0x00f0857f"},
        BadEvents{"flipped_data_crc.tfevents",
                  "40: data CRC mismatch: the record stores masked CRC-32C 0xd737c931 for its 29 "
                  "data bytes, computed 0x9737c931"},
        BadEvents{"flipped_data_byte.tfevents",
                  "40: data CRC mismatch: the record stores masked CRC-32C 0x9737c931 for its 29 "
                  "data bytes, computed 0xb1f1af25"},
        BadEvents{"bad_payload.tfevents",
                  "40: the record's 6 data bytes are not a valid Event protocol buffer"},
        BadEvents{"bad_tensor_content.tfevents",
                  "40: tag 'loss': tensor_content holds 3 bytes, expected 4 for a DT_FLOAT scalar"},
        BadEvents{
            "no_tensor_value.tfevents",
            "40: tag 'loss': a DT_DOUBLE scalar tensor with 0 double_val values, expected 1"}),
    [](const auto& param_info) {
      std::string name = param_info.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(TensorBoard, EveryPrefixOfARealFileReadsOrFailsCleanly) {
  const std::string bytes = file_bytes(data("tensorboard/torch/events.out.tfevents.torch"));
  std::size_t complete = 0;
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    try {
      const LoggedRun run = parse_tensorboard(as_span(bytes).first(n), "cut");
      ++complete;  // a prefix ending on a record boundary
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("cut@", 0), 0u) << e.what();
    }
  }
  EXPECT_GE(complete, 17u);  // empty, file_version, 15 scalars (+ the text record)
}

TEST(TensorBoard, EveryBitFlipIsCaughtByACrc) {
  const std::string good = file_bytes(data("tensorboard_bad/good.tfevents"));
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_THROW(parse_tensorboard(as_span(bad), "flip"), InputError) << i << ":" << bit;
    }
  }
}

}  // namespace
}  // namespace metricaudit::audit
