#include "metricaudit/catalogue.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::options_for;
using testing::OwnedBatch;

const Candidate& find(const std::vector<Candidate>& cs, const std::string& id) {
  for (const auto& c : cs) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no candidate " + id);
}

TEST(Catalogue, SeedCaseShowsTheThreeReadings) {
  OwnedBatch b;
  b.classes = 4;
  b.target = {0, 0};
  b.scores = {1, 0, 0, 0, 1, 0, 0, 0};
  const auto cs = catalogue(evaluate(b.view(), options_for(4)), MetricKind::accuracy);
  EXPECT_EQ(find(cs, "accuracy.micro").value, 1.0);
  EXPECT_EQ(find(cs, "accuracy.macro.absent_zero").value, 0.25);
  EXPECT_NE(find(cs, "accuracy.macro.absent_zero").libraries.find("torchmetrics 0.10-0.11"),
            std::string::npos);
  EXPECT_EQ(find(cs, "accuracy.macro.exclude_unseen").value, 1.0);
  // The seed scores are one-hot 0/1 rows on the target: every cell is right
  // under the element-wise reading.
  EXPECT_EQ(find(cs, "accuracy.elementwise_binary").value, 1.0);
  std::set<std::string> ids;
  for (const auto& c : cs) EXPECT_TRUE(ids.insert(c.id).second) << c.id;
}

TEST(Catalogue, LossCandidatesNameSoftmaxTwiceOnProbabilities) {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0};
  b.scores = {0.8, 0.1, 0.1};
  const auto cs = catalogue(evaluate(b.view(), options_for(3)), MetricKind::loss);
  EXPECT_EQ(cs.front().id, "loss.softmax_twice");
  // Keras computes in float32 whatever the input dtype: 0.8 is read as float32(0.8).
  EXPECT_NEAR(find(cs, "loss.keras_probabilities").value, -std::log(static_cast<double>(0.8f)),
              1e-12);
}

TEST(Catalogue, TheCallerCanSayWhatTheScoresAre) {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0};
  b.scores = {0.8, 0.1, 0.1};
  const auto s = evaluate(b.view(), options_for(3));
  EXPECT_EQ(catalogue(s, MetricKind::loss, ScoresAre::logits).front().id, "loss.logits");
  EXPECT_EQ(catalogue(s, MetricKind::loss, ScoresAre::probabilities).front().id,
            "loss.softmax_twice");
}

TEST(Catalogue, UnavailableCandidatesSayWhy) {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0};
  b.scores = {2.0, -1.0, 0.0};
  const auto cs = catalogue(evaluate(b.view(), options_for(3)), MetricKind::loss);
  EXPECT_EQ(cs.front().id, "loss.logits");
  const auto& keras = find(cs, "loss.keras_probabilities");
  EXPECT_TRUE(std::isnan(keras.value));
  EXPECT_NE(keras.unavailable.find("needs probabilities"), std::string::npos);
}

// ---- binary and multilabel ------------------------------------------------------

const LabelwiseCandidate& find(const std::vector<LabelwiseCandidate>& cs, const std::string& id) {
  for (const auto& c : cs) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no candidate " + id);
}

LabelwiseState labelwise(const std::vector<std::int64_t>& target, const std::vector<float>& scores,
                         std::int64_t labels) {
  const auto n = static_cast<std::int64_t>(scores.size()) / labels;
  LabelwiseBatch b;
  b.target = ArrayView::matrix(target.data(), n, labels);
  b.scores = ArrayView::matrix(scores.data(), n, labels);
  LabelwiseOptions o;
  o.num_labels = labels;
  return evaluate(b, o);
}

TEST(LabelwiseCatalogue, BinaryLogitsReadRawSigmoidAndTorchmetrics) {
  // The logit 0.3 is a positive on the right side of 0 but below 0.5.
  const auto s = labelwise({1, 0, 1, 0}, {2.0f, -1.0f, 0.3f, -0.4f}, 1);
  const auto cs = catalogue(s, MetricKind::accuracy, ScoresAre::logits);
  EXPECT_EQ(find(cs, "accuracy.binary.raw").value, 0.75);  // 0.3 (target 1) wrong
  EXPECT_EQ(find(cs, "accuracy.binary.sigmoid").value, 1.0);
  EXPECT_EQ(find(cs, "accuracy.binary.torchmetrics_auto").value, 1.0);
  EXPECT_NE(find(cs, "accuracy.binary.raw").libraries.find("Keras binary_accuracy"),
            std::string::npos);
  // One label: no macro or subset readings (they equal the element-wise ones).
  EXPECT_EQ(cs.size(), 3u);
  const auto loss = catalogue(s, MetricKind::loss, ScoresAre::logits);
  EXPECT_EQ(loss.front().id, "loss.bce_logits");
  const double expected = (std::log1p(std::exp(-2.0)) + std::log1p(std::exp(-1.0)) +
                           std::log1p(std::exp(-0.3)) + std::log1p(std::exp(-0.4))) /
                          4.0;
  EXPECT_NEAR(loss.front().value, expected, 1e-7);
  // Probability families need every score in [0, 1].
  EXPECT_TRUE(std::isnan(find(loss, "loss.bce_keras_probabilities").value));
  EXPECT_FALSE(find(loss, "loss.bce_torch_probabilities").unavailable.empty());
}

TEST(LabelwiseCatalogue, LogitsLossOnProbabilitiesIsSigmoidTwice) {
  const auto s = labelwise({1, 0}, {0.9f, 0.2f}, 1);
  const auto loss = catalogue(s, MetricKind::loss);  // inferred: all scores in [0, 1]
  EXPECT_EQ(loss.front().id, "loss.sigmoid_twice");
  EXPECT_GE(loss.front().value, std::log1p(std::exp(-1.0)));
  EXPECT_NEAR(find(loss, "loss.bce_keras_probabilities").value,
              -(std::log(0.9) + std::log(0.8)) / 2.0, 1e-6);
  EXPECT_EQ(catalogue(s, MetricKind::loss, ScoresAre::logits).front().id, "loss.bce_logits");
  // torchmetrics reads these scores as probabilities (raw); a sigmoid makes both positive.
  const auto acc = catalogue(s, MetricKind::accuracy);
  EXPECT_EQ(find(acc, "accuracy.binary.torchmetrics_auto").value, 1.0);
  EXPECT_EQ(find(acc, "accuracy.binary.sigmoid").value, 0.5);
}

TEST(LabelwiseCatalogue, KerasClipsWhereTorchClampsTheLog) {
  // A confident wrong probability of exactly 0: Keras clips to 1e-7 (-log = 16.1),
  // torch BCELoss clamps the log at -100.
  const auto s = labelwise({1}, {0.0f}, 1);
  const auto loss = catalogue(s, MetricKind::loss, ScoresAre::probabilities);
  EXPECT_NEAR(find(loss, "loss.bce_torch_probabilities").value, 100.0, 1e-9);
  EXPECT_NEAR(find(loss, "loss.bce_keras_probabilities").value,
              -std::log(static_cast<double>(1e-7f)), 1e-6);
}

// Precision, recall and F1 of label cells: the three score readings pooled over the cells,
// and for several labels the per-label averages on the model's decisions.
TEST(LabelwiseCatalogue, PerClassMetrics) {
  // Logits: the 0.3 positive is right after a sigmoid and missed at 0.5.
  const auto binary = labelwise({1, 0, 1, 0}, {2.0f, -1.0f, 0.3f, -0.4f}, 1);
  const auto f1 = catalogue(binary, MetricKind::f1, ScoresAre::logits);
  EXPECT_EQ(f1.size(), 3u);  // one label: no per-label averages
  EXPECT_EQ(find(f1, "f1.micro.sigmoid").value, 1.0);
  EXPECT_NEAR(find(f1, "f1.micro.raw").value, 2.0 / 3.0, 1e-15);  // tp 1, fn 1
  EXPECT_EQ(find(f1, "f1.micro.raw").rule, "MP003");
  EXPECT_NE(find(f1, "f1.micro.raw").libraries.find("Keras F1Score"), std::string::npos);
  // Probabilities, three labels: label 2 is never positive nor predicted.
  const auto multi = labelwise({1, 0, 0, 0, 1, 0}, {0.8f, 0.6f, 0.1f, 0.2f, 0.9f, 0.3f}, 3);
  const auto p = catalogue(multi, MetricKind::precision, ScoresAre::probabilities);
  // Per label precision: 0: 1/1, 1: 1/2, 2: 0/0.
  EXPECT_NEAR(find(p, "precision.macro.raw").value, (1.0 + 0.5 + 0.0) / 3.0, 1e-15);
  EXPECT_NEAR(find(p, "precision.macro.zero_division_1.raw").value,
              (1.0 + 0.5 + 1.0) / 3.0, 1e-15);
  EXPECT_NEAR(find(p, "precision.macro.zero_division_nan.raw").value, 0.75, 1e-15);
  EXPECT_NEAR(find(p, "precision.micro.raw").value, 2.0 / 3.0, 1e-15);
  EXPECT_EQ(find(p, "precision.weighted.raw").rule, "MP002");
}

TEST(LabelwiseCatalogue, MultilabelAddsMacroAndSubsetWithUniqueIds) {
  const auto s = labelwise({1, 0, 0, 0, 1, 1}, {0.8f, 0.6f, 0.1f, 0.2f, 0.9f, 0.7f}, 3);
  const auto cs = catalogue(s, MetricKind::accuracy);
  EXPECT_NEAR(find(cs, "accuracy.binary.raw").value, 5.0 / 6.0, 1e-15);
  EXPECT_NEAR(find(cs, "accuracy.multilabel.macro").value, 5.0 / 6.0, 1e-15);
  EXPECT_EQ(find(cs, "accuracy.subset.raw").value, 0.5);
  EXPECT_EQ(find(cs, "accuracy.subset.torchmetrics_auto").value, 0.5);
  EXPECT_EQ(find(cs, "accuracy.subset.sigmoid").value, 0.0);
  std::set<std::string> ids;
  for (const auto& c : cs) EXPECT_TRUE(ids.insert(c.id).second) << c.id;
  for (const auto& c : catalogue(s, MetricKind::loss)) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
  }
}

// ---- ids derived from conventions, rules on every row -------------------------

// Each row's id is its convention's (one naming scheme): only the logits-family loss on
// probabilities is renamed for what it then computes. Every row names its audit rule.
template <typename C>
void expect_rows_derive_their_ids(const std::vector<C>& cs, bool probabilities) {
  std::set<std::string> ids;
  for (const auto& c : cs) {
    SCOPED_TRACE(c.id);
    EXPECT_EQ(c.id, reading_id(c.convention, probabilities));
    const bool twice =
        c.id.starts_with("loss.softmax_twice") || c.id.starts_with("loss.sigmoid_twice");
    if (!twice) {
      EXPECT_EQ(c.id, c.convention.id());
    }
    EXPECT_EQ(c.rule.size(), 5u);
    EXPECT_FALSE(c.description.empty());
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id";
  }
}

TEST(Catalogue, EveryRowDerivesItsIdFromItsConventionAndNamesARule) {
  OwnedBatch b;
  b.classes = 6;
  b.target = {0, 1, 2};
  b.scores = {0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.1,
              0.1, 0.1, 0.1, 0.1, 0.1, 0.5, 0.1, 0.1, 0.1};
  const auto s = evaluate(b.view(), options_for(6));
  for (MetricKind kind : {MetricKind::accuracy, MetricKind::precision, MetricKind::recall,
                          MetricKind::f1, MetricKind::balanced_accuracy}) {
    expect_rows_derive_their_ids(catalogue(s, kind), false);
  }
  for (bool probabilities : {false, true}) {
    expect_rows_derive_their_ids(
        catalogue(s, MetricKind::loss,
                  probabilities ? ScoresAre::probabilities : ScoresAre::logits),
        probabilities);
  }
  for (std::int64_t labels : {1, 3}) {
    const auto l = labelwise({1, 0, 1, 0, 1, 1}, {0.8f, 0.6f, 0.1f, 0.2f, 0.9f, 0.7f}, labels);
    for (MetricKind kind :
         {MetricKind::accuracy, MetricKind::precision, MetricKind::recall, MetricKind::f1}) {
      expect_rows_derive_their_ids(catalogue(l, kind), false);
    }
    for (bool probabilities : {false, true}) {
      expect_rows_derive_their_ids(
          catalogue(l, MetricKind::loss,
                    probabilities ? ScoresAre::probabilities : ScoresAre::logits),
          probabilities);
    }
  }
  // The readings the audit names in findings, with their rules.
  const auto acc = catalogue(s, MetricKind::accuracy);
  EXPECT_EQ(find(acc, "accuracy.macro.absent_zero").rule, "MA001");
  EXPECT_EQ(find(acc, "accuracy.balanced").rule, "MA002");
  EXPECT_EQ(find(acc, "accuracy.elementwise_binary").rule, "MA003");
  EXPECT_EQ(find(acc, "accuracy.top2").rule, "MA004");
  EXPECT_EQ(catalogue(s, MetricKind::loss, ScoresAre::probabilities).front().rule, "ML001");
}

// Precision, recall and F1: each row is the reading of its convention, the macro average
// with absent classes as 0 stands for MP001 and every other average for MP002.
TEST(Catalogue, PerClassMetricsReadEveryAverage) {
  // Class 2 is a target but never predicted (precision 0/0); class 3 never appears.
  OwnedBatch b;
  b.classes = 4;
  b.target = {0, 1, 2, 0, 1};
  b.scores = {0.9, 0.1, 0.0, 0.0, 0.2, 0.8, 0.0, 0.0, 0.6, 0.3,
              0.1, 0.0, 0.1, 0.9, 0.0, 0.0, 0.2, 0.7, 0.1, 0.0};
  const auto s = evaluate(b.view(), options_for(4));
  // Per class precision: 0: 1/2, 1: 2/3, 2: 0/0.
  const auto precision = catalogue(s, MetricKind::precision);
  EXPECT_NEAR(find(precision, "precision.micro").value, 3.0 / 5.0, 1e-15);
  EXPECT_NEAR(find(precision, "precision.macro.absent_zero").value, (0.5 + 2.0 / 3.0) / 4.0, 1e-15);
  EXPECT_NEAR(find(precision, "precision.macro.exclude_unseen").value, (0.5 + 2.0 / 3.0) / 3.0,
              1e-15);
  EXPECT_NEAR(find(precision, "precision.macro.exclude_unseen.zero_division_1").value,
              (0.5 + 2.0 / 3.0 + 1.0) / 3.0, 1e-15);
  EXPECT_NEAR(find(precision, "precision.macro.exclude_unseen.zero_division_nan").value,
              (0.5 + 2.0 / 3.0) / 2.0, 1e-15);
  EXPECT_EQ(find(precision, "precision.macro.absent_zero").rule, "MP001");
  EXPECT_EQ(find(precision, "precision.weighted").rule, "MP002");
  EXPECT_NE(find(precision, "precision.macro.absent_zero").libraries.find("MulticlassPrecision"),
            std::string::npos);
  // F1 has no zero_division rows (its 0/0 is an unseen class, left out anyway).
  const auto f1 = catalogue(s, MetricKind::f1);
  for (const auto& c : f1) EXPECT_EQ(c.id.find("zero_division"), std::string::npos) << c.id;
  // Balanced accuracy: sklearn's and the accuracy averages it is confused with.
  const auto balanced = catalogue(s, MetricKind::balanced_accuracy);
  // Recall per class present in the target: 0: 1/2, 1: 2/2, 2: 0/1.
  EXPECT_NEAR(find(balanced, "accuracy.balanced").value, 0.5, 1e-15);
  EXPECT_NEAR(find(balanced, "accuracy.balanced.adjusted").value, (0.5 - 1.0 / 3.0) / (2.0 / 3.0),
              1e-15);
  EXPECT_EQ(find(balanced, "accuracy.macro.absent_zero").rule, "MP001");
  EXPECT_EQ(find(balanced, "accuracy.micro").rule, "MP002");
  // No balanced accuracy of a labelwise state.
  EXPECT_TRUE(catalogue(labelwise({1, 0}, {0.9f, 0.2f}, 1), MetricKind::balanced_accuracy).empty());
}

TEST(Catalogue, ReadingIdsNameEveryChoiceThatDiffersFromTheDefault) {
  Convention c;
  c.metric = Metric::precision;
  c.average = Average::macro;
  c.zero_division = ZeroDivision::one;
  EXPECT_EQ(c.id(), "precision.macro.exclude_unseen.zero_division_1");
  c.top_k = 2;
  c.ties = TieRule::torch_topk;
  c.topk_predicted = TopKPredicted::whole_set;
  c.sample_weighted = false;
  EXPECT_EQ(c.id(),
            "precision.top2.macro.exclude_unseen.zero_division_1.ties_torch_topk."
            "predicted_whole_set.unweighted");
  Convention balanced;
  balanced.metric = Metric::balanced_accuracy;
  balanced.adjusted = true;
  EXPECT_EQ(balanced.id(), "accuracy.balanced.adjusted");
  // A loss family's own normalisation is not named; another one is.
  Convention loss;
  loss.metric = Metric::cross_entropy;
  loss.class_weights = {1.0, 2.0};
  loss.reduction = Reduction::sum;
  EXPECT_EQ(loss.id(), "loss.logits.class_weights.sum");
  EXPECT_EQ(reading_id(loss, true), "loss.softmax_twice.class_weights.sum");
  EXPECT_EQ(reading_id(loss, false), "loss.logits.class_weights.sum");
  loss.weight_norm = ClassWeightNorm::sample_count;
  EXPECT_EQ(loss.id(), "loss.logits.class_weights.norm_sample_count.sum");
  loss.loss = LossFamily::keras_binary_onehot;
  EXPECT_EQ(loss.id(), "loss.binary_onehot.class_weights.sum");
  EXPECT_EQ(reading_id(loss, true), loss.id());  // only the logits family is renamed
  LabelwiseConvention l;
  l.average = Average::macro;
  l.reading = ScoreReading::raw;
  EXPECT_EQ(l.id(), "accuracy.multilabel.macro.raw");
  l.metric = LabelwiseMetric::binary_cross_entropy;
  l.reduction = Reduction::sum;
  EXPECT_EQ(reading_id(l, true), "loss.sigmoid_twice.sum");
  l.loss = BinaryLossFamily::torch_probabilities;
  EXPECT_EQ(l.id(), "loss.bce_torch_probabilities.sum");
}

}  // namespace
}  // namespace metricaudit
