// Findings from recomputed points. For each logged series (metric, split), the
// points the implied convention does not explain are grouped by the convention
// that does; each group is one finding. Points nothing explains are MX001.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "internal.hpp"

namespace metricaudit::audit::detail {
namespace {

struct RuleText {
  const char* rule;
  const char* name;
  Severity severity;
};

RuleText rule_for(const std::string& explained_by, bool loss) {
  if (explained_by == "accuracy.macro.absent_zero") {
    return {"MA001", "accuracy-macro-absent-zero", Severity::warning};
  }
  if (explained_by == "accuracy.macro.exclude_unseen" || explained_by == "accuracy.balanced") {
    return {"MA002", "accuracy-macro", Severity::warning};
  }
  if (explained_by == "accuracy.elementwise_binary") {
    return {"MA003", "accuracy-elementwise-binary", Severity::warning};
  }
  if (explained_by == "accuracy.binary.raw") {
    // Open only on a logits dump: on probabilities the raw reading is the implied one.
    return {"MA005", "binary-accuracy-on-logits", Severity::warning};
  }
  if (explained_by == "loss.sigmoid_twice")
    return {"ML004", "loss-sigmoid-twice", Severity::warning};
  if (explained_by == "loss.softmax_twice")
    return {"ML001", "loss-softmax-twice", Severity::warning};
  if (explained_by == "loss.binary_onehot")
    return {"ML002", "loss-binary-onehot", Severity::warning};
  if (loss) return {"ML003", "loss-other-convention", Severity::warning};
  return {"MA004", "accuracy-other-convention", Severity::warning};
}

// The message and fix of a finding, in the user's framework's words.
void describe(Finding& f, const PointResult& rep, std::int64_t classes) {
  const std::string logged = four_decimals(*f.logged);
  const std::string expected = f.expected ? four_decimals(*f.expected) : std::string("n/a");
  const std::string C = std::to_string(classes);
  const std::string& id = f.explained_by;
  std::string what;
  if (id == "accuracy.macro.absent_zero") {
    what = "is a macro average of per-class recall over all " + C +
           " classes, with classes absent from the evaluated data counted as 0 (torchmetrics "
           "0.10-0.11 MulticlassAccuracy's default average='macro')";
    f.fix = "torchmetrics: use Accuracy(task=\"multiclass\", num_classes=" + C +
            ") or MulticlassAccuracy(num_classes=" + C +
            ", average=\"micro\"); if a macro average is what you want, upgrade to torchmetrics "
            ">= 1.0, which leaves absent classes out";
  } else if (id == "accuracy.macro.exclude_unseen" || id == "accuracy.balanced") {
    what =
        "is a macro average of per-class recall over the classes present (torchmetrics >= 1.0 "
        "MulticlassAccuracy's default average='macro'; sklearn recall_score(average='macro') or "
        "balanced_accuracy_score)";
    f.fix = "torchmetrics: use Accuracy(task=\"multiclass\", num_classes=" + C +
            ") or MulticlassAccuracy(num_classes=" + C + ", average=\"micro\")";
  } else if (id == "accuracy.elementwise_binary") {
    what = "is binary accuracy taken element-wise over the " + C +
           " one-hot outputs (score > 0.5 per cell); an all-zero prediction already scores (C-1)/C "
           "= " +
           four_decimals(static_cast<double>(classes - 1) / static_cast<double>(classes));
    f.fix =
        "Keras: compile(loss=\"categorical_crossentropy\", metrics=[\"categorical_accuracy\"]) "
        "for one-hot multi-class targets (or sparse_categorical_* for integer labels)";
  } else if (id == "loss.softmax_twice") {
    what =
        "is cross-entropy computed on probabilities as if they were logits (softmax applied "
        "twice); it can never go below ln(1 + (C-1)/e) = " +
        four_decimals(std::log1p(static_cast<double>(classes - 1) / std::exp(1.0)));
    f.fix =
        "PyTorch: remove the final Softmax layer (CrossEntropyLoss applies log-softmax itself), "
        "or keep it and use NLLLoss on torch.log(probs)";
  } else if (id == "loss.binary_onehot") {
    what = "is binary cross-entropy taken element-wise over the " + C +
           " one-hot outputs, averaged over outputs (not categorical cross-entropy)";
    f.fix =
        "Keras: compile(loss=\"categorical_crossentropy\") for one-hot multi-class targets "
        "(sparse_categorical_crossentropy for integer labels)";
  } else if (id == "accuracy.binary.raw") {
    const bool torchmetrics =
        std::find(rep.explained_by.begin(), rep.explained_by.end(),
                  "accuracy.binary.torchmetrics_auto") != rep.explained_by.end();
    what =
        "is binary accuracy thresholded at 0.5 on the raw logits, as if they were "
        "probabilities (no sigmoid first: a logit of 0.3 counts as negative although "
        "sigmoid(0.3) = 0.57)";
    if (torchmetrics) {
      what +=
          "; torchmetrics does the same here, because every logit of the dump lies in "
          "[0, 1] and its BinaryAccuracy applies a sigmoid only when some score does not";
    }
    f.fix =
        "Keras: BinaryAccuracy(threshold=0.0) for a model that outputs logits (from_logits=True "
        "loss), or end the model with a sigmoid; PyTorch: threshold torch.sigmoid(logits) > 0.5 "
        "(or logits > 0)";
    if (torchmetrics) {
      f.fix += "; torchmetrics: pass torch.sigmoid(logits) to BinaryAccuracy";
    }
  } else if (id == "loss.sigmoid_twice") {
    what =
        "is binary cross-entropy with logits computed on outputs that are already "
        "probabilities (sigmoid applied twice); it can never go below ln(1 + 1/e) = " +
        four_decimals(std::log1p(std::exp(-1.0))) + " per label";
    f.fix =
        "PyTorch: remove the final Sigmoid layer (BCEWithLogitsLoss applies it itself), or keep "
        "it and use BCELoss; Keras: binary_crossentropy with from_logits=False on a sigmoid "
        "output, or no sigmoid with from_logits=True";
  } else if (f.rule == "MX001") {
    what = "is explained by no convention in the catalogue";
    f.fix =
        "check that the dump holds exactly the data and model outputs the metric was computed "
        "on; if it does, this is a real discrepancy to investigate";
  } else {
    what = "is explained by " + id + " (" + [&] {
      for (const auto& c : rep.candidates) {
        if (c.id == id) return c.libraries;
      }
      return std::string();
    }() + ")";
    f.fix = "compute the metric as " + f.expected_convention + " if that is what you meant";
  }
  std::string where;
  if (!f.epochs.empty()) {
    where = f.epochs.size() == 1 ? " at epoch " + std::to_string(f.epochs.front())
                                 : " at " + std::to_string(f.epochs.size()) + " epochs";
  } else if (!f.steps.empty()) {
    where = f.steps.size() == 1 ? " at step " + std::to_string(f.steps.front())
                                : " at " + std::to_string(f.steps.size()) + " steps";
  }
  f.message = f.metric + " " + what + ". Logged " + logged + where + "; under " +
              f.expected_convention + " the value is " + expected + ".";
  if (f.rule == "MX001") {
    std::vector<const CandidateValue*> nearest;
    for (const auto& c : rep.candidates) nearest.push_back(&c);
    std::sort(nearest.begin(), nearest.end(),
              [](auto* a, auto* b) { return a->distance < b->distance; });
    f.message += " Nearest conventions:";
    for (std::size_t i = 0; i < std::min<std::size_t>(3, nearest.size()); ++i) {
      f.message += std::string(i ? "," : "") + " " + nearest[i]->id + " = " +
                   four_decimals(nearest[i]->value) + " (off by " +
                   four_decimals(nearest[i]->distance) + ")";
    }
    f.message += ".";
  }
}

Finding make_finding(const std::string& explained_by, const RuleText& rt,
                     const std::vector<const PointResult*>& points, std::int64_t classes) {
  Finding f;
  f.rule = rt.rule;
  f.name = rt.name;
  f.severity = rt.severity;
  // The representative point: the last one (latest epoch) of the first log that
  // has the series; logs come structured formats first.
  const PointResult* last_of_first_log = points.front();
  for (const auto* p : points) {
    if (p->point.file == points.front()->point.file) last_of_first_log = p;
  }
  const PointResult& rep = *last_of_first_log;
  f.metric = rep.point.metric;
  f.split = rep.point.split;
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
  f.file = rep.point.file;
  f.line = rep.point.line;
  f.offset = rep.point.offset;
  describe(f, rep, classes);
  return f;
}

}  // namespace

std::vector<Finding> dump_findings(const std::vector<PointResult>& points) {
  // Series in order of first appearance.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const PointResult*>> series;
  for (const auto& p : points) {
    const auto key = std::pair(p.point.metric, p.point.split);
    if (!series.count(key)) order.push_back(key);
    series[key].push_back(&p);
  }
  std::vector<Finding> findings;
  for (const auto& key : order) {
    const auto& pts = series[key];
    std::vector<const PointResult*> unexplained;
    std::vector<const PointResult*> open;  // not explained by the implied convention
    for (const auto* p : pts) {
      const bool implied = std::find(p->explained_by.begin(), p->explained_by.end(),
                                     p->expected_id) != p->explained_by.end();
      if (implied) continue;
      (p->explained_by.empty() ? unexplained : open).push_back(p);
    }
    // Group the open points by the convention that explains most of them (ties:
    // catalogue order, the order of explained_by).
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
      for (const auto* p : open) {
        const bool in = std::find(p->explained_by.begin(), p->explained_by.end(), best) !=
                        p->explained_by.end();
        (in ? group : rest).push_back(p);
      }
      findings.push_back(make_finding(best, rule_for(best, group.back()->kind == "loss"), group,
                                      group.back()->num_classes));
      open = std::move(rest);
    }
    if (!unexplained.empty()) {
      findings.push_back(make_finding("", {"MX001", "unexplained-value", Severity::error},
                                      unexplained, unexplained.back()->num_classes));
    }
  }
  return findings;
}

}  // namespace metricaudit::audit::detail
