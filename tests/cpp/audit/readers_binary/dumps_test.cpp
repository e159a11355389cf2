// Dump discovery and validation over directories of real numpy files
// (tests/data/binary/dumps, written by generate.py).
#include <gtest/gtest.h>

#include "metricaudit/audit/dumps.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::data;
using testing::input_error_of;

TEST(Dumps, ListsWithoutReading) {
  const std::string dir = data("dumps/ok");
  std::vector<std::string> warnings;
  const std::vector<DumpLocation> found = list_dumps(dir, &warnings);
  ASSERT_EQ(found.size(), 5u);
  // sorted by split name, then epoch (absent first), then step
  EXPECT_EQ(found[0].split, "test");
  EXPECT_EQ(found[0].epoch, 0);
  EXPECT_TRUE(found[0].npz.empty());
  EXPECT_EQ(found[0].npy.size(), 2u);
  EXPECT_EQ(found[0].display_path(), dir + "/test_epoch0.*.npy");
  EXPECT_EQ(found[1].split, "train");
  EXPECT_FALSE(found[1].epoch.has_value());
  EXPECT_EQ(found[1].step, 100);
  EXPECT_EQ(found[1].display_path(), dir + "/train_step100.npz");
  EXPECT_EQ(found[2].split, "val");
  EXPECT_EQ(found[2].epoch, 0);
  EXPECT_EQ(found[3].epoch, 1);
  EXPECT_EQ(found[4].epoch, 2);  // "validation_epoch2.*.npy" reads as split "val"
  EXPECT_EQ(found[4].display_path(), dir + "/validation_epoch2.*.npy");
  EXPECT_EQ(warnings, std::vector<std::string>{
                          dir + "/validation_epoch2.embedding.npy: ignored: unknown role "
                                "'embedding' (expected target, logits, probs, preds or "
                                "sample_weight)"});
}

TEST(Dumps, FindsLoadsAndValidates) {
  const std::string dir = data("dumps/ok");
  const DumpSet set = find_dumps(dir);
  ASSERT_EQ(set.dumps.size(), 5u);

  const Dump& test = set.dumps[0];
  EXPECT_EQ(test.path, dir + "/test_epoch0.*.npy");
  EXPECT_EQ(test.target.dtype, DType::float32);  // one-hot targets
  EXPECT_EQ(test.target.shape, (std::vector<std::int64_t>{6, 3}));
  ASSERT_TRUE(test.probs.has_value());
  EXPECT_FALSE(test.logits.has_value());
  EXPECT_FALSE(test.preds.has_value());
  EXPECT_EQ(test.probs->dtype, DType::float32);  // softmax of float32 logits

  const Dump& train = set.dumps[1];
  EXPECT_EQ(train.split, "train");
  EXPECT_EQ(train.step, 100);
  ASSERT_TRUE(train.preds.has_value());
  EXPECT_EQ(train.preds->view().ndim, 1);
  EXPECT_EQ(train.preds->view().rows, 6);

  const Dump& val0 = set.dumps[2];
  EXPECT_EQ(val0.path, dir + "/val_epoch0.npz");
  EXPECT_EQ(val0.split, "val");
  EXPECT_EQ(val0.epoch, 0);
  EXPECT_FALSE(val0.step.has_value());
  ASSERT_TRUE(val0.logits.has_value());
  EXPECT_EQ(val0.logits->view().rows, 6);
  EXPECT_EQ(val0.logits->view().cols, 3);
  EXPECT_EQ(val0.target.view().rows, 6);
  EXPECT_FALSE(val0.sample_weight.has_value());

  const Dump& val1 = set.dumps[3];
  ASSERT_TRUE(val1.probs.has_value());
  ASSERT_TRUE(val1.sample_weight.has_value());
  EXPECT_EQ(val1.sample_weight->view().rows, 6);

  const Dump& val2 = set.dumps[4];
  EXPECT_EQ(val2.split, "val");
  EXPECT_EQ(val2.target.dtype, DType::int32);
  ASSERT_TRUE(val2.logits.has_value());
  EXPECT_EQ(val2.logits->dtype, DType::float64);

  EXPECT_EQ(set.warnings,
            (std::vector<std::string>{
                dir + "/validation_epoch2.embedding.npy: ignored: unknown role 'embedding' "
                      "(expected target, logits, probs, preds or sample_weight)",
                dir + "/train_step100.npz: ignored member 'extra.npy' (not one of the arrays "
                      "read)"}));
}

TEST(Dumps, VectorScoresAreOneBinaryScorePerSample) {
  // (N,) logits beside (N,) labels: a binary classifier's dump (read as binary by the
  // audit). This fixture was a malformed case before binary dumps were read.
  const DumpSet set = find_dumps(data("dumps/logits_rank"));
  ASSERT_EQ(set.dumps.size(), 1u);
  ASSERT_TRUE(set.dumps[0].logits.has_value());
  EXPECT_EQ(set.dumps[0].logits->shape, (std::vector<std::int64_t>{6}));
  EXPECT_EQ(set.dumps[0].target.shape, (std::vector<std::int64_t>{6}));
}

struct BadDump {
  const char* dir;
  const char* message;  // "{}" stands for the directory's path
};

class DumpsMalformed : public ::testing::TestWithParam<BadDump> {};

TEST_P(DumpsMalformed, ExactMessage) {
  const std::string dir = data(std::string("dumps/") + GetParam().dir);
  std::string expected = GetParam().message;
  for (std::size_t at; (at = expected.find("{}")) != std::string::npos;) {
    expected.replace(at, 2, dir);
  }
  EXPECT_EQ(input_error_of([&] { find_dumps(dir); }), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Dirs, DumpsMalformed,
    ::testing::Values(
        BadDump{"two_scores",
                "{}/val_epoch0.npz: expected exactly one of logits, probs, preds; found logits "
                "and probs"},
        BadDump{"no_scores",
                "{}/val_epoch0.npz: expected exactly one of logits, probs, preds; found none"},
        BadDump{"no_target",
                "{}/val_epoch0.npz: no target array (expected a target.npy member beside one of "
                "logits, probs, preds)"},
        BadDump{"length", "{}/val_epoch0.npz: logits.npy has 6 rows but the target has 5"},
        BadDump{"weight_length",
                "{}/val_epoch0.npz: sample_weight.npy has 4 rows but the target has 6"},
        BadDump{"target_rank",
                "{}/val_epoch0.npz: target.npy has shape (6, 3, 2); expected (N,) labels or (N, "
                "C) one-hot / multilabel targets"},
        BadDump{"columns",
                "{}/val_epoch0.npz: logits.npy has 3 columns but the (N, C) target has 4"},
        BadDump{"roleless",
                "{}/val_epoch0.npy: a .npy dump must name its role: expected val_epoch0.<role>.npy "
                "with <role> one of target, logits, probs, preds, sample_weight"},
        BadDump{"duplicate",
                "{}/val_epoch0.target.npy: a second dump for val epoch 0 (also "
                "{}/val_epoch0.npz); keep one"},
        BadDump{"duplicate_split",
                "{}/validation_epoch01.npz: a second dump for val epoch 1 (also "
                "{}/val_epoch1.npz); keep one"},
        BadDump{"npy_length", "{}/test_step5.preds.npy has 4 rows but the target has 6"},
        BadDump{"does_not_exist", "{}: cannot list the dump directory: No such file or directory"}),
    [](const auto& param_info) { return std::string(param_info.param.dir); });

}  // namespace
}  // namespace metricaudit::audit

namespace metricaudit::audit {
namespace {

// The one parser of dump names, which list_dumps and `metricaudit explain` both use.
TEST(DumpNames, ParsesTheConvention) {
  auto n = parse_dump_name("validation_epoch07.logits.npy");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->split, "val");
  EXPECT_EQ(n->split_written, "validation");
  EXPECT_EQ(n->unit, "epoch");
  EXPECT_EQ(n->digits, "07");
  EXPECT_EQ(n->number, 7);
  EXPECT_EQ(n->role, "logits");
  EXPECT_EQ(n->extension, "npy");

  n = parse_dump_name("train_step100.npz");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->split, "train");
  EXPECT_EQ(n->unit, "step");
  EXPECT_EQ(n->number, 100);
  EXPECT_TRUE(n->role.empty());

  n = parse_dump_name("test_epoch3");  // a stem, as `explain` names a dump
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->extension.empty());

  n = parse_dump_name("val_epoch99999999999999999999.npz");  // too large: kept as digits
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->number.has_value());
  EXPECT_EQ(n->digits, "99999999999999999999");

  for (const char* not_a_dump : {"eval_epoch1.npz", "val_epoch.npz", "val_epochs1.npz",
                                 "val_epoch1.txt", "val_epoch1.a.b.npz", "val_epoch1..npz",
                                 "val_epoch1.log1ts.npy", "val-epoch1.npz", "val_epoch1x"}) {
    EXPECT_FALSE(parse_dump_name(not_a_dump)) << not_a_dump;
  }
}

}  // namespace
}  // namespace metricaudit::audit
