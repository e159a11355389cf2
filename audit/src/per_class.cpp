// Finding::per_class: the per-class recall behind a macro finding.
#include "per_class.hpp"

#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit::audit::detail {
namespace {

const PointResult* representative(const Finding& f, const std::vector<PointResult>& points) {
  for (const PointResult& p : points) {
    if (p.metric == f.metric && p.file == f.file && p.point.line == f.line &&
        p.point.offset == f.offset) {
      return &p;
    }
  }
  return nullptr;
}

const Recomputed* dump_at(const std::vector<Recomputed>& dumps, const std::string& path) {
  for (const Recomputed& d : dumps) {
    if (d.path == path) return &d;
  }
  return nullptr;
}

}  // namespace

void attach_per_class(std::vector<Finding>& findings, const std::vector<PointResult>& points,
                      const std::vector<Recomputed>& dumps) {
  for (Finding& f : findings) {
    if (f.explained_by.empty()) continue;
    const PointResult* p = representative(f, points);
    if (!p || p->kind != "accuracy") continue;
    const Recomputed* d = dump_at(dumps, p->dump);
    if (!d || !d->state || d->state->num_classes() > kPerClassMaxClasses) continue;
    const ScoresAre scores = d->probabilities ? ScoresAre::probabilities : ScoresAre::logits;
    for (const Candidate& c : catalogue(*d->state, MetricKind::accuracy, scores)) {
      if (c.id != f.explained_by) continue;
      if (c.convention.metric != Metric::accuracy || c.convention.average != Average::macro) break;
      Convention per_class = c.convention;
      per_class.average = Average::none;
      try {
        f.per_class =
            PerClassRecall{d->path, read_per_class(*d->state, per_class), d->state->support};
      } catch (const Error&) {
        // a reading the state cannot give per class: the finding stands without bars
      }
      break;
    }
  }
}

}  // namespace metricaudit::audit::detail
