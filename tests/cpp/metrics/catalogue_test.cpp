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
  EXPECT_NEAR(find(cs, "loss.keras_probabilities").value, -std::log(0.8), 1e-12);
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

}  // namespace
}  // namespace metricaudit
