// The command run in-process: argument handling, exit statuses, error messages,
// output selection, and `explain` on real and hand-made dumps.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "metricaudit/evaluate.hpp"
#include "scratch_dir.hpp"

namespace metricaudit::audit {
namespace {

using nlohmann::json;
using testing::run_cli;
namespace fs = std::filesystem;

const std::string kSeed = METRICAUDIT_SOURCE_DIR "/examples/seed-torchmetrics-macro";

bool starts_with_error(const std::string& err) {
  return err.rfind("metricaudit: error: ", 0) == 0;
}

TEST(Cli, VersionAndHelpExitZero) {
  auto r = run_cli({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, std::string("metricaudit ") + cli::version() + "\n");
  r = run_cli({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("audit"), std::string::npos);
  EXPECT_NE(r.out.find("explain"), std::string::npos);
  r = run_cli({"audit", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--preds"), std::string::npos);
  EXPECT_NE(r.out.find("--eval-size"), std::string::npos);
}

TEST(Cli, UsageErrorsExitTwoWithAMessage) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"audit"},
           {"audit", kSeed, "--bogus"},
           {"audit", kSeed, "--format", "xml"},
           {"audit", kSeed, "--num-classes", "0"},
           {"audit", kSeed, "--eval-size", "ten"},
           {"audit", kSeed, "--log-format", "wandb"},
           {"audit", kSeed, "--metric", "val_acc"},
           {"audit", kSeed, "--metric", "=accuracy"},
           {"explain"},
           {"explain", "x.npz", "--format", "sarif"},
       }) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    const auto r = run_cli(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(starts_with_error(r.err)) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_NE(run_cli({"audit", kSeed, "--metric", "val_acc"}).err.find("NAME=KIND"),
            std::string::npos);
  EXPECT_NE(run_cli({"audit", kSeed, "--format", "xml"}).err.find("--format"), std::string::npos);
}

TEST(Cli, MissingInputsExitTwoNamingTheFile) {
  auto r = run_cli({"audit", "/nonexistent/run-42"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "metricaudit: error: /nonexistent/run-42: no such file or directory\n");
  r = run_cli({"audit", kSeed, "--preds", "/nonexistent/preds"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent/preds"), std::string::npos) << r.err;
  r = run_cli({"explain", "/nonexistent/val_epoch1.npz"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent/val_epoch1.npz"), std::string::npos) << r.err;
  r = run_cli({"explain", "/nonexistent/val_epoch1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no such dump"), std::string::npos) << r.err;
}

TEST(Cli, AuditsTheSeedExample) {
  const auto r = run_cli({"audit", kSeed});
  EXPECT_EQ(r.status, 1) << r.err;  // findings: what the seed example is for
  EXPECT_NE(r.out.find("MA001"), std::string::npos);
  EXPECT_NE(r.out.find("val_acc"), std::string::npos);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no colour off a terminal";
}

TEST(Cli, SummaryLeavesOutThePerMetricTables) {
  const auto full = run_cli({"audit", kSeed});
  const auto brief = run_cli({"audit", kSeed, "--summary"});
  EXPECT_EQ(brief.status, full.status) << brief.err;
  const std::string table = "Logged values, recomputed from the predictions";
  EXPECT_NE(full.out.find(table), std::string::npos);
  EXPECT_EQ(brief.out.find(table), std::string::npos);
  EXPECT_NE(brief.out.find("MA001"), std::string::npos);  // the findings stay
  EXPECT_LT(brief.out.size() * 3, full.out.size());
}

TEST(Cli, OutputFileAndFormats) {
  const metricaudit::testing::ScratchDir scratch;
  const fs::path file = scratch / "report.json";
  const auto r = run_cli({"audit", kSeed, "--format", "json", "--output", file.string()});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::ifstream in(file);
  const json doc = json::parse(in);
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["tool_version"], cli::version());
  EXPECT_FALSE(doc["findings"].empty());

  const auto sarif = run_cli({"audit", kSeed, "--format", "sarif"});
  EXPECT_EQ(sarif.status, 1);
  EXPECT_EQ(json::parse(sarif.out)["version"], "2.1.0");

  const auto unwritable = run_cli({"audit", kSeed, "-o", "/nonexistent/dir/report.txt"});
  EXPECT_EQ(unwritable.status, 2);
  EXPECT_NE(unwritable.err.find("/nonexistent/dir/report.txt"), std::string::npos);
}

TEST(Cli, ColourFollowsTheTerminalNoColorAndTheOption) {
  cli::Terminal tty;
  tty.stdout_is_tty = true;
  EXPECT_NE(run_cli({"audit", kSeed}, tty).out.find('\x1b'), std::string::npos);
  cli::Terminal no_color = tty;
  no_color.no_color = true;
  EXPECT_EQ(run_cli({"audit", kSeed}, no_color).out.find('\x1b'), std::string::npos);
  EXPECT_EQ(run_cli({"audit", kSeed, "--color", "never"}, tty).out.find('\x1b'), std::string::npos);
  EXPECT_NE(run_cli({"audit", kSeed, "--color", "always"}).out.find('\x1b'), std::string::npos);
  EXPECT_EQ(run_cli({"audit", kSeed, "--format", "json"}, tty).out.find('\x1b'), std::string::npos);
}

const json* candidate(const json& doc, const std::string& id) {
  for (const json& c : doc["candidates"]) {
    if (c["id"] == id) return &c;
  }
  return nullptr;
}

TEST(Cli, ExplainReadsASeedDumpUnderEveryConvention) {
  // Values from examples/seed-torchmetrics-macro/run.json ("checks", val_acc epoch 1).
  const auto r = run_cli({"explain", kSeed + "/predictions/val_epoch1.npz", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["samples"], 362);
  EXPECT_EQ(doc["num_classes"], 12);
  EXPECT_EQ(doc["num_classes_source"], "scores");
  EXPECT_EQ(doc["inputs"], "logits");
  EXPECT_EQ(doc["split"], "val");
  EXPECT_EQ(doc["epoch"], 1);
  ASSERT_NE(candidate(doc, "accuracy.micro"), nullptr);
  EXPECT_DOUBLE_EQ((*candidate(doc, "accuracy.micro"))["value"].get<double>(), 0.9033149171270718);
  EXPECT_DOUBLE_EQ((*candidate(doc, "accuracy.macro.absent_zero"))["value"].get<double>(),
                   0.6014145073927682);
  // The exact mean; the dump's logits are float32, whose log-sum-exp is computed in float32
  // within kFloat32LossRelativeError (metricaudit/evaluate.hpp).
  EXPECT_NEAR((*candidate(doc, "loss.logits"))["value"].get<double>(), 1.5251186877248704,
              1.5251186877248704 * metricaudit::kFloat32LossRelativeError);
  EXPECT_EQ((*candidate(doc, "loss.logits"))["kind"], "loss");

  const auto text = run_cli({"explain", kSeed + "/predictions/val_epoch1"});  // the stem
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("accuracy.macro.absent_zero"), std::string::npos);
  EXPECT_NE(text.out.find("0.6014145074"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("torchmetrics 0.10-0.11"), std::string::npos);
  EXPECT_NE(text.out.find("362 samples, 12 classes"), std::string::npos);
}

class ExplainNpy : public ::testing::Test {
 protected:
  metricaudit::testing::ScratchDir scratch_;
  const fs::path& dir_ = scratch_.path();
};

TEST_F(ExplainNpy, OneHotTargetsAreReadAsLabels) {
  // 4 samples, 3 classes; argmax of probs: 0, 1, 1, 1; targets 0, 1, 2, 1 -> 3/4 right.
  testing::write_npy<float>(dir_ / "val_epoch3.target.npy", "<f4", {4, 3},
                            {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0});
  testing::write_npy<float>(dir_ / "val_epoch3.probs.npy", "<f4", {4, 3},
                            {.8f, .1f, .1f, .2f, .7f, .1f, .1f, .6f, .3f, .3f, .4f, .3f});
  const auto r = run_cli({"explain", (dir_ / "val_epoch3.probs.npy").string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["one_hot_target"], true);
  EXPECT_EQ(doc["inputs"], "probs");
  EXPECT_EQ(doc["epoch"], 3);
  EXPECT_DOUBLE_EQ((*candidate(doc, "accuracy.micro"))["value"].get<double>(), 0.75);

  // A larger label space than the scores is a core error, reported as such.
  const auto mismatch = run_cli({"explain", (dir_ / "val_epoch3").string(), "--num-classes", "5"});
  EXPECT_EQ(mismatch.status, 2);
  EXPECT_TRUE(starts_with_error(mismatch.err)) << mismatch.err;
}

TEST_F(ExplainNpy, MultiHotTargetsAreMultilabel) {
  // Row 1 holds two ones: a multilabel target, read under the labelwise catalogue.
  testing::write_npy<float>(dir_ / "val_epoch0.target.npy", "<f4", {2, 2}, {1, 0, 1, 1});
  testing::write_npy<float>(dir_ / "val_epoch0.logits.npy", "<f4", {2, 2}, {1, 0, 0, 1});
  const auto r = run_cli({"explain", (dir_ / "val_epoch0").string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["num_classes"], 2);
  EXPECT_EQ(doc["num_classes_source"], "multilabel");
  EXPECT_EQ(doc["one_hot_target"], false);
  // Logits 1 and 0 against targets 1, 0, 1, 1: raw (> 0.5) misses (1, 0) only; a sigmoid
  // makes the zeros 0.5, still negative.
  EXPECT_DOUBLE_EQ((*candidate(doc, "accuracy.binary.raw"))["value"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ((*candidate(doc, "accuracy.subset.raw"))["value"].get<double>(), 0.5);
  ASSERT_NE(candidate(doc, "loss.bce_logits"), nullptr);
  const auto text = run_cli({"explain", (dir_ / "val_epoch0").string()});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("2 samples, 2 labels (multilabel)"), std::string::npos) << text.out;
}

TEST_F(ExplainNpy, SoftTargetsAreRefused) {
  testing::write_npy<float>(dir_ / "val_epoch0.target.npy", "<f4", {2, 2}, {.5f, .5f, 0, 1});
  testing::write_npy<float>(dir_ / "val_epoch0.logits.npy", "<f4", {2, 2}, {1, 0, 0, 1});
  const auto r = run_cli({"explain", (dir_ / "val_epoch0").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("row 0 is not one-hot"), std::string::npos) << r.err;
}

TEST_F(ExplainNpy, OneScorePerSampleIsBinary) {
  testing::write_npy<std::int64_t>(dir_ / "val_epoch0.target.npy", "<i8", {4}, {1, 0, 1, 0});
  testing::write_npy<float>(dir_ / "val_epoch0.logits.npy", "<f4", {4, 1},
                            {2.0f, -1.0f, 0.3f, -0.4f});
  const auto r = run_cli({"explain", (dir_ / "val_epoch0").string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["num_classes"], 1);
  EXPECT_EQ(doc["num_classes_source"], "binary");
  EXPECT_DOUBLE_EQ((*candidate(doc, "accuracy.binary.raw"))["value"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ((*candidate(doc, "accuracy.binary.sigmoid"))["value"].get<double>(), 1.0);
  EXPECT_EQ(candidate(doc, "accuracy.subset.raw"), nullptr);  // one label: no subset reading
  const auto text = run_cli({"explain", (dir_ / "val_epoch0").string()});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("4 samples, 1 label (binary)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("loss.bce_keras_probabilities"), std::string::npos);
}

TEST_F(ExplainNpy, LabelsOnlyInferTheClassCountAndSaySo) {
  testing::write_npy<std::int64_t>(dir_ / "test_step7.target.npy", "<i8", {3}, {0, 1, 2});
  testing::write_npy<std::int64_t>(dir_ / "test_step7.preds.npy", "<i8", {3}, {0, 1, 1});
  const auto r =
      run_cli({"explain", (dir_ / "test_step7.target.npy").string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["num_classes"], 3);
  EXPECT_EQ(doc["num_classes_source"], "labels");
  EXPECT_EQ(doc["step"], 7);
  EXPECT_EQ(doc["warnings"].size(), 1u);
  // Losses need scores: present, null, with the reason.
  const json* loss = candidate(doc, "loss.logits");
  ASSERT_NE(loss, nullptr);
  EXPECT_TRUE((*loss)["value"].is_null());
  EXPECT_FALSE((*loss)["unavailable"].is_null());
}

TEST_F(ExplainNpy, RoleLessNpyIsRefused) {
  testing::write_npy<std::int64_t>(dir_ / "val_epoch0.npy", "<i8", {1}, {0});
  const auto r = run_cli({"explain", (dir_ / "val_epoch0.npy").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("<stem>.<role>.npy"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace metricaudit::audit
