// Reading one run for compare: the audit's own pieces (read_inputs, recompute_dumps,
// classify_metric, match_point, dump_findings), with the logged points organised by
// metric and epoch.
#include <algorithm>
#include <cmath>
#include <set>

#include "compare_internal.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "per_class.hpp"

namespace metricaudit::audit::detail {
namespace {

// A log's step -> epoch mapping, from its points that carry both (Lightning's CSV rows,
// a Trainer's log history) and from an "epoch" series (Lightning logs `epoch` as a
// scalar at each logging step in TensorBoard).
class StepEpochs {
 public:
  explicit StepEpochs(const LoggedRun& log) {
    for (const LoggedPoint& p : log.points) {
      if (!p.step) continue;
      if (p.epoch) {
        map_.try_emplace(*p.step, *p.epoch);
      } else if (log.metric(p) == "epoch" && p.value >= 0 && p.value == std::floor(p.value)) {
        map_.try_emplace(*p.step, static_cast<std::int64_t>(p.value));
      }
    }
  }

  /// The epoch of the last mapped step at or before the point's step.
  std::optional<std::int64_t> epoch_of(const LoggedPoint& p) const {
    if (!p.step || map_.empty()) return std::nullopt;
    auto it = map_.upper_bound(*p.step);
    if (it == map_.begin()) return std::nullopt;
    return std::prev(it)->second;
  }

 private:
  std::map<std::int64_t, std::int64_t> map_;
};

// The dump of a split and epoch, as the audit matches epoch values.
const Recomputed* epoch_dump(const std::vector<Recomputed>& dumps, const std::string& split,
                             std::int64_t epoch) {
  for (const Recomputed& d : dumps) {
    if (d.split == split && d.usable() && d.epoch && *d.epoch == epoch) return &d;
  }
  return nullptr;
}

bool compared(Kind kind) {
  return kind == Kind::accuracy || kind == Kind::top_k_accuracy || kind == Kind::loss;
}

}  // namespace

std::string kind_name(const MetricName& name) {
  switch (name.kind) {
    case Kind::accuracy:
      return "accuracy";
    case Kind::top_k_accuracy:
      return "top" + std::to_string(name.top_k);
    case Kind::loss:
      return "loss";
    case Kind::precision:
    case Kind::recall:
    case Kind::f1:
    case Kind::balanced_accuracy:
      return metricaudit::kind_name(catalogue_kind(name.kind));
    case Kind::ignored:
    case Kind::unknown:
      break;
  }
  return "unknown";
}

const Recomputed* ReadRun::dump(const std::string& path) const {
  for (const Recomputed& d : dumps) {
    if (d.path == path) return &d;
  }
  return nullptr;
}

ReadRun read_run(const AuditOptions& options, const std::string& label) {
  ReadRun run;
  run.label = label;
  run.options = options;
  if (options.num_classes && *options.num_classes < 1) {
    throw InvalidArgument("--num-classes: expected an integer >= 1, got " +
                          std::to_string(*options.num_classes));
  }
  Inputs inputs = read_inputs(options);
  run.info.path = options.path.string();
  run.warnings = std::move(inputs.warnings);
  for (const LoggedRun& log : inputs.runs) {
    run.info.logs.push_back(log.file);
    run.info.log_formats.push_back(log.format);
    for (const std::string& w : log.warnings) run.warnings.push_back(w);
  }
  if (inputs.predictions) {
    run.predictions = inputs.predictions;
    run.info.predictions = inputs.predictions->string();
    run.dumps = recompute_dumps(*inputs.predictions, options.num_classes, run.warnings);
  }

  std::map<std::string, std::size_t> index;  // metric -> series
  std::set<std::string> left_out;            // metrics compare does not test
  for (LoggedRun& placed : inputs.runs) {
    // Epochs first (a value with a step only takes its step's epoch), then the audit's
    // rule on them: a metric logged twice in one epoch is a per-step series. The points
    // are placed in place: the inputs are this function's own.
    const StepEpochs steps(placed);
    for (LoggedPoint& p : placed.points) {
      if (!p.epoch) p.epoch = steps.epoch_of(p);
    }
    const RepeatedEpochs repeated(placed);
    std::vector<MetricName> names;  // by metric id: each name classified once
    for (const auto& metric : placed.metrics)
      names.push_back(classify_metric(metric, options.metric_kinds));
    for (const LoggedPoint& p : placed.points) {
      const MetricName& name = names[p.metric_id];
      const std::string& metric = placed.metric(p);
      if (name.kind == Kind::ignored || name.kind == Kind::unknown) continue;
      if (!compared(name.kind)) {
        // Precision, recall, F1 and balanced accuracy are ratios of class counts, not means
        // over samples: no paired per-sample test applies. The audit names their convention.
        if (left_out.insert(metric).second) {
          run.warnings.push_back(metric +
                                 ": compare tests accuracy, top-k accuracy and "
                                 "loss; a " +
                                 kind_name(name) +
                                 " is not a mean over samples, so it is left out (metricaudit "
                                 "audit names its convention)");
        }
        continue;
      }
      if (!p.epoch || p.per_step || repeated.contains(p)) continue;  // one batch, a running value
      auto [it, inserted] = index.try_emplace(metric, run.series.size());
      if (inserted) {
        run.series.push_back(
            RunSeries{metric, kind_name(name), std::string(split_name(p.split)), name, {}, {}});
      }
      run.series[it->second].points.try_emplace(*p.epoch, RunSeries::Point{p, placed.file_of(p)});
    }
  }

  std::vector<PointResult> matched;
  for (RunSeries& s : run.series) {
    for (const auto& [epoch, at] : s.points) {
      const Recomputed* d = epoch_dump(run.dumps, s.split, epoch);
      // Top-k ranks classes; one score per label has nothing to rank.
      if (!d || (d->labelwise && s.name.kind == Kind::top_k_accuracy)) continue;
      PointResult r = match_point(at.point, s.name, *d);
      r.metric = s.metric;
      r.file = at.file;
      matched.push_back(s.matched.emplace(epoch, std::move(r)).first->second);
    }
  }
  run.info.findings = dump_findings(matched);
  attach_per_class(run.info.findings, matched, run.dumps);
  return run;
}

}  // namespace metricaudit::audit::detail
