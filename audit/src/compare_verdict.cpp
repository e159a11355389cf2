// The verdict of a judged comparison, and the sentence that says why (docs/compare.md):
//   undecided   no common values (a run without dumps), no test, or too few samples;
//   real        the test finds a significant difference under the common convention;
//   negligible  significant, but the (1 - alpha) interval lies within --min-effect of 0;
//   noise       not significant, and the logged values already share a convention;
//   convention  not significant, and the logged values do not: the gap is the conventions'.
#include <algorithm>
#include <cmath>

#include "compare_internal.hpp"
#include "format.hpp"
#include "metricaudit/significance.hpp"

namespace metricaudit::audit::detail {
namespace {

std::string test_name(const std::string& test) {
  if (test == "mcnemar-exact") return "McNemar's exact test";
  if (test == "newcombe-independent") return "Newcombe's interval";
  if (test == "paired-t") return "paired t";
  if (test == "welch-t") return "Welch's t";
  return test;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The logged values already share a convention: each is what the common convention gives
// (the losses of two models, each the cross-entropy of its own outputs), or one catalogue
// reading explains both.
bool same_convention(const Comparison& c) {
  if (contains(c.a.explained_by, c.a.common_id) && contains(c.b.explained_by, c.b.common_id)) {
    return true;
  }
  return std::any_of(c.a.explained_by.begin(), c.a.explained_by.end(),
                     [&](const std::string& id) { return contains(c.b.explained_by, id); });
}

std::string explained(const CompareSide& s) {
  if (s.explained_by.empty()) return "not explained by any catalogue reading";
  std::string out;
  for (const std::string& id : s.explained_by) out += (out.empty() ? "" : " = ") + id;
  return out;
}

std::string interval_text(const DifferenceInterval& i) {
  return "[" + four_decimals(i.low) + ", " + four_decimals(i.high) + "]";
}

std::string ci_text(const Comparison& c) {
  if (!c.ci95) return "";
  return "95% CI " + interval_text(*c.ci95);
}

std::string level_text(double alpha) {
  return alpha == 0.05 ? "95%" : format_p(100 * (1 - alpha)) + "%";
}

// "p = 0.7266 >= 0.05 (McNemar's exact test, 5 vs 4 discordant of 450 paired samples)"
std::string evidence(const Comparison& c, double alpha) {
  std::string out;
  if (c.p_value) {
    out = "p = " + format_p(*c.p_value) + (*c.significant ? " < " : " >= ") + format_p(alpha);
  } else {
    out = "the " + level_text(alpha) + " interval " + (*c.significant ? "excludes" : "contains") +
          " 0";
  }
  out += " (" + test_name(c.test);
  if (c.table) {
    out += ", " + std::to_string((*c.table)[1][0]) + " right in A only and " +
           std::to_string((*c.table)[0][1]) + " in B only of " + std::to_string(c.samples_a) +
           " paired samples";
  } else if (c.pairing == "paired") {
    out += " on " + std::to_string(c.samples_a) + " paired samples";
  } else {
    out += " on " + std::to_string(c.samples_a) + " and " + std::to_string(c.samples_b) +
           " samples, not the same ones";
  }
  return out + ")";
}

std::string missing_dumps(const Comparison& c, const ReadRun& a, const ReadRun& b) {
  std::string who;
  for (const auto& [side, run] : {std::pair{&c.a, &a}, std::pair{&c.b, &b}}) {
    if (side->common) continue;
    if (!who.empty()) who += "; ";
    who += run->label + " (" + run->info.path + ") ";
    if (!run->predictions) {
      who += "has no predictions folder";
    } else if (side->dump.empty()) {
      who +=
          "has no dump " + c.split + "_epoch" + std::to_string(*c.epoch) + " for " + side->metric;
    } else {
      who += "has no value under " + (side->common_id.empty() ? c.convention : side->common_id) +
             " for " + side->metric;
    }
  }
  std::string out =
      "Without dumps of both runs the two values cannot be read under one "
      "convention: " +
      who + ". Save predictions/" + c.split + "_epoch" + std::to_string(*c.epoch) +
      ".npz (target and logits or probs) in the training loop (metricaudit's "
      "capture callbacks write them).";
  if (c.tested == "logged") {
    out += " As logged, on " + std::to_string(c.samples_a) + " and " + std::to_string(c.samples_b) +
           " samples (--eval-size), the gap " + four_decimals(*c.logged_difference) + " is " +
           (*c.significant ? "" : "not ") + "significant (" + ci_text(c) +
           "); whether it comes from the conventions needs the "
           "dumps.";
  }
  return out;
}

// The runs are too small for the test to reject at alpha whatever the outcomes; "" if not.
std::string too_few_samples(const Comparison& c, double alpha) {
  if (c.test == "mcnemar-exact") {
    // The smallest exact p with n pairs is 2^(1 - n), all of them discordant one way.
    const auto needed = static_cast<std::int64_t>(std::floor(std::log2(2.0 / alpha))) + 1;
    if (c.samples_a < needed) {
      return std::to_string(c.samples_a) +
             " paired samples cannot show a difference at alpha = " + format_p(alpha) +
             ": evaluate both runs on at least " + std::to_string(needed) + " samples";
    }
  } else if (c.test == "newcombe-independent") {
    const auto extreme =
        stats::independent_proportions(0, c.samples_a, c.samples_b, c.samples_b, alpha);
    if (extreme.ci.low <= 0.0) {
      return std::to_string(c.samples_a) + " and " + std::to_string(c.samples_b) +
             " samples cannot show a difference at alpha = " + format_p(alpha) +
             ": evaluate on more samples (or on the same samples, for a paired test)";
    }
  }
  return "";
}

// An equivalence margin (the interval inclusion form of two one-sided tests, here with the
// (1 - alpha) interval, which is conservative: TOST at alpha needs only the 1 - 2 alpha one).
bool within_min_effect(const Comparison& c, double min_effect) {
  return min_effect > 0.0 && c.ci && -min_effect <= c.ci->low && c.ci->high <= min_effect;
}

}  // namespace

void judge(Comparison& c, const ReadRun& a, const ReadRun& b, double alpha, double min_effect) {
  if (!c.epoch) {
    c.verdict = Verdict::undecided;  // compare.cpp said which epochs each run logged
    return;
  }
  if (!c.a.common || !c.b.common) {
    c.verdict = Verdict::undecided;
    c.reason = missing_dumps(c, a, b);
    return;
  }
  if (c.test.empty()) {
    c.verdict = Verdict::undecided;
    c.reason = "No test: " + c.reason + ".";
    return;
  }
  if (const std::string few = too_few_samples(c, alpha); !few.empty()) {
    c.verdict = Verdict::undecided;
    c.reason = few + ".";
    return;
  }
  const std::string under =
      c.convention == "own-cross-entropy"
          ? "each run's cross-entropy of its own outputs (A: " + c.a.common_id +
                ", B: " + c.b.common_id + ")"
          : c.convention;
  const std::string gap = "B - A = " + four_decimals(*c.difference) + ", " + ci_text(c);
  if (*c.significant && within_min_effect(c, min_effect)) {
    c.verdict = Verdict::negligible;
    c.reason = "Under " + under + " the runs differ, but by less than --min-effect " +
               format_double(min_effect) + ": " + gap + ", " + evidence(c, alpha) + "; the " +
               (alpha == 0.05 ? "whole interval"  // the gap's text shows the 95% one
                              : level_text(alpha) + " interval " + interval_text(*c.ci)) +
               " lies within ±" + format_double(min_effect) + ".";
    return;
  }
  if (*c.significant) {
    c.verdict = Verdict::real;
    c.reason = "Under " + under + " the runs differ: " + gap + ", " + evidence(c, alpha) + ".";
    if (!same_convention(c)) {
      c.reason += " The logged gap also mixes conventions (A: " + explained(c.a) +
                  "; B: " + explained(c.b) + ").";
    }
    return;
  }
  if (same_convention(c)) {
    c.verdict = Verdict::noise;
    c.reason = "Both logged values are " + under + "; the difference is not significant: " + gap +
               ", " + evidence(c, alpha) + ".";
    return;
  }
  c.verdict = Verdict::convention;
  c.reason = "The logged gap (" + four_decimals(*c.logged_difference) +
             ") comes from the conventions: A's value is " + explained(c.a) + ", B's " +
             explained(c.b) + ". Under " + under + " the runs do not differ significantly: " + gap +
             ", " + evidence(c, alpha) + ".";
}

}  // namespace metricaudit::audit::detail
