"""The statistics of `metricaudit compare` against scipy and statsmodels, live.

Every function of metrics/include/metricaudit/significance.hpp (bound as
metricaudit._core.stats) on seeded random inputs: quantiles, tails, Wilson and Newcombe
intervals, McNemar's exact test, paired and Welch t. Agreement: 1e-9 relative (p-values
relative even when tiny; interval ends absolute near zero). statsmodels and scipy are
installed by scripts/bootstrap; a missing one is an error here, not a skip.
"""

from __future__ import annotations

import numpy as np
import scipy
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from _support import COMPARED, check
from metricaudit import _core

S = _core.stats
REL = 1e-9
RNG_SEEDS = range(6)


def check_p(reference: str, ours: float, ref: float, case: str) -> None:
    """p-values: relative agreement down to the smallest double (no absolute slack)."""
    COMPARED[reference] += 1
    if not np.isclose(ours, ref, rtol=REL, atol=1e-300):
        raise AssertionError(f"{reference}: metricaudit {ours!r} != {ref!r} ({case})")


def test_normal_quantile() -> None:
    rng = np.random.default_rng(0)
    for p in np.concatenate([rng.uniform(0, 1, 300), 10.0 ** -rng.uniform(1, 300, 100)]):
        check("scipy.stats.norm.ppf", S.normal_quantile(p), sps.norm.ppf(p), f"p={p!r}", REL)


def test_student_t_tail_and_quantile() -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(seed)
        for _ in range(60):
            df = float(10 ** rng.uniform(0, 6))
            t = float(rng.uniform(-12, 12))
            check_p("scipy.stats.t.sf", S.student_t_upper_tail(t, df), sps.t.sf(t, df),
                    f"t={t!r} df={df!r}")
            p = float(rng.uniform(0.5, 1 - 1e-9))
            check("scipy.stats.t.ppf", S.student_t_quantile(p, df), sps.t.ppf(p, df),
                  f"p={p!r} df={df!r}", REL)


def test_incomplete_beta_and_binomial_tail() -> None:
    rng = np.random.default_rng(1)
    for _ in range(300):
        a, b = 10 ** rng.uniform(-1, 4, 2)
        x = float(rng.uniform(0, 1))
        check_p("scipy.special.betainc", S.incomplete_beta(a, b, x),
                scipy.special.betainc(a, b, x), f"a={a!r} b={b!r} x={x!r}")
    for _ in range(300):
        n = int(10 ** rng.uniform(0, 6))
        k = int(rng.integers(0, n + 1))
        p = float(rng.uniform(0.01, 0.99))
        check_p("scipy.stats.binom.cdf", S.binomial_cdf(k, n, p), sps.binom.cdf(k, n, p),
                f"k={k} n={n} p={p!r}")


def test_mcnemar_exact_against_statsmodels_and_scipy() -> None:
    rng = np.random.default_rng(2)
    for _ in range(400):
        scale = int(10 ** rng.uniform(0, 5))
        b, c = (int(v) for v in rng.integers(0, scale + 1, 2))
        both, neither = (int(v) for v in rng.integers(0, 1000, 2))
        ours = S.mcnemar_exact_p(b, c)
        ref = mcnemar([[neither, c], [b, both]], exact=True).pvalue
        check_p("statsmodels mcnemar(exact=True)", ours, ref, f"b={b} c={c}")
        if b + c > 0:
            check_p("scipy.stats.binomtest", ours, sps.binomtest(min(b, c), b + c, 0.5).pvalue,
                    f"b={b} c={c}")


def test_wilson_and_newcombe_independent_against_statsmodels() -> None:
    rng = np.random.default_rng(3)
    for _ in range(400):
        n_a, n_b = (int(10 ** v) for v in rng.uniform(0, 6, 2))
        x_a, x_b = int(rng.integers(0, n_a + 1)), int(rng.integers(0, n_b + 1))
        alpha = float(rng.choice([0.05, 0.01, 0.1, rng.uniform(0.001, 0.3)]))
        lo, hi = S.wilson_interval(x_a, n_a, alpha)
        ref = proportion_confint(x_a, n_a, alpha=alpha, method="wilson")
        check("statsmodels proportion_confint(wilson)", [lo, hi], list(ref),
              f"{x_a}/{n_a} alpha={alpha}", REL)
        r = S.independent_proportions(x_a, n_a, x_b, n_b, alpha)
        # statsmodels' group 1 is B (the difference is B - A).
        ref = confint_proportions_2indep(x_b, n_b, x_a, n_a, method="newcomb", compare="diff",
                                         alpha=alpha)
        check("statsmodels confint_proportions_2indep(newcomb)", list(r["ci"]), list(ref),
              f"{x_a}/{n_a} vs {x_b}/{n_b} alpha={alpha}", REL)
        check("statsmodels confint_proportions_2indep(newcomb)", r["estimate"],
              x_b / n_b - x_a / n_a, "estimate", REL)


def newcombe_paired_reference(neither: int, b_only: int, a_only: int, both: int,
                              alpha: float) -> tuple[float, float]:
    """Newcombe (1998b) method 10 assembled from statsmodels' Wilson intervals, with the
    continuity-corrected phi of Fagerland, Lydersen & Laake (2014) (R package
    contingencytables, Newcombe_square_and_add_CI_paired_2x2.R); group 1 is B."""
    n = neither + b_only + a_only + both
    b_right, a_right = both + b_only, both + a_only
    p_b, p_a = b_right / n, a_right / n
    l_b, u_b = proportion_confint(b_right, n, alpha=alpha, method="wilson")
    l_a, u_a = proportion_confint(a_right, n, alpha=alpha, method="wilson")
    margins = [b_right, a_only + neither, a_right, b_only + neither]
    phi = 0.0
    if min(margins) > 0:
        det = both * neither - b_only * a_only
        denom = np.sqrt(float(np.prod(np.array(margins, dtype=np.float64))))
        if det > n / 2:
            phi = (det - n / 2) / denom
        elif det < 0:
            phi = det / denom
    est = p_b - p_a
    low = est - np.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2 - 2 * phi * (p_b - l_b) * (u_a - p_a))
    high = est + np.sqrt((p_a - l_a) ** 2 + (u_b - p_b) ** 2 - 2 * phi * (p_a - l_a) * (u_b - p_b))
    return float(low), float(high)


def test_newcombe_paired_interval() -> None:
    rng = np.random.default_rng(4)
    for _ in range(400):
        scale = int(10 ** rng.uniform(0, 5))
        cells = [int(v) for v in rng.integers(0, scale + 1, 4)]
        if sum(cells) == 0:
            continue
        alpha = float(rng.choice([0.05, 0.01, rng.uniform(0.001, 0.3)]))
        r = S.paired_proportions(*cells, alpha)
        check("Newcombe paired (statsmodels Wilson + Fagerland phi)", list(r["ci"]),
              list(newcombe_paired_reference(*cells, alpha)), f"{cells} alpha={alpha}", REL)
        check_p("statsmodels mcnemar(exact=True)", r["p_value"],
                mcnemar([[cells[0], cells[1]], [cells[2], cells[3]]], exact=True).pvalue,
                f"{cells}")


def test_paired_t_against_scipy_ttest_rel() -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(10 + seed)
        for _ in range(40):
            n = int(10 ** rng.uniform(0.4, 4.5))
            a = rng.gamma(2.0, 0.3, n)
            b = a + rng.normal(float(rng.normal(0, 0.02)), float(rng.uniform(0.001, 0.5)), n)
            alpha = float(rng.choice([0.05, 0.01, rng.uniform(0.001, 0.3)]))
            r = S.paired_t(b - a, alpha)
            ref = sps.ttest_rel(b, a)
            ci = ref.confidence_interval(1 - alpha)
            case = f"seed={seed} n={n} alpha={alpha}"
            check("scipy.stats.ttest_rel", r["statistic"], ref.statistic, case, REL)
            check_p("scipy.stats.ttest_rel", r["p_value"], ref.pvalue, case)
            check("scipy.stats.ttest_rel", list(r["ci"]), [ci.low, ci.high], case, REL)
            assert r["df"] == n - 1


def test_welch_t_against_scipy_ttest_ind() -> None:
    for seed in RNG_SEEDS:
        rng = np.random.default_rng(20 + seed)
        for _ in range(40):
            n_a, n_b = (int(10 ** v) for v in rng.uniform(0.4, 4.5, 2))
            a = rng.gamma(2.0, float(rng.uniform(0.05, 1)), n_a)
            b = rng.gamma(2.0, float(rng.uniform(0.05, 1)), n_b)
            alpha = float(rng.choice([0.05, 0.01, rng.uniform(0.001, 0.3)]))
            r = S.welch_t(a, b, alpha)
            ref = sps.ttest_ind(b, a, equal_var=False)
            ci = ref.confidence_interval(1 - alpha)
            case = f"seed={seed} n=({n_a}, {n_b}) alpha={alpha}"
            check("scipy.stats.ttest_ind(equal_var=False)", r["statistic"], ref.statistic, case,
                  REL)
            check_p("scipy.stats.ttest_ind(equal_var=False)", r["p_value"], ref.pvalue, case)
            check("scipy.stats.ttest_ind(equal_var=False)", list(r["ci"]), [ci.low, ci.high],
                  case, REL)
            check("scipy.stats.ttest_ind(equal_var=False)", r["df"], ref.df, case, REL)


def test_paired_state_feeds_the_tests_as_numpy_would() -> None:
    """The per-sample state of two score matrices: the table McNemar reads and the
    loss differences the paired t reads, against numpy on the same arrays."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        n, c = int(rng.integers(2, 3000)), int(rng.integers(2, 12))
        target = rng.integers(0, c, n)
        za = rng.normal(0, 2, (n, c)).astype(np.float32)
        zb = (za + rng.normal(0, 1, (n, c))).astype(np.float32)
        s = S.paired_state(target, za, zb, "hit", "hit")
        ha, hb = za.argmax(1) == target, zb.argmax(1) == target
        table = [[int(np.sum(~ha & ~hb)), int(np.sum(~ha & hb))],
                 [int(np.sum(ha & ~hb)), int(np.sum(ha & hb))]]
        assert [list(r) for r in s["table"]] == table
        s = S.paired_state(target, za, zb, "logits", "logits")

        def ce(z: np.ndarray) -> np.ndarray:
            z = z.astype(np.float64)
            m = z.max(1, keepdims=True)
            return (m[:, 0] + np.log(np.exp(z - m).sum(1))) - z[np.arange(n), target]

        d = ce(zb) - ce(za)
        check("numpy per-sample cross-entropy", s["difference"]["mean"], d.mean(), "mean", 1e-12)
        check("numpy per-sample cross-entropy", s["difference"]["variance"], d.var(ddof=1),
              "variance", 1e-10)
