// The audit end to end: every rule has a positive and a negative case, on the
// bundled example runs (real training, ground truth in each run.json) and on
// small synthetic runs whose logged values are computed here from the same
// arrays with the core library.
#include "metricaudit/audit/audit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "metricaudit/error.hpp"
#include "metricaudit/metricaudit.hpp"
#include "run_builder.hpp"

namespace metricaudit::audit {
namespace {

using testing::fixed;
using testing::TempRun;
using testing::write_npy;

AuditReport audit(const std::filesystem::path& path, AuditOptions o = {}) {
  o.path = path;
  return run_audit(o);
}

std::vector<const Finding*> with_rule(const AuditReport& r, const std::string& rule) {
  std::vector<const Finding*> out;
  for (const auto& f : r.findings) {
    if (f.rule == rule) out.push_back(&f);
  }
  return out;
}

const Finding* find(const AuditReport& r, const std::string& rule, const std::string& metric) {
  for (const auto& f : r.findings) {
    if (f.rule == rule && f.metric == metric) return &f;
  }
  return nullptr;
}

// ---- the bundled examples ----------------------------------------------------

TEST(AuditExamples, SeedRunIsMacroWithAbsentClassesAsZero) {
  const auto r = audit("examples/seed-torchmetrics-macro");
  const Finding* f = find(r, "MA001", "val_acc");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->explained_by, "accuracy.macro.absent_zero");
  EXPECT_EQ(f->expected_convention, "accuracy.micro");
  EXPECT_EQ(f->epochs.size(), 6u);
  EXPECT_NEAR(*f->logged, 0.6225, 5e-5);
  EXPECT_NEAR(*f->expected, 0.9337, 5e-5);  // run.json: micro 0.9337 at the last epoch
  EXPECT_NE(f->fix.find("Accuracy(task=\"multiclass\", num_classes=12)"), std::string::npos);
  EXPECT_TRUE(f->file.ends_with("metrics.csv"));
  EXPECT_NE(find(r, "MA001", "train_acc_epoch"), nullptr);
  EXPECT_NE(find(r, "MA001", "train_acc_step"), nullptr);
  EXPECT_TRUE(with_rule(r, "MX001").empty());
  EXPECT_TRUE(with_rule(r, "ML001").empty());  // the losses are clean
  EXPECT_EQ(r.exit_status(), 1);
}

TEST(AuditExamples, CleanRunHasNoFinding) {
  const auto r = audit("examples/clean");
  EXPECT_TRUE(r.findings.empty()) << r.findings.front().rule << " " << r.findings.front().message;
  EXPECT_GT(r.points.size(), 20u);
  EXPECT_EQ(r.exit_status(), 0);
}

TEST(AuditExamples, SoftmaxTwice) {
  const auto r = audit("examples/softmax-twice");
  const Finding* f = find(r, "ML001", "val_loss");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->explained_by, "loss.softmax_twice");
  EXPECT_GE(*f->logged, softmax_twice_floor(10));
  EXPECT_NE(find(r, "ML001", "train_loss_epoch"), nullptr);
  EXPECT_TRUE(with_rule(r, "MX001").empty());
  EXPECT_TRUE(with_rule(r, "MA001").empty());  // val_acc is clean micro accuracy
}

TEST(AuditExamples, KerasBinaryCrossentropyOnOneHot) {
  const auto r = audit("examples/keras3-binary-crossentropy");
  EXPECT_NE(find(r, "ML002", "loss"), nullptr);
  EXPECT_NE(find(r, "ML002", "val_loss"), nullptr);
  // Keras 3 resolved "accuracy" to categorical accuracy (examples/README.md).
  EXPECT_TRUE(with_rule(r, "MA003").empty());
}

TEST(AuditExamples, KerasBinaryAccuracy) {
  const auto r = audit("examples/keras3-binary-accuracy");
  const Finding* f = find(r, "MA003", "val_accuracy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->explained_by, "accuracy.elementwise_binary");
}

TEST(AuditExamples, KerasRunningMeansAreANoteOnly) {
  const auto r = audit("examples/keras3-progress");
  ASSERT_EQ(with_rule(r, "LG005").size(), 1u);
  EXPECT_EQ(with_rule(r, "LG005").front()->severity, Severity::note);
  EXPECT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.exit_status(), 0);  // notes do not change the exit status
  EXPECT_TRUE(with_rule(audit("examples/clean"), "LG005").empty());
}

// ---- synthetic runs -----------------------------------------------------------

// Six samples, four classes: class 3 never appears, class 2 is a target once.
const std::vector<std::int64_t> kTarget = {0, 0, 1, 1, 2, 0};
const std::vector<float> kProbs = {0.7f, 0.1f, 0.1f,  0.1f,  0.2f, 0.6f, 0.1f,  0.1f,
                                   0.1f, 0.8f, 0.05f, 0.05f, 0.1f, 0.2f, 0.6f,  0.1f,
                                   0.1f, 0.1f, 0.7f,  0.1f,  0.6f, 0.3f, 0.05f, 0.05f};

double candidate(const std::vector<std::int64_t>& target, const std::vector<float>& probs,
                 std::int64_t classes, MetricKind kind, const std::string& id) {
  MulticlassBatch b;
  b.target = ArrayView::vector(target.data(), static_cast<std::int64_t>(target.size()));
  b.scores = ArrayView::matrix(probs.data(), static_cast<std::int64_t>(target.size()), classes);
  StateOptions o;
  o.num_classes = classes;
  for (const auto& c : catalogue(evaluate(b, o), kind)) {
    if (c.id == id) return c.value;
  }
  throw std::runtime_error("no candidate " + id);
}

AuditReport audit_logged_accuracy(double value, int decimals = 4) {
  TempRun run("acc");
  run.dump("val_epoch0", kTarget, kProbs, 4);
  run.log("{\"epoch\": 0, \"val_acc\": " + fixed(value, decimals) + "}\n");
  return audit(run.dir());
}

TEST(AuditRules, MicroAccuracyIsClean) {
  const auto r = audit_logged_accuracy(4.0 / 6.0);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].explained_by.front(), "accuracy.micro");
}

TEST(AuditRules, MacroAbsentZero) {
  const double v =
      candidate(kTarget, kProbs, 4, MetricKind::accuracy, "accuracy.macro.absent_zero");
  const auto r = audit_logged_accuracy(v);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MA001");
}

TEST(AuditRules, MacroExcludingUnseenClasses) {
  const double v =
      candidate(kTarget, kProbs, 4, MetricKind::accuracy, "accuracy.macro.exclude_unseen");
  const auto r = audit_logged_accuracy(v);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MA002");
  EXPECT_EQ(r.findings[0].name, "accuracy-macro");
}

TEST(AuditRules, OtherAccuracyConvention) {
  const double v = candidate(kTarget, kProbs, 4, MetricKind::accuracy, "accuracy.top2");
  const auto r = audit_logged_accuracy(v);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MA004");
  EXPECT_EQ(r.findings[0].explained_by, "accuracy.top2");
}

TEST(AuditRules, UnexplainedValueIsAnErrorNamingTheNearestConventions) {
  const auto r = audit_logged_accuracy(0.123);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MX001");
  EXPECT_EQ(r.findings[0].severity, Severity::error);
  EXPECT_NE(r.findings[0].message.find("Nearest conventions: accuracy.macro.absent_zero"),
            std::string::npos)
      << r.findings[0].message;
}

// MX002: DistributedSampler's padding evaluates samples twice; the audit sees it in repeated
// sample ids, or in more rows than --eval-size.
AuditReport audit_padded(const std::vector<std::int64_t>& ids, AuditOptions o = {}) {
  TempRun run("padded");
  run.dump("val_epoch0", kTarget, kProbs, 4);
  run.dump("val_epoch1", kTarget, kProbs, 4);
  for (const char* stem : {"val_epoch0", "val_epoch1"}) {
    if (!ids.empty()) {
      write_npy(run.dir() / "predictions" / (std::string(stem) + ".sample_ids.npy"),
                {static_cast<std::int64_t>(ids.size())}, ids);
    }
  }
  run.log("{\"epoch\": 0, \"val_acc\": " + fixed(4.0 / 6.0) +
          "}\n{\"epoch\": 1, \"val_acc\": " + fixed(4.0 / 6.0) + "}\n");
  return audit(run.dir(), o);
}

TEST(AuditRules, DistributedPaddingFromRepeatedSampleIds) {
  const auto r = audit_padded({0, 1, 2, 3, 4, 0});
  const auto found = with_rule(r, "MX002");
  ASSERT_EQ(found.size(), 1u);  // one finding for the split, both epochs
  EXPECT_EQ(found[0]->name, "distributed-padding");
  EXPECT_EQ(found[0]->split, "val");
  EXPECT_EQ(found[0]->epochs, (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(found[0]->message,
            "the val dumps evaluated 5 + 1 samples (1 sample id(s) repeat): 1 sample(s) counted "
            "twice, as DistributedSampler's padding does");
  EXPECT_NE(found[0]->fix.find("padding_mask"), std::string::npos);
  EXPECT_TRUE(with_rule(audit_padded({5, 1, 2, 3, 4, 0}), "MX002").empty());  // all distinct
}

TEST(AuditRules, DistributedPaddingFromRowsBeyondTheEvalSize) {
  AuditOptions o;
  o.eval_size = 5;
  const auto r = audit_padded({}, o);
  const auto found = with_rule(r, "MX002");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0]->message.find("evaluated 5 + 1 samples (6 rows for --eval-size 5)"),
            std::string::npos)
      << found[0]->message;
  o.eval_size = 6;
  EXPECT_TRUE(with_rule(audit_padded({}, o), "MX002").empty());
  EXPECT_TRUE(with_rule(audit_padded({}), "MX002").empty());  // nothing to compare with
}

TEST(AuditRules, SampleIdsMustBeIntegersOfTheTargetsLength) {
  TempRun run("bad_ids");
  run.dump("val_epoch0", kTarget, kProbs, 4);
  run.log("{\"epoch\": 0, \"val_acc\": 0.5}\n");
  write_npy(run.dir() / "predictions" / "val_epoch0.sample_ids.npy", {5},
            std::vector<std::int64_t>{0, 1, 2, 3, 4});
  EXPECT_THROW(audit(run.dir()), InputError);
  write_npy(run.dir() / "predictions" / "val_epoch0.sample_ids.npy", {6},
            std::vector<double>{0, 1, 2, 3, 4, 5});
  try {
    audit(run.dir());
    ADD_FAILURE() << "float sample ids accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sample_ids.npy holds float64; expected integer"),
              std::string::npos)
        << e.what();
  }
}

TEST(AuditRules, PrintedPrecisionDecidesTheMatch) {
  // Two decimals: 0.67 is within 0.005 of micro 0.6667; 0.66 is not.
  EXPECT_TRUE(audit_logged_accuracy(0.67, 2).findings.empty());
  EXPECT_EQ(audit_logged_accuracy(0.66, 2).findings.at(0).rule, "MX001");
}

// Two samples, two classes; the second gives its target probability 0, where
// the clipping conventions part ways.
const std::vector<std::int64_t> kLossTarget = {0, 1};
const std::vector<float> kLossProbs = {0.5f, 0.5f, 1.0f, 0.0f};

AuditReport audit_logged_loss(const std::string& id) {
  const double v = candidate(kLossTarget, kLossProbs, 2, MetricKind::loss, id);
  TempRun run("loss");
  run.dump("val_epoch0", kLossTarget, kLossProbs, 2);
  run.log("{\"epoch\": 0, \"val_loss\": " + fixed(v) + "}\n");
  return audit(run.dir());
}

TEST(AuditRules, OtherLossConvention) {
  const auto r = audit_logged_loss("loss.sklearn");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "ML003");
  EXPECT_EQ(r.findings[0].explained_by, "loss.sklearn");
  EXPECT_TRUE(audit_logged_loss("loss.keras_probabilities").findings.empty());
}

TEST(AuditRules, LogitsThatLieInTheUnitIntervalAreStillLogits) {
  // A logits dump whose values all happen to lie in [0, 1]: cross-entropy on them is
  // the intended loss, not "softmax applied twice".
  const std::vector<std::int64_t> target = {0, 1};
  const std::vector<float> logits = {0.9f, 0.1f, 0.3f, 0.6f};
  const double v = candidate(target, logits, 2, MetricKind::loss, "loss.softmax_twice");
  TempRun run("unitlogits");
  run.dump("val_epoch0", target, logits, 2, "logits");
  run.log("{\"epoch\": 0, \"val_loss\": " + fixed(v) + "}\n");
  const auto r = audit(run.dir());
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].expected_id, "loss.logits");
}

TEST(AuditRules, SoftmaxTwiceAndBinaryOneHotLosses) {
  EXPECT_EQ(audit_logged_loss("loss.softmax_twice").findings.at(0).rule, "ML001");
  EXPECT_EQ(audit_logged_loss("loss.binary_onehot").findings.at(0).rule, "ML002");
}

// ---- binary and multilabel dumps ------------------------------------------------

// Six samples; the logits' sign is always right (sigmoid accuracy 1), but 0.3 and 0.4
// are positives below 0.5 (raw-threshold accuracy 4/6).
const std::vector<std::int64_t> kBinaryTarget = {1, 0, 1, 0, 1, 0};
const std::vector<float> kBinaryLogits = {2.0f, -1.0f, 0.3f, -0.2f, 0.4f, -1.5f};
const std::vector<float> kBinaryProbs = {0.9f, 0.2f, 0.7f, 0.4f, 0.6f, 0.1f};

double labelwise_candidate(const std::vector<std::int64_t>& target,
                           const std::vector<float>& scores, std::int64_t labels, MetricKind kind,
                           ScoresAre are, const std::string& id) {
  const auto n = static_cast<std::int64_t>(scores.size()) / labels;
  LabelwiseBatch b;
  b.target = labels == 1 ? ArrayView::vector(target.data(), n)
                         : ArrayView::matrix(target.data(), n, labels);
  b.scores = ArrayView::matrix(scores.data(), n, labels);
  LabelwiseOptions o;
  o.num_labels = labels;
  for (const auto& c : catalogue(evaluate(b, o), kind, are)) {
    if (c.id == id) return c.value;
  }
  throw std::runtime_error("no candidate " + id);
}

AuditReport audit_labelwise(const std::vector<std::int64_t>& target,
                            const std::vector<float>& scores, std::int64_t labels, const char* role,
                            const std::string& jsonl) {
  TempRun run("labelwise");
  run.labelwise_dump("val_epoch0", target, scores, labels, role);
  run.log(jsonl);
  return audit(run.dir());
}

std::string val_epoch0(const std::string& key, double value) {
  return "{\"epoch\": 0, \"" + key + "\": " + fixed(value) + "}\n";
}

TEST(AuditBinary, TorchmetricsAccuracyAndBceWithLogitsOnLogitsAreClean) {
  const double loss = labelwise_candidate(kBinaryTarget, kBinaryLogits, 1, MetricKind::loss,
                                          ScoresAre::logits, "loss.bce_logits");
  const auto r =
      audit_labelwise(kBinaryTarget, kBinaryLogits, 1, "logits",
                      "{\"epoch\": 0, \"val_acc\": 1.0000, \"val_loss\": " + fixed(loss) + "}\n");
  EXPECT_TRUE(r.findings.empty()) << r.findings.front().rule << " " << r.findings.front().message;
  ASSERT_EQ(r.points.size(), 2u);
  EXPECT_EQ(r.points[0].expected_id, "accuracy.binary.sigmoid");
  EXPECT_EQ(r.points[1].expected_id, "loss.bce_logits");
  for (const auto& w : r.warnings) EXPECT_EQ(w.find("not used"), std::string::npos) << w;
}

TEST(AuditBinary, AccuracyThresholdedOnLogits) {
  const auto r =
      audit_labelwise(kBinaryTarget, kBinaryLogits, 1, "logits", val_epoch0("val_acc", 4.0 / 6.0));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MA005");
  EXPECT_EQ(r.findings[0].name, "binary-accuracy-on-logits");
  EXPECT_EQ(r.findings[0].explained_by, "accuracy.binary.raw");
  EXPECT_NEAR(*r.findings[0].expected, 1.0, 1e-12);
  EXPECT_NE(r.findings[0].fix.find("threshold=0.0"), std::string::npos);
}

TEST(AuditBinary, VectorScoresAreReadAsBinary) {
  // model(x).squeeze(-1) saved as (N,) logits: the same dump as (N, 1).
  TempRun run("vector-scores");
  run.labelwise_dump("val_epoch0", kBinaryTarget, kBinaryLogits, 1, "logits",
                     /*vector_scores=*/true);
  run.log(val_epoch0("val_acc", 4.0 / 6.0));
  const auto r = audit(run.dir());
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MA005");
}

TEST(AuditBinary, TorchmetricsThresholdsLogitsThatAllLieInTheUnitInterval) {
  // Every logit in [0, 1]: torchmetrics' BinaryAccuracy skips the sigmoid, so what it
  // logs is the raw-threshold value, and the finding says why.
  const std::vector<float> logits = {0.9f, 0.1f, 0.3f, 0.2f, 0.6f, 0.4f};
  const auto r =
      audit_labelwise(kBinaryTarget, logits, 1, "logits", val_epoch0("val_acc", 5.0 / 6.0));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MA005");
  EXPECT_NE(r.findings[0].message.find("torchmetrics does the same here"), std::string::npos);
}

TEST(AuditBinary, KerasAccuracyOnProbabilitiesIsClean) {
  // Probabilities thresholded at 0.5: 0.4 (target 0) right, the rest right too.
  const auto r =
      audit_labelwise(kBinaryTarget, kBinaryProbs, 1, "probs", val_epoch0("val_accuracy", 1.0));
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].expected_id, "accuracy.binary.raw");
}

TEST(AuditBinary, LossSigmoidTwice) {
  const double twice = labelwise_candidate(kBinaryTarget, kBinaryProbs, 1, MetricKind::loss,
                                           ScoresAre::probabilities, "loss.sigmoid_twice");
  const auto r =
      audit_labelwise(kBinaryTarget, kBinaryProbs, 1, "probs", val_epoch0("val_loss", twice));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "ML004");
  EXPECT_EQ(r.findings[0].name, "loss-sigmoid-twice");
  EXPECT_EQ(r.findings[0].expected_convention, "loss.bce_keras_probabilities");
  EXPECT_GE(twice, std::log1p(std::exp(-1.0)));
}

TEST(AuditBinary, KerasBinaryCrossentropyOnProbabilitiesIsClean) {
  const double keras =
      labelwise_candidate(kBinaryTarget, kBinaryProbs, 1, MetricKind::loss,
                          ScoresAre::probabilities, "loss.bce_keras_probabilities");
  const auto r =
      audit_labelwise(kBinaryTarget, kBinaryProbs, 1, "probs", val_epoch0("val_loss", keras));
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.points.size(), 1u);
  // torch BCELoss gives the same number on these probabilities (no clipping reached).
  EXPECT_NE(std::find(r.points[0].explained_by.begin(), r.points[0].explained_by.end(),
                      "loss.bce_torch_probabilities"),
            r.points[0].explained_by.end());
}

TEST(AuditBinary, TopKOnABinaryDumpIsUndecided) {
  const auto r =
      audit_labelwise(kBinaryTarget, kBinaryLogits, 1, "logits", val_epoch0("val_top5", 1.0));
  EXPECT_TRUE(r.points.empty());
  EXPECT_TRUE(r.findings.empty());
  bool said = false;
  for (const auto& u : r.undecided) said = said || u.starts_with("val_top5: top-k accuracy");
  EXPECT_TRUE(said);
}

// Precision, recall and F1 of a binary dump: the model's decisions (a sigmoid on logits)
// are implied; the raw logits thresholded at 0.5 (Keras Recall on a logits model) are MP003.
TEST(AuditBinary, PerClassMetricsOnLogits) {
  const auto value = [&](MetricKind kind, const std::string& id) {
    return labelwise_candidate(kBinaryTarget, kBinaryLogits, 1, kind, ScoresAre::logits, id);
  };
  const double f1 = value(MetricKind::f1, "f1.micro.torchmetrics_auto");  // BinaryF1Score
  const double raw_recall = value(MetricKind::recall, "recall.micro.raw");
  ASSERT_NE(fixed(raw_recall), fixed(value(MetricKind::recall, "recall.micro.sigmoid")));
  const auto r = audit_labelwise(
      kBinaryTarget, kBinaryLogits, 1, "logits",
      "{\"epoch\": 0, \"val_f1\": " + fixed(f1) + ", \"val_recall\": " + fixed(raw_recall) + "}\n");
  ASSERT_EQ(r.points.size(), 2u);
  EXPECT_EQ(r.points[0].expected_id, "f1.micro.sigmoid");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MP003");
  EXPECT_EQ(r.findings[0].metric, "val_recall");
  EXPECT_EQ(r.findings[0].explained_by, "recall.micro.raw");
  EXPECT_NE(r.findings[0].fix.find("Recall(thresholds=0.0)"), std::string::npos);
}

// Logged by Keras 3.15.1's own metric objects on a logits model
// (tests/data/audit/keras_binary_prf/generate.py).
TEST(AuditBinary, KerasPrecisionRecallAndF1OnLogits) {
  const auto r = audit("tests/data/audit/keras_binary_prf");
  const Finding* recall = find(r, "MP003", "val_recall");  // Recall(): 0.5 on the logits
  ASSERT_NE(recall, nullptr);
  EXPECT_EQ(recall->explained_by, "recall.micro.raw");
  EXPECT_EQ(recall->expected_convention, "recall.micro.sigmoid");
  EXPECT_EQ(recall->epochs, (std::vector<std::int64_t>{0, 1}));
  EXPECT_NE(find(r, "MP003", "val_f1_score"), nullptr);  // F1Score(threshold=0.5)
  // Precision(thresholds=0.0) decides as the sigmoid does: no finding.
  EXPECT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.points.size(), 6u);
  EXPECT_TRUE(r.undecided.empty());
}

TEST(AuditBinary, BalancedAccuracyOfABinaryDumpIsUndecided) {
  const auto r = audit_labelwise(kBinaryTarget, kBinaryLogits, 1, "logits",
                                 val_epoch0("val_balanced_accuracy", 1.0));
  EXPECT_TRUE(r.points.empty());
  bool said = false;
  for (const auto& u : r.undecided) said = said || u.starts_with("val_balanced_accuracy: balanced");
  EXPECT_TRUE(said);
}

// Four samples, three labels; row 1 has no positive and row 3 two, so the target is
// multi-hot (multilabel), not one-hot.
const std::vector<std::int64_t> kMultiTarget = {1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0};
const std::vector<float> kMultiProbs = {0.8f, 0.1f, 0.2f, 0.3f, 0.6f, 0.1f,
                                        0.2f, 0.9f, 0.1f, 0.7f, 0.4f, 0.2f};

TEST(AuditMultilabel, ElementwiseAccuracyIsClean) {
  // Cells wrong: (1, 1) and (3, 1): 10/12.
  const auto r = audit_labelwise(kMultiTarget, kMultiProbs, 3, "probs",
                                 val_epoch0("val_accuracy", 10.0 / 12.0));
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].num_classes, 3);
}

TEST(AuditMultilabel, SubsetAccuracyIsAnotherConvention) {
  // Rows 0 and 2 wholly right: sklearn accuracy_score on the thresholded rows gives 0.5.
  const auto r =
      audit_labelwise(kMultiTarget, kMultiProbs, 3, "probs", val_epoch0("val_accuracy", 0.5));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MA004");
  EXPECT_EQ(r.findings[0].explained_by, "accuracy.subset.raw");
}

// torchmetrics' and sklearn's default for several labels: the macro average over all of
// them; the micro average under a bare name is a note naming it.
TEST(AuditMultilabel, PerClassMetricsAreMacroOverAllLabels) {
  const auto value = [&](const std::string& id) {
    return labelwise_candidate(kMultiTarget, kMultiProbs, 3, MetricKind::f1,
                               ScoresAre::probabilities, id);
  };
  const double macro = value("f1.macro.raw");
  const double micro = value("f1.micro.raw");
  ASSERT_NE(fixed(macro), fixed(micro));
  const auto r = audit_labelwise(kMultiTarget, kMultiProbs, 3, "probs",
                                 "{\"epoch\": 0, \"val_MultilabelF1Score\": " + fixed(macro) +
                                     ", \"val_f1\": " + fixed(micro) + "}\n");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].metric, "val_f1");
  EXPECT_EQ(r.findings[0].rule, "MP002");
  EXPECT_EQ(r.findings[0].explained_by, "f1.micro.raw");
  EXPECT_EQ(r.findings[0].expected_convention, "f1.macro.raw");
}

TEST(AuditMultilabel, OneHotTargetsStayMultiClass) {
  // Every row exactly one 1: read as multi-class (argmax), as before.
  TempRun run("onehot");
  write_npy(run.dir() / "predictions" / "val_epoch0.target.npy", {2, 2},
            std::vector<std::int64_t>{1, 0, 0, 1});
  write_npy(run.dir() / "predictions" / "val_epoch0.probs.npy", {2, 2},
            std::vector<float>{0.7f, 0.3f, 0.4f, 0.6f});
  run.log(val_epoch0("val_acc", 1.0));
  const auto r = audit(run.dir());
  ASSERT_EQ(r.points.size(), 1u);
  EXPECT_EQ(r.points[0].expected_id, "accuracy.micro");
  EXPECT_TRUE(r.findings.empty());
}

// ---- precision, recall, F1, balanced accuracy ------------------------------------

// A validation run logged by torchmetrics 0.11.4 itself
// (tests/data/audit/torchmetrics_prf/generate.py): from epoch 1 on class 4 is absent.
TEST(AuditPerClass, Torchmetrics011DefaultMacroCountsAbsentClassesAsZero) {
  const auto r = audit("tests/data/audit/torchmetrics_prf");
  const Finding* f1 = find(r, "MP001", "val_MulticlassF1Score");
  ASSERT_NE(f1, nullptr);
  EXPECT_EQ(f1->severity, Severity::warning);
  EXPECT_EQ(f1->explained_by, "f1.macro.absent_zero");
  EXPECT_EQ(f1->expected_convention, "f1.macro.exclude_unseen");
  EXPECT_EQ(f1->epochs, (std::vector<std::int64_t>{1, 2}));  // epoch 0 holds every class
  EXPECT_NE(f1->message.find("torchmetrics 0.10-0.11 MulticlassF1Score"), std::string::npos);
  // MulticlassRecall's default, logged as balanced accuracy.
  const Finding* balanced = find(r, "MP001", "val_balanced_accuracy");
  ASSERT_NE(balanced, nullptr);
  EXPECT_EQ(balanced->explained_by, "accuracy.macro.absent_zero");
  EXPECT_EQ(balanced->expected_convention, "accuracy.balanced");
  // MulticlassPrecision(average="micro") under a bare name: a note naming the average.
  const Finding* micro = find(r, "MP002", "val_precision");
  ASSERT_NE(micro, nullptr);
  EXPECT_EQ(micro->severity, Severity::note);
  EXPECT_EQ(micro->explained_by, "precision.micro");
  EXPECT_NE(micro->message.find("micro average"), std::string::npos);
  // val_acc, val_loss, val_recall_weighted and val_f1_micro are what their names say.
  EXPECT_EQ(r.findings.size(), 3u);
  EXPECT_TRUE(r.undecided.empty());
  for (const auto& p : r.points) {
    if (p.metric == "val_f1_micro") {
      EXPECT_EQ(p.kind, "f1");
      EXPECT_EQ(p.expected_id, "f1.micro");
    }
  }
  EXPECT_EQ(r.exit_status(), 1);
}

// Classes 2 and 3 are targets but never predicted: their precision is 0/0.
const std::vector<std::int64_t> kUnpredictedTarget = {0, 1, 2, 3, 0, 1};
const std::vector<float> kUnpredictedProbs = {0.7f, 0.1f, 0.1f,  0.1f,  0.2f, 0.6f, 0.1f,  0.1f,
                                              0.1f, 0.8f, 0.05f, 0.05f, 0.6f, 0.2f, 0.1f,  0.1f,
                                              0.7f, 0.1f, 0.1f,  0.1f,  0.3f, 0.6f, 0.05f, 0.05f};

TEST(AuditPerClass, SklearnZeroDivisionIsANoteNamingIt) {
  const auto value = [&](MetricKind kind, const std::string& id) {
    return candidate(kUnpredictedTarget, kUnpredictedProbs, 4, kind, id);
  };
  TempRun run("zero_division");
  run.dump("val_epoch0", kUnpredictedTarget, kUnpredictedProbs, 4);
  run.log("{\"epoch\": 0, \"val_precision_macro\": " +
          fixed(value(MetricKind::precision, "precision.macro.exclude_unseen.zero_division_1")) +
          ", \"val_f1\": " + fixed(value(MetricKind::f1, "f1.macro.exclude_unseen")) +
          ", \"val_recall_weighted\": " + fixed(value(MetricKind::recall, "recall.weighted")) +
          "}\n");
  const auto r = audit(run.dir());
  ASSERT_EQ(r.findings.size(), 1u) << r.findings.back().message;
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.rule, "MP002");
  EXPECT_EQ(f.metric, "val_precision_macro");
  EXPECT_EQ(f.explained_by, "precision.macro.exclude_unseen.zero_division_1");
  EXPECT_EQ(f.expected_convention, "precision.macro.exclude_unseen");
  EXPECT_NE(f.message.find("zero_division=1"), std::string::npos) << f.message;
  EXPECT_EQ(r.exit_status(), 0);  // a note
}

TEST(AuditPerClass, ANamedAverageIsTheImpliedOne) {
  const double micro = candidate(kTarget, kProbs, 4, MetricKind::f1, "f1.micro");
  const double macro = candidate(kTarget, kProbs, 4, MetricKind::f1, "f1.macro.exclude_unseen");
  ASSERT_NE(fixed(micro), fixed(macro));
  TempRun run("named");
  run.dump("val_epoch0", kTarget, kProbs, 4);
  // f1_micro logged as micro: clean; f1_macro logged as micro: a note naming micro.
  run.log("{\"epoch\": 0, \"val_f1_micro\": " + fixed(micro) +
          ", \"val_f1_macro\": " + fixed(micro) + "}\n");
  const auto r = audit(run.dir());
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].metric, "val_f1_macro");
  EXPECT_EQ(r.findings[0].rule, "MP002");
  EXPECT_EQ(r.findings[0].explained_by, "f1.micro");
}

// ---- log-only rules -------------------------------------------------------------

AuditReport audit_log_only(const std::string& jsonl, AuditOptions o) {
  TempRun run("logonly");
  run.log(jsonl);
  return audit(run.dir(), o);
}

std::string epochs(const char* key_a, std::vector<double> a, const char* key_b = nullptr,
                   std::vector<double> b = {}) {
  std::string s;
  for (std::size_t e = 0; e < a.size(); ++e) {
    s += "{\"epoch\": " + std::to_string(e) + ", \"" + key_a + "\": " + fixed(a[e]);
    if (key_b) s += std::string(", \"") + key_b + "\": " + fixed(b[e]);
    s += "}\n";
  }
  return s;
}

TEST(AuditLogOnly, SoftmaxTwiceFloor) {
  AuditOptions o;
  o.num_classes = 10;
  const auto hit =
      audit_log_only(epochs("val_loss", {1.62, 1.50, 1.4712}, "val_acc", {0.8, 0.9, 0.95}), o);
  ASSERT_EQ(with_rule(hit, "LG001").size(), 1u);
  EXPECT_EQ(hit.exit_status(), 1);
  const auto clean =
      audit_log_only(epochs("val_loss", {0.6, 0.3, 0.2}, "val_acc", {0.8, 0.9, 0.95}), o);
  EXPECT_TRUE(with_rule(clean, "LG001").empty());
  // Without C the rule cannot run.
  EXPECT_TRUE(
      with_rule(audit_log_only(epochs("val_loss", {1.62, 1.50}, "val_acc", {0.9, 0.95}), {}),
                "LG001")
          .empty());
}

// Values with a step and no epoch (TensorBoard, MLflow): the floor holds for every sample,
// so for every value.
std::string steps_only(const char* key_a, std::vector<double> a, const char* key_b,
                       std::vector<double> b) {
  std::string s;
  for (std::size_t i = 0; i < a.size(); ++i) {
    s += "{\"step\": " + std::to_string(100 * (i + 1)) + ", \"" + key_a + "\": " + fixed(a[i]) +
         ", \"" + key_b + "\": " + fixed(b[i]) + "}\n";
  }
  return s;
}

TEST(AuditLogOnly, SoftmaxTwiceFloorOnStepIndexedValues) {
  AuditOptions o;
  o.num_classes = 10;
  const auto hit =
      audit_log_only(steps_only("val_loss", {1.62, 1.50, 1.4712}, "val_acc", {0.8, 0.9, 0.95}), o);
  const auto found = with_rule(hit, "LG001");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0]->epochs.empty());
  EXPECT_EQ(found[0]->steps, (std::vector<std::int64_t>{100, 200, 300}));
  EXPECT_TRUE(
      with_rule(
          audit_log_only(steps_only("val_loss", {0.6, 0.3, 0.2}, "val_acc", {0.8, 0.9, 0.95}), o),
          "LG001")
          .empty());
}

// The bundled softmax-twice run's TensorBoard file (torch SummaryWriter: step, no epoch)
// audited alone: it must not audit clean.
TEST(AuditLogOnly, SoftmaxTwiceFloorOnARealTensorBoardLog) {
  AuditOptions o;
  o.num_classes = 10;
  const auto r = audit("examples/softmax-twice/tensorboard", o);
  ASSERT_EQ(r.log_formats, (std::vector<std::string>{"tensorboard"}));
  const Finding* val = find(r, "LG001", "val/loss");
  ASSERT_NE(val, nullptr);
  EXPECT_EQ(val->steps.size(), 10u);
  EXPECT_NE(find(r, "LG001", "train/loss"), nullptr);  // per-batch values every 10 steps
  EXPECT_EQ(r.exit_status(), 1);
  // With the run's dumps, its losses are ML001 findings, and the TensorBoard copies of the
  // same series are not reported again.
  EXPECT_TRUE(with_rule(audit("examples/softmax-twice"), "LG001").empty());
}

TEST(AuditLogOnly, AccuracyNotKOverN) {
  AuditOptions o;
  o.eval_size = 362;
  // 0.6225 * 362 = 225.35: no whole k; 0.9337 = 338/362 to 4 decimals.
  ASSERT_EQ(with_rule(audit_log_only(epochs("val_acc", {0.6225}), o), "LG002").size(), 1u);
  EXPECT_TRUE(with_rule(audit_log_only(epochs("val_acc", {0.9337}), o), "LG002").empty());
  // Step-indexed evaluations (TensorBoard) are evaluations too.
  ASSERT_EQ(
      with_rule(audit_log_only(steps_only("val_acc", {0.6225}, "val_loss", {0.5}), o), "LG002")
          .size(),
      1u);
}

TEST(AuditLogOnly, BinaryAccuracyFloorIsANote) {
  AuditOptions o;
  o.num_classes = 10;
  const auto hit = audit_log_only(epochs("val_acc", {0.9012, 0.93, 0.96}), o);
  ASSERT_EQ(with_rule(hit, "LG003").size(), 1u);
  EXPECT_EQ(with_rule(hit, "LG003")[0]->severity, Severity::note);
  EXPECT_TRUE(with_rule(audit_log_only(epochs("val_acc", {0.4, 0.7, 0.9}), o), "LG003").empty());
}

TEST(AuditLogOnly, PerStepMacroBound) {
  AuditOptions o;
  o.num_classes = 12;
  o.batch_size = 4;
  std::string steps;
  for (int s = 0; s < 4; ++s) {
    steps += "{\"epoch\": 0, \"step\": " + std::to_string(s) +
             ", \"train_acc\": " + fixed(s % 2 ? 0.25 : 0.3333) + "}\n";
  }
  ASSERT_EQ(with_rule(audit_log_only(steps, o), "LG004").size(), 1u);
  steps += "{\"epoch\": 0, \"step\": 4, \"train_acc\": 0.75}\n";
  EXPECT_TRUE(with_rule(audit_log_only(steps, o), "LG004").empty());
}

TEST(AuditLogOnly, WithoutDumpsItSaysWhatItCouldNotDecide) {
  const auto r = audit_log_only(epochs("val_acc", {0.5}, "weird_metric", {0.1}), {});
  EXPECT_TRUE(r.points.empty());
  bool named = false, no_dumps = false;
  for (const auto& u : r.undecided) {
    named = named || u.starts_with("weird_metric: not a metric the audit knows");
    no_dumps = no_dumps || u.starts_with("no predictions folder");
  }
  EXPECT_TRUE(named);
  EXPECT_TRUE(no_dumps);
}

// ---- errors ------------------------------------------------------------------------

TEST(AuditErrors, MissingPathIsNamed) {
  try {
    audit("does/not/exist");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "does/not/exist: no such file or directory");
  }
}

TEST(AuditErrors, DirectoryWithoutLogs) {
  TempRun run("empty");
  EXPECT_THROW(audit(run.dir()), InputError);
}

TEST(AuditErrors, BadMetricOverride) {
  AuditOptions o;
  o.metric_kinds["val_acc"] = "auroc";
  try {
    audit_log_only(epochs("val_acc", {0.5}), o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "--metric val_acc=auroc: expected a kind of accuracy, loss, top<k>, precision, "
                 "recall, f1 (optionally with _micro, _macro or _weighted), balanced_accuracy or "
                 "ignore");
  }
}

}  // namespace
}  // namespace metricaudit::audit
