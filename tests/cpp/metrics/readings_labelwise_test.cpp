// Precision, recall and F1 of binary / multilabel states: per label from the counts of
// the convention's score reading, averaged by average_ratios.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "metricaudit/metricaudit.hpp"

namespace metricaudit {
namespace {

// target [[1,0],[1,1],[0,0]], scores > 0.5: [[1,0],[1,0],[0,1]].
// label 0: tp 2, fp 0, fn 0, tn 1; label 1: tp 0, fp 1, fn 1, tn 1.
LabelwiseState two_labels(bool weighted = false) {
  const std::vector<std::int64_t> target{1, 0, 1, 1, 0, 0};
  const std::vector<double> scores{0.9, 0.1, 0.8, 0.3, 0.2, 0.7};
  const std::vector<double> weights{1.0, 2.0, 1.0};
  LabelwiseBatch b;
  b.target = ArrayView::matrix(target.data(), 3, 2);
  b.scores = ArrayView::matrix(scores.data(), 3, 2);
  if (weighted) b.sample_weight = ArrayView::vector(weights.data(), 3);
  LabelwiseOptions o;
  o.num_labels = 2;
  return evaluate(b, o);
}

LabelwiseConvention conv(LabelwiseMetric m, Average a) {
  LabelwiseConvention c;
  c.metric = m;
  c.average = a;
  c.reading = ScoreReading::raw;
  return c;
}

TEST(ReadingsLabelwise, PrecisionRecallF1PerLabelAndAveraged) {
  const auto s = two_labels();
  for (LabelwiseMetric m :
       {LabelwiseMetric::precision, LabelwiseMetric::recall, LabelwiseMetric::f1}) {
    EXPECT_EQ(read_per_label(s, conv(m, Average::none)), (std::vector<double>{1.0, 0.0}));
    EXPECT_DOUBLE_EQ(read(s, conv(m, Average::micro)), 2.0 / 3.0);  // tp 2, fp 1, fn 1
    EXPECT_DOUBLE_EQ(read(s, conv(m, Average::macro)), 0.5);
    EXPECT_DOUBLE_EQ(read(s, conv(m, Average::weighted)), 2.0 / 3.0);  // support 2 and 1
  }
  // Accuracy per label: 3/3 and 1/3; weighted by support: (2 + 1/3) / 3.
  EXPECT_DOUBLE_EQ(read(s, conv(LabelwiseMetric::accuracy, Average::weighted)), 7.0 / 9.0);
}

TEST(ReadingsLabelwise, ZeroDivisionAndAbsentLabels) {
  // Label 1 is never positive, in the target nor in the predictions.
  const std::vector<std::int64_t> target{1, 0, 0, 0};
  const std::vector<double> scores{0.9, 0.1, 0.2, 0.3};
  LabelwiseBatch b;
  b.target = ArrayView::matrix(target.data(), 2, 2);
  b.scores = ArrayView::matrix(scores.data(), 2, 2);
  LabelwiseOptions o;
  o.num_labels = 2;
  const auto s = evaluate(b, o);
  auto c = conv(LabelwiseMetric::precision, Average::macro);
  EXPECT_DOUBLE_EQ(read(s, c), 0.5);  // 0/0 -> 0, over both labels
  c.zero_division = ZeroDivision::one;
  EXPECT_DOUBLE_EQ(read(s, c), 1.0);
  c.zero_division = ZeroDivision::nan;  // NaN labels are left out
  EXPECT_DOUBLE_EQ(read(s, c), 1.0);
  c.zero_division = ZeroDivision::zero;
  c.absent = Absent::exclude_unseen;
  EXPECT_DOUBLE_EQ(read(s, c), 1.0);
}

TEST(ReadingsLabelwise, PerLabelCountsAreNotKeptWithSampleWeights) {
  const auto s = two_labels(/*weighted=*/true);
  EXPECT_THROW(read(s, conv(LabelwiseMetric::precision, Average::micro)), UnavailableError);
  EXPECT_THROW(read(s, conv(LabelwiseMetric::recall, Average::macro)), UnavailableError);
  auto unweighted = conv(LabelwiseMetric::precision, Average::micro);
  unweighted.sample_weighted = false;
  EXPECT_DOUBLE_EQ(read(s, unweighted), 2.0 / 3.0);
  // Micro accuracy is kept weighted: cells right 2, 1, 1 weighted 1, 2, 1 -> 5 / (4 * 2).
  EXPECT_DOUBLE_EQ(read(s, conv(LabelwiseMetric::accuracy, Average::micro)), 5.0 / 8.0);
}

}  // namespace
}  // namespace metricaudit
