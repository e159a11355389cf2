// run_audit: logs -> points, dumps -> states, points x states -> matches,
// matches and logs -> findings. Each step is one call on plain data.
#include "metricaudit/audit/audit.hpp"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "internal.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/version.hpp"
#include "per_class.hpp"

namespace metricaudit::audit {
namespace {

using detail::Kind;

// The dump a logged point was computed on: per-step values by step, epoch
// values by epoch; a value without an epoch (TensorBoard) by its step.
const detail::Recomputed* find_dump(const std::vector<detail::Recomputed>& dumps,
                                    const LoggedPoint& p, bool per_step) {
  for (const auto& d : dumps) {
    if (d.split != split_name(p.split) || !d.usable()) continue;
    if (per_step || !p.epoch) {
      if (p.step && d.step && *d.step == *p.step) return &d;
    } else if (d.epoch && *d.epoch == *p.epoch) {
      return &d;
    }
  }
  return nullptr;
}

// What the audit could not check, and why; said in the report's undecided list.
struct Undecided {
  std::set<std::string> unknown_names, topk_on_labelwise, per_class_on_labelwise;
  std::map<std::pair<std::string, std::string>, int> missing;  // (metric, file) -> no dump

  void write(std::vector<std::string>& out, bool no_dumps) const {
    for (const auto& name : unknown_names) {
      out.push_back(name + ": not a metric the audit knows; name its kind with --metric " + name +
                    "=accuracy|loss|top<k>|precision|recall|f1|balanced_accuracy|ignore");
    }
    for (const auto& name : topk_on_labelwise) {
      out.push_back(name +
                    ": top-k accuracy logged for a binary or multilabel dump (one score per "
                    "label: nothing to rank); name its kind with --metric " +
                    name + "=accuracy if it is a plain accuracy");
    }
    for (const auto& name : per_class_on_labelwise) {
      out.push_back(name + ": balanced accuracy of a binary or multilabel dump is not recomputed");
    }
    for (const auto& [key, count] : missing) {
      out.push_back(key.first + " in " + key.second + ": " + std::to_string(count) +
                    " logged value(s) with no matching dump (by epoch, or by step for per-step "
                    "values)");
    }
    if (no_dumps) {
      out.push_back(
          "no predictions folder: only the log-only rules ran (save dumps as "
          "predictions/<split>_epoch<E>.npz to recompute every logged value)");
    }
  }
};

// Every logged point of a known kind, recomputed from the dump it was computed on.
std::vector<PointResult> match_points(const std::vector<LoggedRun>& runs,
                                      const std::vector<detail::Recomputed>& dumps,
                                      const std::map<std::string, std::string>& kinds,
                                      Undecided& undecided) {
  std::vector<PointResult> points;
  for (const auto& run : runs) {
    // A metric logged several times within one epoch is a per-step series.
    const detail::RepeatedEpochs repeated(run);
    std::vector<detail::MetricName> names;  // by metric id: each name classified once
    names.reserve(run.metrics.size());
    for (const auto& metric : run.metrics) names.push_back(detail::classify_metric(metric, kinds));
    for (const auto& p : run.points) {
      const detail::MetricName& name = names[p.metric_id];
      const std::string& metric = run.metric(p);
      if (name.kind == Kind::ignored) continue;
      if (name.kind == Kind::unknown) {
        undecided.unknown_names.insert(metric);
        continue;
      }
      const bool per_step = p.per_step || repeated.contains(p);
      // An epoch aggregate logged with a step only (TensorBoard) has no dump to match:
      // the step dump holds one batch.
      const bool unmatched = name.epoch_level && !p.epoch;
      const detail::Recomputed* dump =
          dumps.empty() || unmatched ? nullptr : find_dump(dumps, p, per_step);
      if (!dump) {
        if (!dumps.empty()) ++undecided.missing[{metric, run.file}];
        continue;
      }
      if (dump->labelwise && name.kind == Kind::top_k_accuracy) {
        // Top-k ranks classes; one score per label has nothing to rank.
        undecided.topk_on_labelwise.insert(metric);
        continue;
      }
      if (dump->labelwise &&
          catalogue(*dump->labelwise, detail::catalogue_kind(name.kind)).empty()) {
        undecided.per_class_on_labelwise.insert(metric);  // no labelwise reading
        continue;
      }
      LoggedPoint matched = p;
      matched.per_step = per_step;
      PointResult& r = points.emplace_back(detail::match_point(matched, name, *dump));
      r.metric = metric;
      r.file = run.file_of(p);
    }
  }
  return points;
}

detail::LogFacts log_facts(const AuditOptions& options,
                           const std::vector<detail::Recomputed>& dumps) {
  detail::LogFacts facts;
  facts.num_classes = options.num_classes;
  for (const auto& d : dumps) {
    if (!facts.num_classes && d.state) facts.num_classes = d.state->num_classes();
  }
  facts.eval_size = options.eval_size;
  facts.batch_size = options.batch_size;
  return facts;
}

}  // namespace

AuditReport run_audit(const AuditOptions& options) {
  AuditReport report;
  report.tool_version = kVersion;
  // The command's parser checks these too; callers of the library (metricaudit.audit in
  // Python) get the same refusal here.
  for (const auto& [option, value] : {std::pair{"--num-classes", options.num_classes},
                                      std::pair{"--eval-size", options.eval_size},
                                      std::pair{"--batch-size", options.batch_size}}) {
    if (value && *value < 1) {
      throw InvalidArgument(std::string(option) + ": expected an integer >= 1, got " +
                            std::to_string(*value));
    }
  }
  detail::Inputs inputs = detail::read_inputs(options);
  report.warnings = std::move(inputs.warnings);
  for (const auto& run : inputs.runs) {
    report.logs.push_back(run.file);
    report.log_formats.push_back(run.format);
    for (const auto& w : run.warnings) report.warnings.push_back(w);
  }
  std::vector<detail::Recomputed> dumps;
  if (inputs.predictions) {
    report.predictions = inputs.predictions->string();
    dumps = detail::recompute_dumps(*inputs.predictions, options.num_classes, report.warnings);
  }

  Undecided undecided;
  report.points = match_points(inputs.runs, dumps, options.metric_kinds, undecided);
  report.findings = detail::dump_findings(report.points);
  for (auto& f : detail::padding_findings(dumps, options.eval_size)) {
    report.findings.push_back(std::move(f));
  }
  detail::attach_per_class(report.findings, report.points, dumps);
  auto more = detail::log_findings(inputs.runs, options.metric_kinds, log_facts(options, dumps),
                                   report.findings);
  report.findings.insert(report.findings.end(), std::make_move_iterator(more.begin()),
                         std::make_move_iterator(more.end()));
  undecided.write(report.undecided, dumps.empty());
  return report;
}

}  // namespace metricaudit::audit
