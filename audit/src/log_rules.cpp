// Rules that need no dumps: what a log alone implies about how its numbers were
// computed. Those that can misfire on a healthy run are notes (they do not change
// the exit status); the others need a fact the user stated or a hard bound.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "internal.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit::audit::detail {
namespace {

struct Series {
  std::string metric, split;
  MetricName name;
  std::vector<const LoggedPoint*> epoch_points;  ///< one value per epoch (not per step)
  std::vector<const LoggedPoint*> step_points;
  bool running_mean = false;
};

std::vector<Series> series_of(const LoggedRun& run,
                              const std::map<std::string, std::string>& overrides) {
  std::vector<Series> out;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  const RepeatedEpochs repeated(run);
  for (const auto& p : run.points) {
    const auto key = std::pair(p.metric, p.split);
    auto [it, fresh] = index.try_emplace(key, out.size());
    if (fresh) {
      Series s;
      s.metric = p.metric;
      s.split = p.split;
      s.name = classify_metric(p.metric, overrides);
      out.push_back(std::move(s));
    }
    Series& s = out[it->second];
    const bool several_in_epoch = repeated.contains(p);
    if (p.per_step || several_in_epoch || !p.epoch) {
      s.step_points.push_back(&p);
    } else {
      s.epoch_points.push_back(&p);
    }
    s.running_mean = s.running_mean || p.running_mean;
  }
  return out;
}

bool reported(const std::vector<Finding>& already, const std::string& metric,
              const std::string& split) {
  return std::any_of(already.begin(), already.end(),
                     [&](const Finding& f) { return f.metric == metric && f.split == split; });
}

Finding base(const char* rule, const char* name, Severity sev, const Series& s,
             const LoggedPoint& at) {
  Finding f;
  f.rule = rule;
  f.name = name;
  f.severity = sev;
  f.metric = s.metric;
  f.split = s.split;
  f.logged = at.value;
  f.file = at.file;
  f.line = at.line;
  f.offset = at.offset;
  return f;
}

std::vector<std::int64_t> epochs_of(const std::vector<const LoggedPoint*>& pts) {
  std::set<std::int64_t> e;
  for (const auto* p : pts) {
    if (p->epoch) e.insert(*p->epoch);
  }
  return {e.begin(), e.end()};
}

}  // namespace

std::vector<Finding> log_findings(const std::vector<LoggedRun>& runs,
                                  const std::map<std::string, std::string>& overrides,
                                  const LogFacts& facts, const std::vector<Finding>& already) {
  std::vector<Finding> out;
  std::set<std::tuple<std::string, std::string, std::string>> emitted;  // (rule, metric, split)
  auto emit = [&](Finding f) {
    if (emitted.insert({f.rule, f.metric, f.split}).second) out.push_back(std::move(f));
  };
  for (const LoggedRun& run : runs) {
    const auto all = series_of(run, overrides);
    const bool have_classes = facts.num_classes && *facts.num_classes >= 3;
    const double C = have_classes ? static_cast<double>(*facts.num_classes) : 0.0;

    // LG001: a loss that never goes below the softmax-twice floor while accuracy is high.
    double best_accuracy = 0.0;
    for (const auto& s : all) {
      if (s.name.kind != Kind::accuracy) continue;
      for (const auto* p : s.epoch_points) best_accuracy = std::max(best_accuracy, p->value);
    }
    if (have_classes && best_accuracy >= 0.9) {
      const double floor = softmax_twice_floor(*facts.num_classes);
      for (const auto& s : all) {
        if (s.name.kind != Kind::loss || s.epoch_points.empty() ||
            reported(already, s.metric, s.split)) {
          continue;
        }
        const auto* lowest =
            *std::min_element(s.epoch_points.begin(), s.epoch_points.end(),
                              [](auto* a, auto* b) { return a->value < b->value; });
        if (lowest->value < floor - tolerance(*lowest)) continue;
        Finding f = base("LG001", "softmax-twice-floor", Severity::warning, s, *lowest);
        f.epochs = epochs_of(s.epoch_points);
        f.explained_by = "loss.softmax_twice";
        f.message = s.metric + " never goes below " + four_decimals(lowest->value) +
                    ", at or above the floor ln(1 + (C-1)/e) = " + four_decimals(floor) +
                    " for C = " + std::to_string(*facts.num_classes) +
                    " that cross-entropy reaches when softmax is applied to probabilities, while "
                    "accuracy reaches " +
                    four_decimals(best_accuracy) +
                    ": the loss is most likely computed on probabilities fed as logits.";
        f.fix =
            "PyTorch: remove the final Softmax layer (CrossEntropyLoss applies log-softmax "
            "itself), or use NLLLoss on torch.log(probs); Keras: from_logits=False with a "
            "softmax output";
        emit(std::move(f));
      }
    }

    for (const auto& s : all) {
      const bool accuracy = s.name.kind == Kind::accuracy;
      // LG002: an end-of-epoch evaluation's accuracy must be k/N for the stated N.
      if (accuracy && facts.eval_size && *facts.eval_size > 0 && s.split != "train" &&
          !s.running_mean && !reported(already, s.metric, s.split)) {
        const double n = static_cast<double>(*facts.eval_size);
        std::vector<const LoggedPoint*> bad;
        for (const auto* p : s.epoch_points) {
          const double k = std::round(p->value * n);
          if (std::abs(k / n - p->value) > tolerance(*p)) bad.push_back(p);
        }
        if (!bad.empty()) {
          Finding f = base("LG002", "accuracy-not-k-over-n", Severity::warning, s, *bad.back());
          f.epochs = epochs_of(bad);
          f.message = s.metric + " = " + four_decimals(bad.back()->value) + " is not k/" +
                      std::to_string(*facts.eval_size) + " for any whole k (" +
                      std::to_string(bad.size()) + " of " + std::to_string(s.epoch_points.size()) +
                      " values): with " + std::to_string(*facts.eval_size) +
                      " evaluated samples a fraction-correct accuracy cannot take it, so it is an "
                      "average of per-class values (macro or weighted), a weighted mean, or the "
                      "evaluation size differs.";
          f.fix =
              "torchmetrics: Accuracy(task=\"multiclass\") or average=\"micro\"; check that "
              "the whole evaluation set was evaluated";
          emit(std::move(f));
        }
      }
      // LG003: every value sits above the (C-1)/C floor of element-wise binary accuracy.
      if (accuracy && have_classes && s.epoch_points.size() >= 2 &&
          !reported(already, s.metric, s.split)) {
        const double floor = (C - 1.0) / C;
        const auto* lowest =
            *std::min_element(s.epoch_points.begin(), s.epoch_points.end(),
                              [](auto* a, auto* b) { return a->value < b->value; });
        if (lowest->value >= floor - tolerance(*lowest) &&
            lowest->value < floor + (1.0 - floor) / 2) {
          Finding f = base("LG003", "binary-accuracy-floor", Severity::note, s, *lowest);
          f.epochs = epochs_of(s.epoch_points);
          f.explained_by = "accuracy.elementwise_binary";
          f.message = "every value of " + s.metric + " is at or above " + four_decimals(floor) +
                      ", the (C-1)/C floor that element-wise binary accuracy on one-hot targets "
                      "scores for an all-zero prediction (C = " +
                      std::to_string(*facts.num_classes) +
                      "), and the lowest sits just above it: consistent with binary accuracy. Save "
                      "predictions to decide.";
          f.fix =
              "Keras: metrics=[\"categorical_accuracy\"] with loss=\"categorical_crossentropy\"";
          emit(std::move(f));
        }
      }
      // LG004: per-step macro accuracy (absent classes as 0) cannot exceed batch/C.
      if (accuracy && have_classes && facts.batch_size && *facts.batch_size < *facts.num_classes &&
          !s.step_points.empty() && !reported(already, s.metric, s.split)) {
        const double bound = static_cast<double>(*facts.batch_size) / C;
        const bool all_below =
            std::all_of(s.step_points.begin(), s.step_points.end(),
                        [&](auto* p) { return p->value <= bound + tolerance(*p); });
        if (all_below) {
          Finding f =
              base("LG004", "per-step-macro-bound", Severity::warning, s, *s.step_points.back());
          f.explained_by = "accuracy.macro.absent_zero";
          for (const auto* p : s.step_points) {
            if (p->step) f.steps.push_back(*p->step);
          }
          f.message = "no per-step value of " + s.metric +
                      " exceeds batch size / C = " + std::to_string(*facts.batch_size) + "/" +
                      std::to_string(*facts.num_classes) + " = " + four_decimals(bound) +
                      ": a batch holds at most that share of the classes, so the values are a "
                      "macro average over all classes with absent ones counted as 0.";
          f.fix = "torchmetrics: Accuracy(task=\"multiclass\") or average=\"micro\"";
          emit(std::move(f));
        }
      }
    }
    // LG005: training values of a Keras log are running means over the epoch.
    std::vector<std::string> running;
    const LoggedPoint* first_running = nullptr;
    for (const auto& s : all) {
      if (!s.running_mean || s.name.kind == Kind::ignored) continue;
      running.push_back(s.metric);
      if (!first_running) {
        first_running = s.epoch_points.empty() ? s.step_points.front() : s.epoch_points.front();
      }
    }
    if (first_running) {
      Series s;
      s.metric = running.front();
      s.split = "train";
      Finding f = base("LG005", "running-mean", Severity::note, s, *first_running);
      std::string names;
      for (const auto& m : running) names += (names.empty() ? "" : ", ") + m;
      f.metric = names;
      f.message = "in " + run.file + " the training values (" + names +
                  ") are running means over the epoch's batches while the weights change; they are "
                  "not an evaluation of the model at the end of the epoch, so they differ from a "
                  "validation or test evaluation of the same model even on the same data.";
      f.fix =
          "compare val_ metrics with val_ metrics, or evaluate the training set after the epoch "
          "(model.evaluate) for a like-for-like number";
      emit(std::move(f));
    }
  }
  return out;
}

}  // namespace metricaudit::audit::detail
