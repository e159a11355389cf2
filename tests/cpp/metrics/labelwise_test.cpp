// Binary and multilabel: the three score readings, subset vs element-wise, BCE.
#include <gtest/gtest.h>

#include <cmath>

#include "metricaudit/metricaudit.hpp"

namespace metricaudit {
namespace {

struct Owned {
  std::vector<std::int64_t> target;
  std::vector<double> scores;
  std::vector<double> weights;
  std::int64_t labels = 1;
  LabelwiseBatch view() const {
    const auto n = static_cast<std::int64_t>(target.size()) / labels;
    LabelwiseBatch b;
    b.target = labels == 1 ? ArrayView::vector(target.data(), n)
                           : ArrayView::matrix(target.data(), n, labels);
    b.scores = labels == 1 ? ArrayView::vector(scores.data(), n)
                           : ArrayView::matrix(scores.data(), n, labels);
    if (!weights.empty()) b.sample_weight = ArrayView::vector(weights.data(), n);
    return b;
  }
};

LabelwiseConvention acc(ScoreReading r, Average a = Average::micro) {
  LabelwiseConvention c;
  c.metric = LabelwiseMetric::accuracy;
  c.reading = r;
  c.average = a;
  return c;
}

TEST(Labelwise, BinaryProbabilitiesStrictThreshold) {
  Owned o{{1, 0, 1, 0}, {0.9, 0.5, 0.5, 0.2}, {}, 1};
  const auto s = evaluate(o.view(), LabelwiseOptions{});
  // raw: 0.5 is not > 0.5, so row 1 right (0) and row 2 wrong
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::raw)), 0.75);
  // every score in [0, 1]: torchmetrics keeps them as probabilities
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::torchmetrics_auto)), 0.75);
  // sigmoid of a probability is always > 0.5 for p > 0: rows 0, 2 right
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::sigmoid)), 0.5);
}

TEST(Labelwise, TorchmetricsAutoSigmoidIsDecidedPerUpdate) {
  // Batch A holds one logit outside [0, 1]: the whole batch gets a sigmoid.
  Owned a{{1, 0}, {1.5, 0.4}, {}, 1};  // sigmoid: 0.82 -> 1 right, 0.599 -> 1 wrong
  Owned b{{1, 0}, {0.6, 0.4}, {}, 1};  // probabilities: both right
  LabelwiseState s(LabelwiseOptions{});
  update(s, a.view());
  update(s, b.view());
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::torchmetrics_auto)), 0.75);
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::raw)), 1.0);      // 1.5 > 0.5, 0.4 < 0.5 ...
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::sigmoid)), 0.5);  // sigmoid(0.4) > 0.5 in both
  EXPECT_FALSE(s.scores_in_unit_interval);
}

TEST(Labelwise, MultilabelSubsetVersusElementwiseVersusMacro) {
  // 3 rows x 2 labels
  Owned o{{1, 0, 1, 1, 0, 0}, {0.9, 0.1, 0.8, 0.3, 0.2, 0.7}, {}, 2};
  LabelwiseOptions opt;
  opt.num_labels = 2;
  const auto s = evaluate(o.view(), opt);
  // cells right: row 0: 2, row 1: 1, row 2: 1 -> 4 / 6
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::raw)), 4.0 / 6.0);
  LabelwiseConvention subset;
  subset.metric = LabelwiseMetric::subset_accuracy;
  subset.reading = ScoreReading::raw;
  EXPECT_DOUBLE_EQ(read(s, subset), 1.0 / 3.0);
  // per label: label 0 all right (3/3), label 1 one right (1/3)
  EXPECT_EQ(read_per_label(s, acc(ScoreReading::raw, Average::none)),
            (std::vector<double>{1.0, 1.0 / 3.0}));
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::raw, Average::macro)), 2.0 / 3.0);
}

TEST(Labelwise, BinaryCrossEntropyFamilies) {
  Owned o{{1, 0}, {0.8, 0.0}, {}, 1};
  const auto s = evaluate(o.view(), LabelwiseOptions{});
  LabelwiseConvention c;
  c.metric = LabelwiseMetric::binary_cross_entropy;
  c.loss = BinaryLossFamily::torch_probabilities;
  EXPECT_NEAR(read(s, c), (-std::log(0.8) + 0.0) / 2, 1e-15);
  // Keras computes in float32 whatever the input dtype: 0.8 is read as float32(0.8) and
  // 0 is clipped to float32(1e-7).
  c.loss = BinaryLossFamily::keras_probabilities;
  const double eps32 = static_cast<double>(static_cast<float>(1e-7));
  EXPECT_NEAR(read(s, c), (-std::log(static_cast<double>(0.8f)) - std::log1p(-eps32)) / 2, 1e-15);
  c.loss = BinaryLossFamily::torch_logits;  // the same numbers read as logits
  const double l0 = std::log1p(std::exp(-0.8));
  const double l1 = std::log1p(std::exp(0.0));
  EXPECT_NEAR(read(s, c), (l0 + l1) / 2, 1e-15);
}

TEST(Labelwise, BinaryCrossEntropySumOverElements) {
  Owned o{{1, 0, 1, 1}, {0.9, 0.2, 0.6, 0.3}, {}, 2};
  LabelwiseOptions opt;
  opt.num_labels = 2;
  LabelwiseConvention c;
  c.metric = LabelwiseMetric::binary_cross_entropy;
  c.loss = BinaryLossFamily::torch_probabilities;
  c.reduction = Reduction::sum;
  const double sum = -std::log(0.9) - std::log(0.8) - std::log(0.6) - std::log(0.3);
  EXPECT_NEAR(read(evaluate(o.view(), opt), c), sum, 1e-14);
  c.reduction = Reduction::mean;
  EXPECT_NEAR(read(evaluate(o.view(), opt), c), sum / 4, 1e-15);
}

TEST(Labelwise, TorchBceClampsLogAtMinus100) {
  Owned o{{1}, {0.0}, {}, 1};
  LabelwiseConvention c;
  c.metric = LabelwiseMetric::binary_cross_entropy;
  c.loss = BinaryLossFamily::torch_probabilities;
  EXPECT_DOUBLE_EQ(read(evaluate(o.view(), LabelwiseOptions{}), c), 100.0);
}

TEST(Labelwise, ProbabilityBceUnavailableOnLogits) {
  Owned o{{1, 0}, {2.0, -1.0}, {}, 1};
  LabelwiseConvention c;
  c.metric = LabelwiseMetric::binary_cross_entropy;
  c.loss = BinaryLossFamily::keras_probabilities;
  EXPECT_THROW(read(evaluate(o.view(), LabelwiseOptions{}), c), UnavailableError);
}

TEST(Labelwise, SampleWeights) {
  Owned o{{1, 0, 1}, {0.9, 0.9, 0.1}, {2.0, 1.0, 1.0}, 1};
  const auto s = evaluate(o.view(), LabelwiseOptions{});
  EXPECT_DOUBLE_EQ(read(s, acc(ScoreReading::raw)), 0.5);
  auto c = acc(ScoreReading::raw);
  c.sample_weighted = false;
  EXPECT_DOUBLE_EQ(read(s, c), 1.0 / 3.0);
}

TEST(Labelwise, Errors) {
  Owned bad_label{{2}, {0.5}, {}, 1};
  try {
    evaluate(bad_label.view(), LabelwiseOptions{});
    FAIL();
  } catch (const ValueRangeError& e) {
    EXPECT_STREQ(e.what(), "target: expected 0 or 1, got 2 at index 0");
  }
  Owned nan_score{{1, 0}, {0.5, std::nan("")}, {}, 1};
  try {
    evaluate(nan_score.view(), LabelwiseOptions{});
    FAIL();
  } catch (const ValueRangeError& e) {
    EXPECT_STREQ(e.what(), "preds: expected finite scores, got nan at index 1");
  }
  LabelwiseOptions two;
  two.num_labels = 2;
  Owned wrong_width{{1, 0}, {0.5, 0.5}, {}, 1};
  EXPECT_THROW(evaluate(wrong_width.view(), two), ShapeError);
  LabelwiseOptions bad_threshold;
  bad_threshold.threshold = 1.5;
  EXPECT_THROW(LabelwiseState{bad_threshold}, InvalidArgument);
}

}  // namespace
}  // namespace metricaudit
