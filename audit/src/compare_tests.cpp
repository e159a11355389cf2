// One pair of metrics at one epoch: both runs under the common convention and the test
// of B - A. The per-sample numbers come from the core's states (paired_state.hpp) and the
// tests from significance.hpp: nothing statistical is computed here.
#include <algorithm>
#include <cmath>

#include "compare_internal.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/paired_state.hpp"
#include "metricaudit/significance.hpp"

namespace metricaudit::audit::detail {
namespace {

constexpr double kAlpha95 = 0.05;

MetricKind metric_kind(const MetricName& name) {
  return name.kind == Kind::loss ? MetricKind::loss : MetricKind::accuracy;
}

ScoresAre scores_of(const Recomputed& d) {
  return d.probabilities ? ScoresAre::probabilities : ScoresAre::logits;
}

// The catalogue's convention named `id` for a multi-class dump, or nullopt.
std::optional<Convention> catalogue_convention(const Recomputed& d, const MetricName& name,
                                               const std::string& id) {
  if (!d.state) return std::nullopt;
  for (const Candidate& c : catalogue(*d.state, metric_kind(name), scores_of(d))) {
    if (c.id == id) return c.convention;
  }
  return std::nullopt;
}

// The convention behind a side's common value: the catalogue's, or for a top-k outside
// the catalogue's k the reading match_point makes directly (micro at that k).
std::optional<Convention> common_convention(const Recomputed& d, const MetricName& name,
                                            const PointResult& m, const std::string& id) {
  if (auto c = catalogue_convention(d, name, id)) return c;
  if (name.kind == Kind::top_k_accuracy && id == m.expected_id) {
    Convention c;
    c.top_k = name.top_k;
    return c;
  }
  return std::nullopt;
}

// The side's logged point and, with a dump, what the audit matched and the common value.
void fill_side(CompareSide& side, const RunSeries& s, std::int64_t epoch,
               const std::string& common_id) {
  const RunSeries::Point& at = s.points.at(epoch);
  side.metric = s.metric;
  side.logged = at.point.value;
  side.precision = at.point.precision;
  side.file = at.file;
  side.line = at.point.line;
  const auto m = s.matched.find(epoch);
  if (m == s.matched.end()) return;
  const PointResult& r = m->second;
  side.explained_by = r.explained_by;
  side.dump = r.dump;
  side.num_classes = r.num_classes;
  side.common_id = common_id.empty() ? r.expected_id : common_id;
  for (const CandidateValue& c : r.candidates) {
    if (c.id == side.common_id) side.common = c.value;
  }
}

bool same_targets(const ArrayView& x, const ArrayView& y) {
  if (x.rows != y.rows) return false;
  const auto at = [](const ArrayView& v, std::int64_t i) -> std::int64_t {
    return v.dtype == DType::int32 ? static_cast<const std::int32_t*>(v.data)[i]
                                   : static_cast<const std::int64_t*>(v.data)[i];
  };
  for (std::int64_t i = 0; i < x.rows; ++i) {
    if (at(x, i) != at(y, i)) return false;
  }
  return true;
}

DifferenceInterval interval(const stats::Interval& i) {
  return {i.low, i.high};
}

void record(Comparison& c, const stats::TestResult& r, const stats::TestResult& r95, double alpha) {
  c.p_value = r.p_value;
  c.ci = interval(r.ci);
  c.ci95 = interval(r95.ci);
  c.significant = r.p_value ? *r.p_value < alpha : !(r.ci.low <= 0.0 && 0.0 <= r.ci.high);
}

// The test of one comparison whose both sides have common values.
void run_test(Comparison& c, const SampleReading& ra, const SampleReading& rb, const DumpBatch& ba,
              const DumpBatch& bb, double alpha) {
  c.tested = "common";
  const bool hits = ra.kind == SampleReading::Kind::hit;
  if (same_targets(ba.batch.target, bb.batch.target)) {
    c.pairing = "paired";
    PairedState st(ra, rb);
    PairedBatch pb;
    pb.target = ba.batch.target;
    pb.scores_a = ba.batch.scores;
    pb.predicted_a = ba.batch.predicted;
    pb.scores_b = bb.batch.scores;
    pb.predicted_b = bb.batch.predicted;
    update(st, pb);
    c.samples_a = c.samples_b = st.samples();
    if (hits) {
      c.test = "mcnemar-exact";
      c.table = st.table;
      record(c, stats::paired_proportions(st.table, alpha),
             stats::paired_proportions(st.table, kAlpha95), alpha);
      return;
    }
    if (st.difference.infinite() > 0) {
      c.reason = std::to_string(st.difference.infinite()) +
                 " sample(s) have an infinite loss (a -inf logit at the target): no mean "
                 "difference to test";
      return;
    }
    if (st.samples() < 2) {
      c.reason = "one sample: a paired t interval needs at least 2";
      return;
    }
    c.test = "paired-t";
    record(c, stats::paired_t(st.difference, alpha), stats::paired_t(st.difference, kAlpha95),
           alpha);
    return;
  }
  c.pairing = "independent";
  SampleState sa{ra, {}}, sb{rb, {}};
  update(sa, ba.batch);
  update(sb, bb.batch);
  c.samples_a = sa.values.count();
  c.samples_b = sb.values.count();
  if (hits) {
    const auto x_a = static_cast<std::int64_t>(std::llround(sa.values.sum().value()));
    const auto x_b = static_cast<std::int64_t>(std::llround(sb.values.sum().value()));
    c.test = "newcombe-independent";
    record(c, stats::independent_proportions(x_a, c.samples_a, x_b, c.samples_b, alpha),
           stats::independent_proportions(x_a, c.samples_a, x_b, c.samples_b, kAlpha95), alpha);
    return;
  }
  if (sa.values.infinite() + sb.values.infinite() > 0) {
    c.reason = "a sample has an infinite loss (a -inf logit at the target): no mean to test";
    return;
  }
  if (c.samples_a < 2 || c.samples_b < 2) {
    c.reason = "Welch's interval needs at least 2 samples in each run";
    return;
  }
  c.test = "welch-t";
  record(c, stats::welch_t(sa.values, sb.values, alpha),
         stats::welch_t(sa.values, sb.values, kAlpha95), alpha);
}

}  // namespace

DumpArrays::DumpArrays(const ReadRun& run) : run_(run) {
  if (!run.predictions) return;
  for (DumpLocation& where : list_dumps(*run.predictions)) {
    locations_.emplace(where.display_path(), std::move(where));
  }
}

const DumpBatch* DumpArrays::batch(const std::string& path, std::string& problem) {
  auto it = loaded_.find(path);
  if (it == loaded_.end()) {
    const auto where = locations_.find(path);
    if (where == locations_.end()) {
      problem = path + ": no longer in the predictions folder";
      return nullptr;
    }
    auto l = std::make_unique<Loaded>();
    l->dump = load_dump(where->second);
    try {
      l->batch = multiclass_batch(l->dump, path, run_.options.num_classes);
    } catch (const InvalidArgument& e) {
      l->problem = e.what();
    }
    it = loaded_.emplace(path, std::move(l)).first;
  }
  problem = it->second->problem;
  return problem.empty() ? &it->second->batch : nullptr;
}

void check_convention(const ReadRun& a, const ReadRun& b, const std::string& convention) {
  if (convention.empty()) return;
  for (const ReadRun* run : {&a, &b}) {
    for (const Recomputed& d : run->dumps) {
      if (!d.state) continue;
      std::string ids;
      for (const MetricKind kind : {MetricKind::accuracy, MetricKind::loss}) {
        for (const Candidate& c : catalogue(*d.state, kind, scores_of(d))) {
          if (c.id == convention) return;
          ids += (ids.empty() ? "" : ", ") + c.id;
        }
      }
      throw InvalidArgument("--convention " + convention +
                            ": not a reading of the catalogue; one of " + ids);
    }
  }
}

Comparison compare_epoch(const ReadRun& a, const ReadRun& b, const RunSeries& sa,
                         const RunSeries& sb, std::int64_t epoch, const CompareOptions& options,
                         DumpArrays& arrays_a, DumpArrays& arrays_b) {
  Comparison c;
  c.kind = sa.kind;
  c.split = sa.split;
  c.epoch = epoch;

  // --convention applies to the pairs of its kind (an accuracy reading to accuracy pairs).
  std::string requested;
  if (!options.convention.empty()) {
    for (const auto* side : {&sa, &sb}) {
      const auto m = side->matched.find(epoch);
      if (m == side->matched.end()) continue;
      const Recomputed* d = (side == &sa ? a : b).dump(m->second.dump);
      if (d && catalogue_convention(*d, side->name, options.convention)) {
        requested = options.convention;
      }
    }
  }
  fill_side(c.a, sa, epoch, requested);
  fill_side(c.b, sb, epoch, requested);
  for (const auto& [side, run] : {std::pair{&c.a, &a}, std::pair{&c.b, &b}}) {
    if (const Recomputed* d = side->dump.empty() ? nullptr : run->dump(side->dump)) {
      side->samples = d->state ? d->state->samples : d->labelwise->samples;
    }
  }
  if (!requested.empty()) {
    c.convention = requested;
  } else if (!c.a.common_id.empty() && (c.a.common_id == c.b.common_id || c.b.common_id.empty())) {
    c.convention = c.a.common_id;
  } else if (c.a.common_id.empty()) {
    c.convention = c.b.common_id;
  } else {
    // Different implied readings of one kind: each run's cross-entropy of its own outputs.
    c.convention = "own-cross-entropy";
  }
  if (c.a.logged && c.b.logged) c.logged_difference = *c.b.logged - *c.a.logged;
  if (!c.a.common || !c.b.common) return c;  // judge() says what is missing
  c.difference = *c.b.common - *c.a.common;

  const Recomputed* da = a.dump(c.a.dump);
  const Recomputed* db = b.dump(c.b.dump);
  if (da->labelwise || db->labelwise) {
    c.reason = "binary or multilabel dumps: compare has no per-sample test for them";
    return c;
  }
  if (da->state->num_classes() != db->state->num_classes()) {
    c.reason = "A's dump has " + std::to_string(da->state->num_classes()) + " classes and B's " +
               std::to_string(db->state->num_classes()) +
               ": the runs do not score the same label space (set --num-classes if one dump "
               "leaves trailing classes out)";
    return c;
  }
  const auto conv_a = common_convention(*da, sa.name, sa.matched.at(epoch), c.a.common_id);
  const auto conv_b = common_convention(*db, sb.name, sb.matched.at(epoch), c.b.common_id);
  const auto ra = conv_a ? sample_reading(*conv_a) : std::nullopt;
  const auto rb = conv_b ? sample_reading(*conv_b) : std::nullopt;
  if (!ra || !rb || ra->kind != rb->kind) {
    c.reason = c.convention +
               " is not a mean over samples (a macro or weighted average, class weights or "
               "label smoothing): no per-sample test reads it";
    return c;
  }
  std::string problem;
  const DumpBatch* ba = arrays_a.batch(c.a.dump, problem);
  if (!ba) {
    c.reason = problem;
    return c;
  }
  const DumpBatch* bb = arrays_b.batch(c.b.dump, problem);
  if (!bb) {
    c.reason = problem;
    return c;
  }
  if (!ba->batch.sample_weight.empty() || !bb->batch.sample_weight.empty()) {
    c.reason =
        "sample-weighted dumps: the tests count samples, so they cannot test a weighted "
        "mean";
    return c;
  }
  try {
    run_test(c, *ra, *rb, *ba, *bb, options.alpha);
  } catch (const Error& e) {
    c.test.clear();
    c.tested.clear();
    c.pairing.clear();
    c.reason = e.what();
  }
  return c;
}

void test_logged_values(Comparison& c, std::int64_t eval_size_a, std::int64_t eval_size_b,
                        double alpha) {
  if (c.kind == "loss" || !c.a.logged || !c.b.logged) return;
  const auto count = [](double value, std::int64_t n) {
    const double x = std::round(value * static_cast<double>(n));
    return static_cast<std::int64_t>(std::clamp(x, 0.0, static_cast<double>(n)));
  };
  const std::int64_t x_a = count(*c.a.logged, eval_size_a);
  const std::int64_t x_b = count(*c.b.logged, eval_size_b);
  c.test = "newcombe-independent";
  c.tested = "logged";
  c.pairing = "independent";
  c.samples_a = eval_size_a;
  c.samples_b = eval_size_b;
  record(c, stats::independent_proportions(x_a, eval_size_a, x_b, eval_size_b, alpha),
         stats::independent_proportions(x_a, eval_size_a, x_b, eval_size_b, kAlpha95), alpha);
}

}  // namespace metricaudit::audit::detail
