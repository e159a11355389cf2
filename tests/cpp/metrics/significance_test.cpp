// The statistics against published values. Random inputs are checked against scipy and
// statsmodels themselves in tests/python/test_significance.py; here, the worked examples
// of the papers and tables, and the edge cases the compare command relies on.
#include "metricaudit/significance.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "metricaudit/error.hpp"

namespace metricaudit::stats {
namespace {

TEST(Distributions, NormalAndStudentQuantilesMatchTables) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-14);
  EXPECT_NEAR(normal_quantile(1e-20), -9.262340089798408, 1e-12);
  // Student's t, two-sided 5 %: 12.706 (df 1), 4.303 (2), 2.228 (10), 1.960 (inf).
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736174698, 1e-11);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302652729749464, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.2281388519862744, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.025, 10), -2.2281388519862744, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 1e9), 1.959963984540054, 1e-8);
  for (double df : {1.0, 2.5, 7.0, 30.0, 1234.5, 1e6}) {
    for (double p : {0.6, 0.9, 0.975, 0.999, 0.9999999}) {
      const double t = student_t_quantile(p, df);
      EXPECT_NEAR(student_t_upper_tail(t, df), 1 - p, 1e-12 * (1 - p)) << df << " " << p;
    }
  }
}

TEST(Distributions, BinomialTailsAreExactForSmallN) {
  // P(X <= 1) for Binomial(8, 1/2) = 9 / 256.
  EXPECT_NEAR(binomial_cdf(1, 8, 0.5), 9.0 / 256.0, 1e-16);
  EXPECT_NEAR(binomial_cdf(3, 10, 0.3), 0.6496107184, 1e-10);
  EXPECT_EQ(binomial_cdf(-1, 10, 0.3), 0.0);
  EXPECT_EQ(binomial_cdf(10, 10, 0.3), 1.0);
}

TEST(McNemar, ExactPIsTwiceTheSmallerTail) {
  EXPECT_NEAR(mcnemar_exact_p(1, 7), 18.0 / 256.0, 1e-16);
  EXPECT_NEAR(mcnemar_exact_p(7, 1), 18.0 / 256.0, 1e-16);
  EXPECT_EQ(mcnemar_exact_p(0, 0), 1.0);
  EXPECT_EQ(mcnemar_exact_p(5, 5), 1.0);
  EXPECT_NEAR(mcnemar_exact_p(0, 5), 2.0 / 32.0, 1e-16);  // never below alpha = 0.05
  EXPECT_LT(mcnemar_exact_p(0, 6), 0.05);
}

TEST(PairedProportions, CavoExampleOfFagerlandEtAl) {
  // Fagerland, Lydersen & Laake (2014), Stat Med 33:2850, complete response before and
  // after consolidation therapy (Cavo et al. 2012): 59 both, 6 / 16 discordant, 80
  // neither. Newcombe square-and-add: -0.0621 (95% CI -0.1186 to -0.0046), as the R
  // package contingencytables prints. Group 1 (B here) holds the 6, group 2 (A) the 16.
  const std::array<std::array<std::int64_t, 2>, 2> table{{{80, 6}, {16, 59}}};
  const TestResult r = paired_proportions(table, 0.05);
  EXPECT_NEAR(r.estimate, -0.0621, 5e-5);
  EXPECT_NEAR(r.ci.low, -0.1186, 5e-5);
  EXPECT_NEAR(r.ci.high, -0.0046, 5e-5);
  ASSERT_TRUE(r.p_value.has_value());
  EXPECT_NEAR(*r.p_value, mcnemar_exact_p(16, 6), 0);
}

TEST(IndependentProportions, NewcombeExampleOne) {
  // Newcombe (1998), Stat Med 17:873, Table II example (a): 56/70 vs 48/80, method 10
  // gives 0.0524 to 0.3339 for p1 - p2 (here p_B - p_A with B = 56/70).
  const TestResult r = independent_proportions(48, 80, 56, 70, 0.05);
  EXPECT_NEAR(r.estimate, 0.2, 1e-15);
  EXPECT_NEAR(r.ci.low, 0.0524, 5e-5);
  EXPECT_NEAR(r.ci.high, 0.3339, 5e-5);
  EXPECT_FALSE(r.p_value.has_value());
}

TEST(TTests, ConstantDifferencesHaveNoSpread) {
  SampleMoments zero, shift;
  for (int i = 0; i < 10; ++i) {
    zero.add(0.0);
    shift.add(0.25);
  }
  const TestResult same = paired_t(zero, 0.05);
  EXPECT_EQ(*same.p_value, 1.0);
  EXPECT_EQ(same.ci.low, 0.0);
  const TestResult moved = paired_t(shift, 0.05);
  EXPECT_EQ(*moved.p_value, 0.0);
  EXPECT_EQ(moved.ci.low, 0.25);
  SampleMoments one;
  one.add(1.0);
  EXPECT_THROW(paired_t(one, 0.05), InvalidArgument);
  EXPECT_THROW(welch_t(one, shift, 0.05), InvalidArgument);
  EXPECT_THROW(paired_t(shift, 1.5), InvalidArgument);
}

TEST(TTests, PairedTOnAHandExample) {
  // d = 1, 2, 3, 4: mean 2.5, sd 1.2910, se 0.6455, t = 3.873 on 3 df, p = 0.03047.
  SampleMoments d;
  for (double v : {1.0, 2.0, 3.0, 4.0}) d.add(v);
  const TestResult r = paired_t(d, 0.05);
  EXPECT_NEAR(r.estimate, 2.5, 1e-15);
  EXPECT_NEAR(r.statistic, 3.872983346207417, 1e-12);
  EXPECT_EQ(r.df, 3.0);
  EXPECT_NEAR(*r.p_value, 0.030466291662170977, 1e-12);
  EXPECT_NEAR(r.ci.low, 2.5 - 3.1824463052837078 * 0.6454972243679028, 1e-12);
}

}  // namespace
}  // namespace metricaudit::stats
