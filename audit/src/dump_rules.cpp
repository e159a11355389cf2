// Findings from recomputed points. For each logged series (metric, split), the
// points the implied convention does not explain are grouped by the convention
// that does; each group is one finding, under the rule of that convention's catalogue
// row, its texts from the rule table. Points nothing explains are MX001.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "internal.hpp"
#include "metricaudit/audit/rules.hpp"
#include "metricaudit/catalogue.hpp"

namespace metricaudit::audit::detail {
namespace {

const CandidateValue* candidate(const PointResult& p, const std::string& id) {
  for (const auto& c : p.candidates) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool explained_by(const PointResult& p, const std::string& id) {
  return std::find(p.explained_by.begin(), p.explained_by.end(), id) != p.explained_by.end();
}

// torchmetrics' own binary accuracy thresholds raw scores when they all lie in [0, 1]:
// when it explains the value too, MA005 says so and how to avoid it.
bool torchmetrics_also(const PointResult& rep) {
  LabelwiseConvention tm;
  tm.reading = ScoreReading::torchmetrics_auto;
  return explained_by(rep, reading_id(tm, false));
}

std::string where(const Finding& f) {
  if (!f.epochs.empty()) {
    return f.epochs.size() == 1 ? " at epoch " + std::to_string(f.epochs.front())
                                : " at " + std::to_string(f.epochs.size()) + " epochs";
  }
  if (!f.steps.empty()) {
    return f.steps.size() == 1 ? " at step " + std::to_string(f.steps.front())
                               : " at " + std::to_string(f.steps.size()) + " steps";
  }
  return "";
}

// " Nearest conventions: a = 0.1 (off by 0.2), ...": what an unexplained value is near.
std::string nearest(const PointResult& rep) {
  std::vector<const CandidateValue*> by_distance;
  for (const auto& c : rep.candidates) by_distance.push_back(&c);
  std::sort(by_distance.begin(), by_distance.end(),
            [](auto* a, auto* b) { return a->distance < b->distance; });
  std::string out = " Nearest conventions:";
  for (std::size_t i = 0; i < std::min<std::size_t>(3, by_distance.size()); ++i) {
    out += std::string(i ? "," : "") + " " + by_distance[i]->id + " = " +
           four_decimals(by_distance[i]->value) + " (off by " +
           four_decimals(by_distance[i]->distance) + ")";
  }
  return out + ".";
}

// The message and fix of a finding: the rule's texts filled with this finding's facts.
void describe(Finding& f, const RuleInfo& rule, const PointResult& rep, std::int64_t classes) {
  const CandidateValue* row = candidate(rep, f.explained_by);
  const double c = static_cast<double>(classes);
  const std::vector<TextValue> facts = {
      {"metric", f.metric},
      {"C", std::to_string(classes)},
      {"explained_by", f.explained_by},
      {"libraries", row ? row->libraries : std::string()},
      {"description", row ? row->description : std::string()},
      {"expected", f.expected_convention},
      {"binary_floor", four_decimals((c - 1.0) / c)},
      {"softmax_twice_floor", four_decimals(std::log1p((c - 1.0) / std::exp(1.0)))},
      {"sigmoid_twice_floor", four_decimals(std::log1p(std::exp(-1.0)))},
  };
  std::string what = fill(rule.message, facts);
  f.fix = fill(rule.fix, facts);
  if (rule.id == "MA005" && torchmetrics_also(rep)) {
    what +=
        "; torchmetrics does the same here, because every logit of the dump lies in "
        "[0, 1] and its BinaryAccuracy applies a sigmoid only when some score does not";
    f.fix += "; torchmetrics: pass torch.sigmoid(logits) to BinaryAccuracy";
  }
  const std::string expected = f.expected ? four_decimals(*f.expected) : std::string("n/a");
  f.message = what + ". Logged " + four_decimals(*f.logged) + where(f) + "; under " +
              f.expected_convention + " the value is " + expected + ".";
  if (f.explained_by.empty()) f.message += nearest(rep);
}

// One finding for a group of points of one series, explained by `explained_by` (empty:
// by nothing, MX001).
Finding make_finding(const std::string& explained_by,
                     const std::vector<const PointResult*>& points) {
  // The representative point: the last one (latest epoch) of the first log that
  // has the series; logs come structured formats first.
  const PointResult* last_of_first_log = points.front();
  for (const auto* p : points) {
    if (p->file == points.front()->file) last_of_first_log = p;
  }
  const PointResult& rep = *last_of_first_log;
  const CandidateValue* row = explained_by.empty() ? nullptr : candidate(rep, explained_by);
  const RuleInfo& r = rule(row ? std::string_view(row->rule) : std::string_view("MX001"));
  Finding f;
  f.rule = r.id;
  f.name = r.name;
  f.severity = r.level;
  f.metric = rep.metric;
  f.split = split_name(rep.point.split);
  std::set<std::int64_t> epochs, steps;
  for (const auto* p : points) {
    if (p->point.per_step || !p->point.epoch) {
      if (p->point.step) steps.insert(*p->point.step);
    } else {
      epochs.insert(*p->point.epoch);
    }
  }
  f.epochs.assign(epochs.begin(), epochs.end());
  f.steps.assign(steps.begin(), steps.end());
  f.logged = rep.point.value;
  f.explained_by = explained_by;
  f.expected_convention = rep.expected_id;
  f.expected = rep.expected;
  f.file = rep.file;
  f.line = rep.point.line;
  f.offset = rep.point.offset;
  describe(f, r, rep, points.back()->num_classes);
  return f;
}

// One finding per group of the points that the implied convention does not explain,
// grouped by the convention that explains most of them (ties: catalogue order, the order
// of explained_by).
void group_by_explanation(std::vector<const PointResult*> open, std::vector<Finding>& findings) {
  while (!open.empty()) {
    std::map<std::string, int> votes;
    std::vector<std::string> first_seen;
    for (const auto* p : open) {
      for (const auto& id : p->explained_by) {
        if (!votes.count(id)) first_seen.push_back(id);
        ++votes[id];
      }
    }
    std::string best = first_seen.front();
    for (const auto& id : first_seen) {
      if (votes[id] > votes[best]) best = id;
    }
    std::vector<const PointResult*> group, rest;
    for (const auto* p : open) (explained_by(*p, best) ? group : rest).push_back(p);
    findings.push_back(make_finding(best, group));
    open = std::move(rest);
  }
}

}  // namespace

std::vector<Finding> dump_findings(const std::vector<PointResult>& points) {
  // Series in order of first appearance.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const PointResult*>> series;
  for (const auto& p : points) {
    const auto key = std::pair(p.metric, std::string(split_name(p.point.split)));
    if (!series.count(key)) order.push_back(key);
    series[key].push_back(&p);
  }
  std::vector<Finding> findings;
  for (const auto& key : order) {
    std::vector<const PointResult*> unexplained;
    std::vector<const PointResult*> open;  // not explained by the implied convention
    for (const auto* p : series[key]) {
      if (explained_by(*p, p->expected_id)) continue;
      (p->explained_by.empty() ? unexplained : open).push_back(p);
    }
    group_by_explanation(std::move(open), findings);
    if (!unexplained.empty()) findings.push_back(make_finding("", unexplained));
  }
  return findings;
}

// MX002: a dump whose sample ids repeat, or with more rows than --eval-size, evaluated
// some samples twice. One finding per split, covering each epoch or step whose dump did;
// its numbers are the first such dump's.
std::vector<Finding> padding_findings(const std::vector<Recomputed>& dumps,
                                      std::optional<std::int64_t> eval_size) {
  const RuleInfo& info = rule("MX002");
  std::vector<Finding> findings;
  std::map<std::string, std::size_t> of_split;
  for (const auto& d : dumps) {
    std::int64_t twice = d.repeated_ids;
    std::string cause = std::to_string(twice) + " sample id(s) repeat";
    if (twice == 0 && eval_size && d.rows > *eval_size) {
      twice = d.rows - *eval_size;
      cause = std::to_string(d.rows) + " rows for --eval-size " + std::to_string(*eval_size);
    }
    if (twice == 0) continue;
    const auto [at, first] = of_split.try_emplace(d.split, findings.size());
    if (first) {
      Finding f;
      f.rule = info.id;
      f.name = info.name;
      f.severity = info.level;
      f.metric = "predictions";  // the dumps, not a logged metric
      f.split = d.split;
      f.file = d.path;
      f.message = fill(info.message, {{"split", d.split},
                                      {"N", std::to_string(d.rows - twice)},
                                      {"P", std::to_string(twice)},
                                      {"cause", cause}});
      f.fix = fill(info.fix, {});
      findings.push_back(std::move(f));
    }
    Finding& f = findings[at->second];
    if (d.epoch) {
      f.epochs.push_back(*d.epoch);
    } else if (d.step) {
      f.steps.push_back(*d.step);
    }
  }
  return findings;
}

}  // namespace metricaudit::audit::detail
