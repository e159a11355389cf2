// Rules that need no dumps: what a log alone implies about how its numbers were
// computed, one function per rule; their texts and severities are the rule table's.
// Those that can misfire on a healthy run are notes (they do not change the exit
// status); the others need a fact the user stated or a hard bound.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "internal.hpp"
#include "metricaudit/audit/rules.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit::audit::detail {
namespace {

// Points of one run held by their index: 4 bytes a point rather than an 8-byte pointer,
// for the step values that make up most of a dense log (issue 13: the audit within 64
// bytes per logged value). Iterates as pointers, as a vector of them would.
class PointList {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = const LoggedPoint*;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = value_type;
    iterator() = default;
    iterator(const LoggedPoint* base, std::vector<std::uint32_t>::const_iterator at)
        : base_(base), at_(at) {}
    const LoggedPoint* operator*() const { return base_ + *at_; }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++at_;
      return old;
    }
    bool operator==(const iterator& o) const { return at_ == o.at_; }

   private:
    const LoggedPoint* base_ = nullptr;
    std::vector<std::uint32_t>::const_iterator at_;
  };

  PointList() = default;
  explicit PointList(const LoggedRun& run) : run_(&run) {}
  void push_back(const LoggedPoint& p) {
    index_.push_back(static_cast<std::uint32_t>(&p - run_->points.data()));
  }
  bool empty() const { return index_.empty(); }
  const LoggedPoint* front() const { return *begin(); }
  const LoggedPoint* back() const { return run_->points.data() + index_.back(); }
  iterator begin() const { return {run_->points.data(), index_.begin()}; }
  iterator end() const { return {run_->points.data(), index_.end()}; }

 private:
  const LoggedRun* run_ = nullptr;
  std::vector<std::uint32_t> index_;
};

struct Series {
  std::string metric, split;
  std::string file;  ///< where its values were read
  MetricName name;
  std::vector<const LoggedPoint*> epoch_points;  ///< one value per epoch (not per step)
  PointList step_points;                         ///< every other value
  /// The step points with neither an epoch nor a per-step mark (TensorBoard, MLflow): each
  /// may be one evaluation, as an epoch point is.
  std::vector<const LoggedPoint*> unindexed_points;
  bool running_mean = false;

  /// The values that each evaluate the model once: the epoch values, or for a series
  /// logged by step only, its unmarked step values.
  const std::vector<const LoggedPoint*>& evaluations() const {
    return epoch_points.empty() ? unindexed_points : epoch_points;
  }
};

std::vector<Series> series_of(const LoggedRun& run,
                              const std::map<std::string, std::string>& overrides) {
  if (run.points.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(run.file +
                     ": more than 2^32 logged values; the audit reads at most that many"
                     " per log");
  }
  std::vector<Series> out;
  // The series of each (metric id, split), as an index into `out` (npos: none yet).
  std::vector<std::size_t> index(run.metrics.size() * 3, std::string::npos);
  const RepeatedEpochs repeated(run);
  for (const auto& p : run.points) {
    std::size_t& at = index[std::size_t{p.metric_id} * 3 + static_cast<std::size_t>(p.split)];
    if (at == std::string::npos) {
      at = out.size();
      Series s;
      s.step_points = PointList(run);
      s.metric = run.metric(p);
      s.split = split_name(p.split);
      s.file = run.file_of(p);
      s.name = classify_metric(s.metric, overrides);
      out.push_back(std::move(s));
    }
    Series& s = out[at];
    const bool several_in_epoch = repeated.contains(p);
    if (p.per_step || several_in_epoch || !p.epoch) {
      s.step_points.push_back(p);
      if (!p.per_step && !p.epoch) s.unindexed_points.push_back(&p);
    } else {
      s.epoch_points.push_back(&p);
    }
    s.running_mean = s.running_mean || p.running_mean;
  }
  return out;
}

// The series dump findings explained, by base name and split: "val/loss" in a TensorBoard
// file is the "val_loss" of the run's CSV, and is not reported twice.
using Explained = std::set<std::pair<std::string, std::string>>;

Explained explained_series(const std::vector<Finding>& already,
                           const std::map<std::string, std::string>& overrides) {
  Explained out;
  for (const Finding& f : already) out.insert({classify_metric(f.metric, overrides).base, f.split});
  return out;
}

// A finding of `rule_id` on a series, located at one of its points; its texts are filled
// by the caller from the rule table.
Finding base(std::string_view rule_id, const Series& s, const LoggedPoint& at) {
  const RuleInfo& r = rule(rule_id);
  Finding f;
  f.rule = r.id;
  f.name = r.name;
  f.severity = r.level;
  f.metric = s.metric;
  f.split = s.split;
  f.logged = at.value;
  f.file = s.file;
  f.line = at.line;
  f.offset = at.offset;
  return f;
}

// The finding's message and fix from its rule's texts.
void describe(Finding& f, const std::vector<TextValue>& facts) {
  const RuleInfo& r = rule(f.rule);
  f.message = fill(r.message, facts);
  f.fix = fill(r.fix, facts);
}

std::vector<std::int64_t> epochs_of(const std::vector<const LoggedPoint*>& pts) {
  std::set<std::int64_t> e;
  for (const auto* p : pts) {
    if (p->epoch) e.insert(*p->epoch);
  }
  return {e.begin(), e.end()};
}

std::vector<std::int64_t> steps_of(const std::vector<const LoggedPoint*>& pts) {
  std::set<std::int64_t> e;
  for (const auto* p : pts) {
    if (p->step) e.insert(*p->step);
  }
  return {e.begin(), e.end()};
}

const LoggedPoint* lowest(const std::vector<const LoggedPoint*>& pts) {
  return *std::min_element(pts.begin(), pts.end(),
                           [](auto* a, auto* b) { return a->value < b->value; });
}

// What the rules of one log see.
struct RunFacts {
  const LogFacts& facts;
  const Explained& explained;  ///< by dump findings: these series are not reported again
  std::int64_t classes = 0;    ///< C when known and >= 3, else 0
  double best_accuracy = 0.0;  ///< the highest accuracy the log evaluated
};

// LG001: a loss that never goes below the softmax-twice floor while accuracy is high.
// The floor holds for every sample, so for every value: per epoch, per step, per batch.
std::optional<Finding> softmax_twice_floor_rule(const Series& s, const RunFacts& run) {
  if (s.name.kind != Kind::loss || !run.classes || run.best_accuracy < 0.9 ||
      run.explained.count({s.name.base, s.split})) {
    return std::nullopt;
  }
  std::vector<const LoggedPoint*> all = s.epoch_points;
  all.insert(all.end(), s.step_points.begin(), s.step_points.end());
  if (all.empty()) return std::nullopt;
  const double floor = softmax_twice_floor(run.classes);
  const LoggedPoint* low = lowest(all);
  if (low->value < floor - tolerance(*low)) return std::nullopt;
  Finding f = base("LG001", s, *low);
  f.epochs = epochs_of(s.epoch_points);
  f.steps = steps_of({s.step_points.begin(), s.step_points.end()});
  Convention on_logits;
  on_logits.metric = Metric::cross_entropy;
  f.explained_by = reading_id(on_logits, /*on_probabilities=*/true);
  describe(f, {{"metric", s.metric},
               {"lowest", four_decimals(low->value)},
               {"floor", four_decimals(floor)},
               {"C", std::to_string(run.classes)},
               {"best_accuracy", four_decimals(run.best_accuracy)}});
  return f;
}

// LG002: an end-of-epoch evaluation's accuracy must be k/N for the stated N.
std::optional<Finding> not_k_over_n_rule(const Series& s, const RunFacts& run) {
  const auto& N = run.facts.eval_size;
  if (s.name.kind != Kind::accuracy || !N || *N <= 0 || s.split == "train" || s.running_mean ||
      run.explained.count({s.name.base, s.split})) {
    return std::nullopt;
  }
  const double n = static_cast<double>(*N);
  std::vector<const LoggedPoint*> bad;
  for (const auto* p : s.evaluations()) {
    const double k = std::round(p->value * n);
    if (std::abs(k / n - p->value) > tolerance(*p)) bad.push_back(p);
  }
  if (bad.empty()) return std::nullopt;
  Finding f = base("LG002", s, *bad.back());
  f.epochs = epochs_of(bad);
  if (f.epochs.empty()) f.steps = steps_of(bad);
  describe(f, {{"metric", s.metric},
               {"value", four_decimals(bad.back()->value)},
               {"N", std::to_string(*N)},
               {"bad", std::to_string(bad.size())},
               {"total", std::to_string(s.evaluations().size())}});
  return f;
}

// LG003: every value sits above the (C-1)/C floor of element-wise binary accuracy.
std::optional<Finding> binary_floor_rule(const Series& s, const RunFacts& run) {
  const auto& values = s.evaluations();
  if (s.name.kind != Kind::accuracy || !run.classes || values.size() < 2 ||
      run.explained.count({s.name.base, s.split})) {
    return std::nullopt;
  }
  const double C = static_cast<double>(run.classes);
  const double floor = (C - 1.0) / C;
  const LoggedPoint* low = lowest(values);
  if (low->value < floor - tolerance(*low) || low->value >= floor + (1.0 - floor) / 2) {
    return std::nullopt;
  }
  Finding f = base("LG003", s, *low);
  f.epochs = epochs_of(s.epoch_points);
  if (f.epochs.empty()) f.steps = steps_of(values);
  Convention elementwise;
  elementwise.metric = Metric::elementwise_binary_accuracy;
  f.explained_by = elementwise.id();
  describe(
      f,
      {{"metric", s.metric}, {"floor", four_decimals(floor)}, {"C", std::to_string(run.classes)}});
  return f;
}

// LG004: per-step macro accuracy (absent classes as 0) cannot exceed batch/C.
std::optional<Finding> per_step_macro_rule(const Series& s, const RunFacts& run) {
  const auto& B = run.facts.batch_size;
  if (s.name.kind != Kind::accuracy || !run.classes || !B || *B >= run.classes ||
      s.step_points.empty() || run.explained.count({s.name.base, s.split})) {
    return std::nullopt;
  }
  const double bound = static_cast<double>(*B) / static_cast<double>(run.classes);
  const bool all_below = std::all_of(s.step_points.begin(), s.step_points.end(),
                                     [&](auto* p) { return p->value <= bound + tolerance(*p); });
  if (!all_below) return std::nullopt;
  Finding f = base("LG004", s, *s.step_points.back());
  Convention macro_absent_zero;
  macro_absent_zero.average = Average::macro;
  macro_absent_zero.absent = Absent::zero;
  f.explained_by = macro_absent_zero.id();
  for (const auto* p : s.step_points) {
    if (p->step) f.steps.push_back(*p->step);
  }
  describe(f, {{"metric", s.metric},
               {"B", std::to_string(*B)},
               {"C", std::to_string(run.classes)},
               {"bound", four_decimals(bound)}});
  return f;
}

// LG005: training values of a Keras log are running means over the epoch (one finding
// per log, naming every such series).
std::optional<Finding> running_mean_rule(const LoggedRun& log, const std::vector<Series>& all) {
  std::string names;
  const Series* first = nullptr;
  for (const auto& s : all) {
    if (!s.running_mean || s.name.kind == Kind::ignored) continue;
    names += (names.empty() ? "" : ", ") + s.metric;
    if (!first) first = &s;
  }
  if (!first) return std::nullopt;
  Series train = *first;
  train.split = "train";
  Finding f = base(
      "LG005", train,
      first->epoch_points.empty() ? *first->step_points.front() : *first->epoch_points.front());
  f.metric = names;
  describe(f, {{"metric", names}, {"file", log.file}});
  return f;
}

}  // namespace

std::vector<Finding> log_findings(const std::vector<LoggedRun>& runs,
                                  const std::map<std::string, std::string>& overrides,
                                  const LogFacts& facts, const std::vector<Finding>& already) {
  std::vector<Finding> out;
  std::set<std::tuple<std::string, std::string, std::string>> emitted;  // (rule, metric, split)
  auto emit = [&](std::optional<Finding> f) {
    if (f && emitted.insert({f->rule, f->metric, f->split}).second) out.push_back(std::move(*f));
  };
  const Explained explained = explained_series(already, overrides);
  for (const LoggedRun& log : runs) {
    const auto all = series_of(log, overrides);
    RunFacts run{facts, explained};
    if (facts.num_classes && *facts.num_classes >= 3) run.classes = *facts.num_classes;
    for (const auto& s : all) {
      if (s.name.kind != Kind::accuracy) continue;
      for (const auto* p : s.evaluations()) {
        run.best_accuracy = std::max(run.best_accuracy, p->value);
      }
    }
    for (const auto& s : all) emit(softmax_twice_floor_rule(s, run));
    for (const auto& s : all) {
      emit(not_k_over_n_rule(s, run));
      emit(binary_floor_rule(s, run));
      emit(per_step_macro_rule(s, run));
    }
    emit(running_mean_rule(log, all));
  }
  return out;
}

}  // namespace metricaudit::audit::detail
