// average_ratios: the averaging step every classification reading shares.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metricaudit/readings.hpp"

namespace metricaudit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Class 0: seen and supported; 1: only predicted (seen, no support); 2: absent.
ClassRatios three_classes(double v0, double v1, double v2) {
  return {{v0, v1, v2}, {4.0, 0.0, 0.0}, {true, true, false}, {true, false, false}};
}

TEST(AverageRatios, MacroLeavesOutWhatTheAbsentRuleSays) {
  const auto r = three_classes(0.5, 0.25, 0.0);
  EXPECT_DOUBLE_EQ(average_ratios(r, Average::macro, Absent::zero, ZeroDivision::zero), 0.75 / 3.0);
  EXPECT_DOUBLE_EQ(average_ratios(r, Average::macro, Absent::exclude_unseen, ZeroDivision::zero),
                   0.375);
  EXPECT_DOUBLE_EQ(
      average_ratios(r, Average::macro, Absent::exclude_no_support, ZeroDivision::zero), 0.5);
}

TEST(AverageRatios, NanValuesAreLeftOutAsSklearnsNanaverage) {
  const auto r = three_classes(0.5, kNaN, kNaN);
  EXPECT_DOUBLE_EQ(average_ratios(r, Average::macro, Absent::zero, ZeroDivision::zero), 0.5);
  EXPECT_DOUBLE_EQ(average_ratios(r, Average::weighted, Absent::zero, ZeroDivision::zero), 0.5);
}

TEST(AverageRatios, WeightedWeighsBySupport) {
  const ClassRatios r{{1.0, 0.5}, {1.0, 3.0}, {true, true}, {true, true}};
  EXPECT_DOUBLE_EQ(average_ratios(r, Average::weighted, Absent::zero, ZeroDivision::zero),
                   2.5 / 4.0);
}

TEST(AverageRatios, AMeanOverNoClassIsZeroOrNanWhenEveryValueIsNan) {
  const ClassRatios none_seen{{1.0, 1.0}, {0.0, 0.0}, {false, false}, {false, false}};
  // torchmetrics: _safe_divide(weights * score, weights.sum()) with a zero weight sum.
  EXPECT_EQ(average_ratios(none_seen, Average::macro, Absent::exclude_unseen, ZeroDivision::zero),
            0.0);
  EXPECT_EQ(average_ratios(none_seen, Average::weighted, Absent::zero, ZeroDivision::zero), 0.0);
  // sklearn: _nanaverage of all-NaN values.
  const ClassRatios all_nan{{kNaN, kNaN}, {0.0, 0.0}, {true, true}, {true, true}};
  EXPECT_TRUE(
      std::isnan(average_ratios(all_nan, Average::macro, Absent::zero, ZeroDivision::zero)));
  EXPECT_TRUE(
      std::isnan(average_ratios(all_nan, Average::weighted, Absent::zero, ZeroDivision::zero)));
}

TEST(AverageRatios, MicroAndNoneAreNotAverages) {
  const auto r = three_classes(0.5, 0.25, 0.0);
  EXPECT_THROW(average_ratios(r, Average::micro, Absent::zero, ZeroDivision::zero),
               InvalidArgument);
  EXPECT_THROW(average_ratios(r, Average::none, Absent::zero, ZeroDivision::zero), InvalidArgument);
}

TEST(AverageRatios, BinaryIsThePositiveClassOfAtMostTwoLabels) {
  // sklearn average="binary": pos_label = 1.
  const ClassRatios two{
      {0.25, 0.75, 0.0}, {1.0, 1.0, 0.0}, {true, true, false}, {true, true, false}};
  EXPECT_EQ(average_ratios(two, Average::binary, Absent::zero, ZeroDivision::zero), 0.75);
  // Only label 0 present: the positive class is 0/0.
  const ClassRatios one{{0.5}, {1.0}, {true}, {true}};
  EXPECT_EQ(average_ratios(one, Average::binary, Absent::zero, ZeroDivision::one), 1.0);
  // Three labels, or two without 1: refused as sklearn refuses them.
  const ClassRatios three{{0.5, 0.5, 0.5}, {1.0, 1.0, 1.0}, {true, true, true}, {true, true, true}};
  EXPECT_THROW(average_ratios(three, Average::binary, Absent::zero, ZeroDivision::zero),
               InvalidArgument);
  const ClassRatios no_one{
      {0.5, 0.0, 0.5}, {1.0, 0.0, 1.0}, {true, false, true}, {true, false, true}};
  try {
    average_ratios(no_one, Average::binary, Absent::zero, ZeroDivision::zero);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "average='binary': expected at most two labels in target and preds, 1 among "
                 "them (sklearn's pos_label=1), got 2 labels (0, 2); pass average='micro', "
                 "'macro' or 'weighted'");
  }
}

TEST(Ratio, ZeroOverZeroIsTheZeroDivisionValue) {
  EXPECT_EQ(ratio(1.0, 4.0, ZeroDivision::nan), 0.25);
  EXPECT_EQ(ratio(0.0, 0.0, ZeroDivision::zero), 0.0);
  EXPECT_EQ(ratio(0.0, 0.0, ZeroDivision::one), 1.0);
  EXPECT_TRUE(std::isnan(ratio(0.0, 0.0, ZeroDivision::nan)));
}

}  // namespace
}  // namespace metricaudit
