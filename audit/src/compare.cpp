// run_compare: each run read as the audit reads it, the metrics paired, every shared
// epoch put under the common convention and tested, the judged epochs given a verdict.
#include "metricaudit/audit/compare.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "compare_internal.hpp"
#include "format.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/version.hpp"

namespace metricaudit::audit {
namespace {

using detail::ReadRun;
using detail::RunSeries;

struct Plan {
  detail::SeriesPair pair;
  std::vector<std::int64_t> shared;  // ascending
  std::set<std::int64_t> judged;
  std::vector<Comparison> results;
};

std::vector<std::int64_t> epochs_of(const RunSeries& s) {
  std::vector<std::int64_t> out;
  for (const auto& [epoch, point] : s.points) out.push_back(epoch);
  return out;
}

// A pair whose runs share no epoch: one judged, undecided comparison that says so.
Comparison no_shared_epoch(const RunSeries& sa, const RunSeries& sb) {
  Comparison c;
  c.kind = sa.kind;
  c.split = sa.split;
  c.judged = true;
  c.a.metric = sa.metric;
  c.b.metric = sb.metric;
  c.reason = "No epoch in common: A logs " + sa.metric + " at epochs " +
             detail::format_ranges(epochs_of(sa)) + ", B logs " + sb.metric + " at epochs " +
             detail::format_ranges(epochs_of(sb)) +
             " (both counted from 0, as the CSV loggers count: a Keras bar's \"Epoch 1/10\" is "
             "epoch 0). Compare runs that logged the same epochs.";
  return c;
}

std::optional<std::int64_t> eval_size(const CompareSide& side, const ReadRun& run) {
  if (run.options.eval_size) return run.options.eval_size;
  if (side.samples > 0) return side.samples;
  return std::nullopt;
}

}  // namespace

CompareReport run_compare(const CompareOptions& options) {
  if (!(options.alpha > 0.0 && options.alpha < 1.0)) {
    throw InvalidArgument("--alpha: expected a level in (0, 1), got " +
                          detail::format_double(options.alpha));
  }
  if (!(options.min_effect >= 0.0 && std::isfinite(options.min_effect))) {
    throw InvalidArgument("--min-effect: expected a finite difference >= 0, got " +
                          detail::format_double(options.min_effect));
  }
  if (options.epoch && options.all_epochs) {
    throw InvalidArgument("--epoch: give one epoch, or all, not both");
  }
  const ReadRun a = detail::read_run(options.a, "A");
  const ReadRun b = detail::read_run(options.b, "B");
  CompareReport report;
  report.tool_version = kVersion;
  report.a = a.info;
  report.b = b.info;
  for (const ReadRun* run : {&a, &b}) {
    for (const std::string& w : run->warnings) report.warnings.push_back(run->label + ": " + w);
  }
  report.alpha = options.alpha;
  report.min_effect = options.min_effect;
  report.judged = options.all_epochs ? "all" : options.epoch ? "epoch" : "last";
  report.judged_epoch = options.epoch;
  detail::check_convention(a, b, options.convention);
  const auto pairs = detail::pair_series(a, b, options, report.notes, report.unpaired);

  std::vector<Plan> plans;
  std::set<std::int64_t> all_epochs;
  bool epoch_found = false;
  for (const detail::SeriesPair& p : pairs) {
    const RunSeries& sa = a.series[p.a];
    const RunSeries& sb = b.series[p.b];
    Plan plan{p, {}, {}, {}};
    for (const auto& [epoch, point] : sa.points) {
      if (sb.points.count(epoch) != 0) plan.shared.push_back(epoch);
    }
    if (plan.shared.empty()) {
      plan.results.push_back(no_shared_epoch(sa, sb));
    } else {
      if (plan.shared.size() != sa.points.size() || plan.shared.size() != sb.points.size()) {
        report.notes.push_back(sa.metric + " / " + sb.metric + ": A logs epochs " +
                               detail::format_ranges(epochs_of(sa)) + ", B " +
                               detail::format_ranges(epochs_of(sb)) + "; compared on the " +
                               std::to_string(plan.shared.size()) + " shared");
      }
      if (options.all_epochs) {
        plan.judged.insert(plan.shared.begin(), plan.shared.end());
      } else if (options.epoch) {
        if (std::binary_search(plan.shared.begin(), plan.shared.end(), *options.epoch)) {
          plan.judged.insert(*options.epoch);
          epoch_found = true;
        }
      } else {
        plan.judged.insert(plan.shared.back());
      }
      all_epochs.insert(plan.shared.begin(), plan.shared.end());
    }
    plans.push_back(std::move(plan));
  }
  if (options.epoch && !epoch_found) {
    throw InvalidArgument("--epoch " + std::to_string(*options.epoch) +
                          ": no compared pair was logged at that epoch by both runs");
  }

  // Epoch by epoch, so that each dump is read once for all the pairs that use it (a
  // validation dump serves the accuracy and the loss) and then released.
  detail::DumpArrays arrays_a(a), arrays_b(b);
  for (const std::int64_t epoch : all_epochs) {
    for (Plan& plan : plans) {
      if (!std::binary_search(plan.shared.begin(), plan.shared.end(), epoch)) continue;
      Comparison c = detail::compare_epoch(a, b, a.series[plan.pair.a], b.series[plan.pair.b],
                                           epoch, options, arrays_a, arrays_b);
      c.judged = plan.judged.count(epoch) != 0;
      if (!c.a.common || !c.b.common) {
        const auto n_a = eval_size(c.a, a), n_b = eval_size(c.b, b);
        if (n_a && n_b) detail::test_logged_values(c, *n_a, *n_b, options.alpha);
      }
      plan.results.push_back(std::move(c));
    }
    arrays_a.clear();
    arrays_b.clear();
  }

  std::size_t tested = 0;
  for (Plan& plan : plans) {
    for (Comparison& c : plan.results) {
      if (c.judged) {
        detail::judge(c, a, b, options.alpha, options.min_effect);
        if (c.verdict != Verdict::undecided) ++tested;
      }
      report.comparisons.push_back(std::move(c));
    }
  }
  if (tested > 1) {
    report.notes.push_back(
        std::to_string(tested) + " comparisons were judged at alpha = " +
        detail::format_p(options.alpha) + " each: when nothing differs, about " +
        detail::format_double(static_cast<double>(tested) * options.alpha) +
        " of them would be called real by chance. For one decision over all of them, require "
        "p < " +
        detail::format_p(options.alpha / static_cast<double>(tested)) + " (Bonferroni).");
  }
  return report;
}

}  // namespace metricaudit::audit
