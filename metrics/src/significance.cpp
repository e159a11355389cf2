// The statistics of `metricaudit compare`, with their sources. docs/compare.md states
// the same formulas for people; tests/python/test_significance.py checks every function
// against scipy / statsmodels on random inputs to 1e-9 (relative where the value is
// small), tests/cpp/metrics/significance_test.cpp against published worked examples.
//
// Accuracy (the distributions below are the only numerics; no library is linked):
//  - normal_quantile: Wichura's AS 241 (PPND16), about 1e-16 relative.
//  - incomplete_beta: the continued fraction of Abramowitz & Stegun 26.5.8 evaluated
//    by the modified Lentz method (Numerical Recipes, 3rd ed., 6.4) in long double, with
//    the prefactor x^a (1-x)^b / B(a, b) in logs, log B(a, b) from Stirling's series
//    where an argument is >= 10 so that no difference of large lgammas is taken (the
//    arrangement of R's nmath/lbeta.c). Measured against mpmath at 60 digits on 400
//    random cases (Student's t up to df = 2e7, binomial tails up to n = 1e6, general a, b
//    in [0.1, 1e4]): relative error at most 1.5e-12.
//  - student_t: the tail from I_x(df/2, 1/2), x = df / (df + t^2), both x and 1 - x
//    formed directly; the quantile by Newton's method on the log tail from a
//    Cornish-Fisher start (exact formulas at df = 1, 2).
#include "metricaudit/significance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "metricaudit/error.hpp"

namespace metricaudit::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kHalfLog2Pi = 0.918938533204672741780329736406;  // log(2 pi) / 2

void require_alpha(double alpha) {
  if (!(alpha > 0.0 && alpha < 1.0)) {
    throw InvalidArgument("alpha: expected a level in (0, 1), got " + std::to_string(alpha));
  }
}

// Stirling's series for lgamma(x) - ((x - 1/2) log x - x + log(2 pi) / 2), x >= 10
// (Abramowitz & Stegun 6.1.41); the first omitted term, 1/(156 x^13), is below 7e-16.
double stirling_correction(double x) {
  const double r = 1.0 / x;
  const double r2 = r * r;
  return r * (1.0 / 12.0 +
              r2 * (-1.0 / 360.0 +
                    r2 * (1.0 / 1260.0 +
                          r2 * (-1.0 / 1680.0 + r2 * (1.0 / 1188.0 + r2 * (-691.0 / 360360.0))))));
}

// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) without cancellation for large
// arguments (R nmath/lbeta.c's arrangement of Stirling's formula).
double log_beta(double a, double b) {
  const double p = std::min(a, b), q = std::max(a, b);
  if (p >= 10.0) {
    const double corr =
        stirling_correction(p) + stirling_correction(q) - stirling_correction(p + q);
    return -0.5 * std::log(q) + kHalfLog2Pi + corr + (p - 0.5) * std::log(p / (p + q)) +
           q * std::log1p(-p / (p + q));
  }
  if (q >= 10.0) {
    const double corr = stirling_correction(q) - stirling_correction(p + q);
    return std::lgamma(p) + corr + p - p * std::log(p + q) + (q - 0.5) * std::log1p(-p / (p + q));
  }
  return std::lgamma(p) + std::lgamma(q) - std::lgamma(p + q);
}

// The continued fraction for I_x(a, b) / (x^a y^b / (a B(a, b))), y = 1 - x; fast for
// x < (a + 1) / (a + b + 2). Modified Lentz: Numerical Recipes 3rd ed., Beta::betacf.
// With x near 1 and a large (Student's t at large df) every other term is 1 - (almost
// 1): the fraction runs in long double (64-bit mantissa on x86-64), and its first term
// is written with y, which keeps those digits.
double beta_fraction(double a_in, double b_in, double x_in, double y_in) {
  using F = long double;
  const F a = a_in, b = b_in, x = x_in, y = y_in;
  const F tiny = 1e-300L;
  const F eps = std::numeric_limits<F>::epsilon();
  constexpr int max_iterations = 1000000;
  const F qab = a + b, qap = a + 1, qam = a - 1;
  F c = 1;
  F d = x > 0.5L ? (1 - b + qab * y) / qap : 1 - qab * x / qap;
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  F h = d;
  for (int m = 1; m <= max_iterations; ++m) {
    const F m2 = 2 * static_cast<F>(m);
    F aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const F step = d * c;
    h *= step;
    if (std::abs(step - 1) <= eps) break;
  }
  return static_cast<double>(h);
}

struct BetaTails {
  double lower;  // I_x(a, b)
  double upper;  // 1 - I_x(a, b)
};

// Both tails of the incomplete beta, the smaller one computed directly. x + y = 1, both
// given, so that a caller who knows 1 - x more precisely than 1 - x rounds can say so.
BetaTails beta_tails(double a, double b, double x, double y) {
  if (x <= 0.0) return {0.0, 1.0};
  if (y <= 0.0) return {1.0, 0.0};
  const double log_x = x < 0.5 ? std::log(x) : std::log1p(-y);
  const double log_y = y < 0.5 ? std::log(y) : std::log1p(-x);
  const double log_front = a * log_x + b * log_y - log_beta(a, b);
  if (x < (a + 1.0) / (a + b + 2.0)) {
    const double lower = std::exp(log_front) * beta_fraction(a, b, x, y) / a;
    return {lower, 1.0 - lower};
  }
  const double upper = std::exp(log_front) * beta_fraction(b, a, y, x) / b;
  return {1.0 - upper, upper};
}

// log of Student's t density.
double student_t_log_density(double t, double df) {
  return -log_beta(0.5 * df, 0.5) - 0.5 * std::log(df) - 0.5 * (df + 1.0) * std::log1p(t * t / df);
}

// t > 0 with P(T > t) = q, q in (0, 1/2).
double student_t_upper_quantile(double q, double df) {
  if (df == 1.0) return 1.0 / std::tan(std::numbers::pi * q);
  if (df == 2.0) return (1.0 - 2.0 * q) * std::sqrt(2.0 / (4.0 * q * (1.0 - q)));
  // Cornish-Fisher expansion about the normal quantile (A&S 26.7.5) as the start.
  const double z = -normal_quantile(q);
  const double z2 = z * z;
  double t = z + z * (z2 + 1.0) / (4.0 * df) +
             z * ((5.0 * z2 + 16.0) * z2 + 3.0) / (96.0 * df * df) +
             z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / (384.0 * df * df * df);
  if (!(t > 0.0) || !std::isfinite(t)) t = z > 0 ? z : 1.0;
  const double log_q = std::log(q);
  // Newton on g(t) = log P(T > t) - log q, g'(t) = -density / tail.
  for (int i = 0; i < 100; ++i) {
    const double tail = student_t_upper_tail(t, df);
    const double g = std::log(tail) - log_q;
    const double slope = -std::exp(student_t_log_density(t, df)) / tail;
    double next = t - g / slope;
    if (!(next > 0.0)) next = 0.5 * t;
    const bool done = std::abs(next - t) <= 1e-15 * t;
    t = next;
    if (done) break;
  }
  return t;
}

double two_sided_t_p(double t, double df) {
  if (std::isnan(t)) return kNaN;
  return std::min(1.0, 2.0 * student_t_upper_tail(std::abs(t), df));
}

// Mean difference with a t interval: estimate +- t_{1 - alpha/2, df} * se.
TestResult t_result(double estimate, double se, double df, double alpha) {
  TestResult r;
  r.estimate = estimate;
  r.df = df;
  if (se == 0.0) {
    // Every difference equal: no spread to test against. Identical runs (estimate 0) do
    // not differ; a constant nonzero difference is as significant as can be.
    r.statistic = estimate == 0.0 ? 0.0 : std::copysign(kInf, estimate);
    r.p_value = estimate == 0.0 ? 1.0 : 0.0;
    r.ci = {estimate, estimate};
    return r;
  }
  r.statistic = estimate / se;
  r.p_value = two_sided_t_p(r.statistic, df);
  const double half = student_t_quantile(1.0 - 0.5 * alpha, df) * se;
  r.ci = {estimate - half, estimate + half};
  return r;
}

void require_counts(std::int64_t x, std::int64_t n, const char* what) {
  if (n < 1 || x < 0 || x > n) {
    throw InvalidArgument(std::string(what) + ": expected 0 <= successes <= n and n >= 1, got " +
                          std::to_string(x) + " of " + std::to_string(n));
  }
}

}  // namespace

// ---- distributions ------------------------------------------------------------------

double normal_quantile(double p) {
  // Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the normal
  // distribution. Applied Statistics 37(3), 477-484 (PPND16, coefficients as published).
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -kInf;
    if (p == 1.0) return kInf;
    return kNaN;
  }
  const double q = p - 0.5;
  if (std::abs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r +
                 6.7265770927008700853e+4) *
                    r +
                4.5921953931549871457e+4) *
                   r +
               1.3731693765509461125e+4) *
                  r +
              1.9715909503065514427e+3) *
                 r +
             1.3314166789178437745e+2) *
                r +
            3.3871328727963666080e+0) /
           (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r +
                 3.9307895800092710610e+4) *
                    r +
                2.1213794301586595867e+4) *
                   r +
               5.3941960214247511077e+3) *
                  r +
              6.8718700749205790830e+2) *
                 r +
             4.2313330701600911252e+1) *
                r +
            1.0);
  }
  double r = std::sqrt(-std::log(q < 0.0 ? p : 1.0 - p));
  double value;
  if (r <= 5.0) {
    r -= 1.6;
    value = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r +
                  2.41780725177450611770e-1) *
                     r +
                 1.27045825245236838258e+0) *
                    r +
                3.64784832476320460504e+0) *
                   r +
               5.76949722146069140550e+0) *
                  r +
              4.63033784615654529590e+0) *
                 r +
             1.42343711074968357734e+0) /
            (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r +
                  1.51986665636164571966e-2) *
                     r +
                 1.48103976427480074590e-1) *
                    r +
                6.89767334985100004550e-1) *
                   r +
               1.67638483018380384940e+0) *
                  r +
              2.05319162663775882187e+0) *
                 r +
             1.0);
  } else {
    r -= 5.0;
    value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                  1.24266094738807843860e-3) *
                     r +
                 2.65321895265761230930e-2) *
                    r +
                2.96560571828504891230e-1) *
                   r +
               1.78482653991729133580e+0) *
                  r +
              5.46378491116411436990e+0) *
                 r +
             6.65790464350110377720e+0) /
            (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
                  1.84631831751005468180e-5) *
                     r +
                 7.86869131145613259100e-4) *
                    r +
                1.48753612908506148525e-2) *
                   r +
               1.36929880922735805310e-1) *
                  r +
              5.99832206555887937690e-1) *
                 r +
             1.0);
  }
  return q < 0.0 ? -value : value;
}

double incomplete_beta(double a, double b, double x) {
  if (!(a > 0.0 && b > 0.0 && x >= 0.0 && x <= 1.0)) {
    throw InvalidArgument("incomplete_beta: expected a, b > 0 and x in [0, 1]");
  }
  return beta_tails(a, b, x, 1.0 - x).lower;
}

double student_t_upper_tail(double t, double df) {
  if (!(df > 0.0) || std::isnan(t)) return kNaN;
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  // P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t^2) (A&S 26.7.1 / 26.5.27).
  const double t2 = t * t;
  const double x = df / (df + t2), y = t2 / (df + t2);
  const double both = beta_tails(0.5 * df, 0.5, x, y).lower;
  return t >= 0.0 ? 0.5 * both : 1.0 - 0.5 * both;
}

double student_t_quantile(double p, double df) {
  if (!(df > 0.0) || !(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -kInf;
    if (p == 1.0) return kInf;
    return kNaN;
  }
  if (p == 0.5) return 0.0;
  // 1 - p is exact for p in [1/2, 1) (Sterbenz).
  return p > 0.5 ? student_t_upper_quantile(1.0 - p, df) : -student_t_upper_quantile(p, df);
}

double binomial_cdf(std::int64_t k, std::int64_t n, double p) {
  if (n < 0 || !(p >= 0.0 && p <= 1.0)) {
    throw InvalidArgument("binomial_cdf: expected n >= 0 and p in [0, 1]");
  }
  if (k < 0) return 0.0;
  if (k >= n) return 1.0;
  if (p == 0.0) return 1.0;
  if (p == 1.0) return 0.0;
  // P(X <= k) = I_{1-p}(n - k, k + 1) (A&S 26.5.24).
  return beta_tails(static_cast<double>(n - k), static_cast<double>(k) + 1.0, 1.0 - p, p).lower;
}

// ---- intervals and tests ---------------------------------------------------------------

Interval wilson_interval(std::int64_t x, std::int64_t n, double alpha) {
  // Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
  // inference. JASA 22, 209-212. Written as statsmodels' proportion_confint(method="wilson")
  // (statsmodels/stats/proportion.py).
  require_alpha(alpha);
  require_counts(x, n, "wilson_interval");
  const double crit = -normal_quantile(0.5 * alpha);
  const double crit2 = crit * crit;
  const double nn = static_cast<double>(n);
  const double q = static_cast<double>(x) / nn;
  const double denom = 1.0 + crit2 / nn;
  const double center = (q + crit2 / (2.0 * nn)) / denom;
  const double dist = crit * std::sqrt(q * (1.0 - q) / nn + crit2 / (4.0 * nn * nn)) / denom;
  return {center - dist, center + dist};
}

double mcnemar_exact_p(std::int64_t only_a, std::int64_t only_b) {
  // McNemar, Q. (1947). Psychometrika 12, 153-157; exact form: under H0 the discordant
  // pairs split Binomial(b + c, 1/2); p = min(1, 2 P(X <= min(b, c))), as statsmodels'
  // mcnemar(exact=True) (statsmodels/stats/contingency_tables.py) and scipy's binomtest.
  if (only_a < 0 || only_b < 0) {
    throw InvalidArgument("mcnemar_exact_p: expected counts >= 0");
  }
  const std::int64_t m = only_a + only_b;
  if (m == 0) return 1.0;
  return std::min(1.0, 2.0 * binomial_cdf(std::min(only_a, only_b), m, 0.5));
}

TestResult paired_proportions(const std::array<std::array<std::int64_t, 2>, 2>& table,
                              double alpha) {
  require_alpha(alpha);
  const double both = static_cast<double>(table[1][1]);
  const double a_only = static_cast<double>(table[1][0]);
  const double b_only = static_cast<double>(table[0][1]);
  const double neither = static_cast<double>(table[0][0]);
  for (const auto& row : table) {
    for (std::int64_t v : row) {
      if (v < 0) throw InvalidArgument("paired_proportions: expected counts >= 0");
    }
  }
  const std::int64_t n = table[0][0] + table[0][1] + table[1][0] + table[1][1];
  if (n < 1) throw InvalidArgument("paired_proportions: expected at least one sample");
  const double N = static_cast<double>(n);
  const std::int64_t b_right = table[1][1] + table[0][1];
  const std::int64_t a_right = table[1][1] + table[1][0];
  const double p_b = static_cast<double>(b_right) / N;
  const double p_a = static_cast<double>(a_right) / N;

  TestResult r;
  r.estimate = (b_only - a_only) / N;
  r.statistic = std::min(a_only, b_only);
  r.p_value = mcnemar_exact_p(table[1][0], table[0][1]);

  // Newcombe, R. G. (1998). Improved confidence intervals for the difference between
  // binomial proportions based on paired data. Statistics in Medicine 17, 2635-2650,
  // method 10: Wilson intervals for both margins combined by square-and-add with the
  // continuity-corrected phi of the 2x2 table; as Fagerland, Lydersen & Laake (2014),
  // Statistics in Medicine 33, 2850-2875, and their R package contingencytables
  // (R/Newcombe_square_and_add_CI_paired_2x2.R). Group 1 is B, group 2 is A.
  const Interval wb = wilson_interval(b_right, n, alpha);
  const Interval wa = wilson_interval(a_right, n, alpha);
  const double b_margin_wrong = a_only + neither, a_margin_wrong = b_only + neither;
  double phi = 0.0;
  if (b_right > 0 && a_right > 0 && b_margin_wrong > 0 && a_margin_wrong > 0) {
    const double product = static_cast<double>(b_right) * b_margin_wrong *
                           static_cast<double>(a_right) * a_margin_wrong;
    const double det = both * neither - b_only * a_only;
    if (det > N / 2.0) {
      phi = (det - N / 2.0) / std::sqrt(product);
    } else if (det < 0.0) {
      phi = det / std::sqrt(product);
    }
  }
  const double db = p_b - wb.low, ua = wa.high - p_a;
  const double da = p_a - wa.low, ub = wb.high - p_b;
  r.ci.low = r.estimate - std::sqrt(std::max(0.0, db * db + ua * ua - 2.0 * phi * db * ua));
  r.ci.high = r.estimate + std::sqrt(std::max(0.0, da * da + ub * ub - 2.0 * phi * da * ub));
  return r;
}

TestResult independent_proportions(std::int64_t x_a, std::int64_t n_a, std::int64_t x_b,
                                   std::int64_t n_b, double alpha) {
  // Newcombe, R. G. (1998). Interval estimation for the difference between independent
  // proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890,
  // method 10 (hybrid score); as statsmodels' confint_proportions_2indep(method="newcomb")
  // (statsmodels/stats/proportion.py), with group 1 = B.
  require_alpha(alpha);
  require_counts(x_a, n_a, "independent_proportions (A)");
  require_counts(x_b, n_b, "independent_proportions (B)");
  const double p_a = static_cast<double>(x_a) / static_cast<double>(n_a);
  const double p_b = static_cast<double>(x_b) / static_cast<double>(n_b);
  const Interval wa = wilson_interval(x_a, n_a, alpha);
  const Interval wb = wilson_interval(x_b, n_b, alpha);
  TestResult r;
  r.estimate = p_b - p_a;
  r.statistic = kNaN;
  r.ci.low =
      r.estimate - std::sqrt((p_b - wb.low) * (p_b - wb.low) + (wa.high - p_a) * (wa.high - p_a));
  r.ci.high =
      r.estimate + std::sqrt((p_a - wa.low) * (p_a - wa.low) + (wb.high - p_b) * (wb.high - p_b));
  return r;
}

TestResult paired_t(const SampleMoments& d, double alpha) {
  // Student's paired t: mean difference over its standard error, n - 1 degrees of
  // freedom; as scipy.stats.ttest_rel (scipy/stats/_stats_py.py) and its
  // confidence_interval().
  require_alpha(alpha);
  if (d.infinite() > 0 || d.count() < 2) {
    throw InvalidArgument("paired_t: needs at least 2 finite differences, got " +
                          std::to_string(d.count() - d.infinite()) + " of " +
                          std::to_string(d.count()));
  }
  const double n = static_cast<double>(d.count());
  return t_result(d.mean(), std::sqrt(d.variance() / n), n - 1.0, alpha);
}

TestResult welch_t(const SampleMoments& a, const SampleMoments& b, double alpha) {
  // Welch, B. L. (1947). Biometrika 34, 28-35: unequal variances, Welch-Satterthwaite
  // degrees of freedom; as scipy.stats.ttest_ind(equal_var=False) and its
  // confidence_interval().
  require_alpha(alpha);
  for (const SampleMoments* m : {&a, &b}) {
    if (m->infinite() > 0 || m->count() < 2) {
      throw InvalidArgument("welch_t: needs at least 2 finite values in each run, got " +
                            std::to_string(m->count() - m->infinite()));
    }
  }
  const double na = static_cast<double>(a.count()), nb = static_cast<double>(b.count());
  const double va = a.variance() / na, vb = b.variance() / nb;
  const double se2 = va + vb;
  const double df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
  return t_result(b.mean() - a.mean(), std::sqrt(se2), se2 == 0.0 ? na + nb - 2.0 : df, alpha);
}

}  // namespace metricaudit::stats
