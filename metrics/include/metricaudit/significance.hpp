// Significance of a difference between two runs, from the per-sample states of
// paired_state.hpp. Every formula and its source is stated at its definition in
// src/significance.cpp and in docs/compare.md; each is tested against scipy or
// statsmodels (tests/python/test_significance.py) to 1e-9.
//
// Differences are always run B minus run A.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "metricaudit/paired_state.hpp"

namespace metricaudit::stats {

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

/// One test of B - A.
struct TestResult {
  double estimate = 0.0;          ///< the difference B - A
  Interval ci;                    ///< at level 1 - alpha
  std::optional<double> p_value;  ///< two-sided; nullopt for an interval without a test
  double statistic = 0.0;         ///< t, or the smaller discordant count for McNemar
  double df = 0.0;                ///< degrees of freedom of a t test, else 0
};

// ---- distributions ------------------------------------------------------------

/// The standard normal quantile Phi^-1(p), p in (0, 1) (Wichura 1988, AS 241).
double normal_quantile(double p);
/// The regularized incomplete beta function I_x(a, b), a, b > 0, x in [0, 1].
double incomplete_beta(double a, double b, double x);
/// P(T > t) for Student's t with df > 0 degrees of freedom (any real t).
double student_t_upper_tail(double t, double df);
/// The quantile t with P(T <= t) = p, p in (0, 1).
double student_t_quantile(double p, double df);
/// P(X <= k) for X ~ Binomial(n, p), p in [0, 1].
double binomial_cdf(std::int64_t k, std::int64_t n, double p);

// ---- intervals and tests --------------------------------------------------------

/// Wilson's score interval for a proportion x / n at level 1 - alpha.
Interval wilson_interval(std::int64_t x, std::int64_t n, double alpha);

/// McNemar's exact test: two-sided p-value for `only_a` samples right in A only and
/// `only_b` right in B only (binomial test of min(only_a, only_b) in their sum at 1/2).
double mcnemar_exact_p(std::int64_t only_a, std::int64_t only_b);

/// Two accuracies on the same samples: table[i][j] = samples with A's outcome i and B's
/// outcome j (PairedState::table). McNemar's exact p-value, and Newcombe's hybrid score
/// (square-and-add) interval for the paired difference p_B - p_A.
TestResult paired_proportions(const std::array<std::array<std::int64_t, 2>, 2>& table,
                              double alpha);

/// Two accuracies on different samples: x_a / n_a and x_b / n_b. Newcombe's hybrid score
/// interval for p_B - p_A (no p-value: the decision is whether the interval holds 0).
TestResult independent_proportions(std::int64_t x_a, std::int64_t n_a, std::int64_t x_b,
                                   std::int64_t n_b, double alpha);

/// Paired t on per-sample differences x_b - x_a (PairedState::difference): mean, the
/// t interval and two-sided p (as scipy.stats.ttest_rel). Needs 2 finite values or more.
TestResult paired_t(const SampleMoments& differences, double alpha);

/// Welch's unequal-variance t on two independent samples: mean_b - mean_a, the interval
/// with Welch-Satterthwaite degrees of freedom and two-sided p (as
/// scipy.stats.ttest_ind(equal_var=False)). Needs 2 finite values or more in each.
TestResult welch_t(const SampleMoments& a, const SampleMoments& b, double alpha);

}  // namespace metricaudit::stats
