// run_compare on small synthetic runs whose logged values are computed here with the
// core from the same arrays: each verdict, pairing rule and bad input has a case. The
// bundled Keras/Lightning pair is tested in compare_example_test.cpp.
#include "metricaudit/audit/compare.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "metricaudit/error.hpp"
#include "metricaudit/metricaudit.hpp"
#include "run_builder.hpp"

namespace metricaudit::audit {
namespace {

using testing::fixed;
using testing::TempRun;
using testing::write_npy;

constexpr std::int64_t kN = 400;
constexpr std::int64_t kC = 6;  // class 5 never a target: macro with absent = 0 differs

// Logits of a model that is right with probability `skill`, seeded.
struct Model {
  std::vector<std::int64_t> target;
  std::vector<float> logits;
};

std::vector<std::int64_t> targets(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::discrete_distribution<std::int64_t> label({30, 25, 20, 15, 10, 0});
  std::vector<std::int64_t> t(kN);
  for (auto& y : t) y = label(rng);
  return t;
}

Model model(const std::vector<std::int64_t>& target, double skill, std::uint64_t seed,
            std::int64_t classes = kC) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> z(0.0f, 1.0f);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Model m{target, {}};
  for (std::int64_t y : target) {
    const bool right = u(rng) < skill;
    const std::int64_t top = right ? y : (y + 1 + static_cast<std::int64_t>(u(rng) * 4)) % 5;
    for (std::int64_t c = 0; c < classes; ++c)
      m.logits.push_back(z(rng) + (c == top ? 4.0f : 0.0f));
  }
  return m;
}

// B: A's model with a fraction of its rows replaced by another model's rows.
Model mix(const Model& a, const Model& other, double fraction, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Model m = a;
  for (std::int64_t i = 0; i < kN; ++i) {
    if (u(rng) >= fraction) continue;
    for (std::int64_t c = 0; c < kC; ++c) m.logits[i * kC + c] = other.logits[i * kC + c];
  }
  return m;
}

SufficientState state_of(const Model& m, std::int64_t classes = kC) {
  MulticlassBatch b;
  b.target = ArrayView::vector(m.target.data(), static_cast<std::int64_t>(m.target.size()));
  b.scores =
      ArrayView::matrix(m.logits.data(), static_cast<std::int64_t>(m.target.size()), classes);
  StateOptions o;
  o.num_classes = classes;
  return evaluate(b, o);
}

// The catalogue's value of the first reading whose convention satisfies `pick`.
template <typename Pick>
double reading(const SufficientState& s, MetricKind kind, Pick pick) {
  for (const Candidate& c : catalogue(s, kind, ScoresAre::logits)) {
    if (pick(c.convention)) return c.value;
  }
  throw std::runtime_error("no such reading");
}

double micro(const SufficientState& s) {
  return reading(s, MetricKind::accuracy, [](const Convention& c) {
    return c.average == Average::micro && c.top_k == 1 && c.metric == Metric::accuracy;
  });
}
double macro_absent_zero(const SufficientState& s) {
  return reading(s, MetricKind::accuracy, [](const Convention& c) {
    return c.average == Average::macro && c.absent == Absent::zero && c.top_k == 1;
  });
}
double ce(const SufficientState& s) {
  return reading(s, MetricKind::loss, [](const Convention& c) {
    return c.loss == LossFamily::logits && c.class_weights.empty() && c.label_smoothing == 0;
  });
}

struct Epoch {
  std::int64_t epoch;
  const Model* model;
  bool macro = false;  // log the accuracy as torchmetrics 0.11's MulticlassAccuracy does
};

// A run: per epoch a log line {"epoch", "val_acc", "val_loss"} and, with dumps, its
// validation dump.
void write_run(TempRun& run, const std::vector<Epoch>& epochs, bool dumps = true,
               const char* acc_name = "val_acc", std::int64_t classes = kC) {
  std::string log;
  for (const Epoch& e : epochs) {
    const SufficientState s = state_of(*e.model, classes);
    log += "{\"epoch\": " + std::to_string(e.epoch) + ", \"" + acc_name +
           "\": " + fixed(e.macro ? macro_absent_zero(s) : micro(s), 6) +
           ", \"val_loss\": " + fixed(ce(s), 6) + "}\n";
    if (dumps) {
      const std::string stem = "val_epoch" + std::to_string(e.epoch);
      write_npy(run.dir() / "predictions" / (stem + ".target.npy"),
                {static_cast<std::int64_t>(e.model->target.size())}, e.model->target);
      write_npy(run.dir() / "predictions" / (stem + ".logits.npy"),
                {static_cast<std::int64_t>(e.model->target.size()), classes}, e.model->logits);
    }
  }
  run.log(log);
  if (!dumps) std::filesystem::remove_all(run.dir() / "predictions");
}

CompareReport compare(const TempRun& a, const TempRun& b, CompareOptions o = {}) {
  o.a.path = a.dir();
  o.b.path = b.dir();
  return run_compare(o);
}

Comparison judged(const CompareReport& r, const std::string& kind) {
  for (const Comparison& c : r.comparisons) {
    if (c.judged && c.kind == kind) return c;
  }
  throw std::runtime_error("no judged " + kind + " comparison");
}

class CompareRuns : public ::testing::Test {
 protected:
  std::vector<std::int64_t> target = targets(1);
  Model a = model(target, 0.85, 2);
  Model other = model(target, 0.85, 3);
  Model worse = model(target, 0.45, 4);
  Model b = mix(a, other, 0.1, 5);  // A's model with 10 % of its rows redrawn
};

TEST_F(CompareRuns, MacroAgainstMicroIsAConventionGapWithMcNemarsP) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}, {1, &a}});
  write_run(rb, {{0, &b, true}, {1, &b, true}});
  const CompareReport r = compare(ra, rb);
  const Comparison& c = judged(r, "accuracy");
  EXPECT_EQ(c.epoch, 1);  // the last shared epoch
  EXPECT_EQ(c.verdict, Verdict::convention) << c.reason;
  EXPECT_EQ(c.test, "mcnemar-exact");
  EXPECT_EQ(c.pairing, "paired");
  ASSERT_TRUE(c.p_value && c.table && c.ci95);
  EXPECT_GT(*c.p_value, 0.05);
  EXPECT_EQ(*c.p_value, stats::mcnemar_exact_p((*c.table)[1][0], (*c.table)[0][1]));
  EXPECT_EQ((*c.table)[0][0] + (*c.table)[0][1] + (*c.table)[1][0] + (*c.table)[1][1], kN);
  // The logged gap is large; under micro accuracy it is small and inside the interval.
  EXPECT_NEAR(*c.difference, micro(state_of(b)) - micro(state_of(a)), 1e-12);
  EXPECT_GT(std::abs(*c.logged_difference), 0.1);
  EXPECT_LE(c.ci95->low, *c.difference);
  EXPECT_GE(c.ci95->high, *c.difference);
  EXPECT_NE(c.reason.find("p = "), std::string::npos) << c.reason;
  // B's accuracy is explained by a macro reading and A's by the common one.
  EXPECT_FALSE(c.b.explained_by.empty());
  EXPECT_EQ(std::count(c.a.explained_by.begin(), c.a.explained_by.end(), c.convention), 1);
  EXPECT_EQ(std::count(c.b.explained_by.begin(), c.b.explained_by.end(), c.convention), 0);
  // The audit's finding on B travels with the report, with its fix.
  ASSERT_FALSE(r.b.findings.empty());
  EXPECT_FALSE(r.b.findings.front().fix.empty());
  EXPECT_TRUE(r.a.findings.empty());
  EXPECT_EQ(judged(r, "loss").verdict, Verdict::noise);
  EXPECT_EQ(judged(r, "loss").test, "paired-t");
  EXPECT_EQ(r.exit_status(), 0);
  // The non-judged epoch is compared too (for the curves), without a verdict.
  ASSERT_EQ(r.comparisons.size(), 4u);
  EXPECT_FALSE(r.comparisons[0].judged);
  EXPECT_FALSE(r.comparisons[0].verdict.has_value());
  EXPECT_TRUE(r.comparisons[0].p_value.has_value());
}

TEST_F(CompareRuns, RatiosOfClassCountsAreLeftOutWithAWarning) {
  // F1 is not a mean over samples: compare has no paired test for it, so it pairs the
  // loss alone and says why the F1 is missing (the audit still names its convention).
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}}, true, "val_f1");
  write_run(rb, {{0, &b}}, true, "val_f1");
  const CompareReport r = compare(ra, rb);
  for (const Comparison& c : r.comparisons) EXPECT_EQ(c.kind, "loss");
  EXPECT_EQ(judged(r, "loss").verdict, Verdict::noise);
  const auto left_out = std::count_if(r.warnings.begin(), r.warnings.end(), [](const auto& w) {
    return w.find("val_f1: compare tests accuracy") != std::string::npos;
  });
  EXPECT_EQ(left_out, 2);  // once per run
}

TEST_F(CompareRuns, AWorseModelIsReal) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}});
  write_run(rb, {{0, &worse}});
  const CompareReport r = compare(ra, rb);
  const Comparison& c = judged(r, "accuracy");
  EXPECT_EQ(c.verdict, Verdict::real) << c.reason;
  EXPECT_LT(*c.p_value, 1e-6);
  EXPECT_LT(c.ci95->high, 0.0);
  EXPECT_EQ(judged(r, "loss").verdict, Verdict::real);
  EXPECT_EQ(r.exit_status(), 1);
}

TEST_F(CompareRuns, SameConventionAndNoDifferenceIsNoise) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}});
  write_run(rb, {{0, &b}});
  const Comparison& c = judged(compare(ra, rb), "accuracy");
  EXPECT_EQ(c.verdict, Verdict::noise) << c.reason;
}

TEST_F(CompareRuns, DifferentSamplesGetNewcombesIndependentInterval) {
  // B evaluated another sample of the same population (other targets).
  const auto other_target = targets(9);
  const Model b2 = model(other_target, 0.85, 6);
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}});
  write_run(rb, {{0, &b2, true}});
  const CompareReport r = compare(ra, rb);
  const Comparison& c = judged(r, "accuracy");
  EXPECT_EQ(c.pairing, "independent");
  EXPECT_EQ(c.test, "newcombe-independent");
  EXPECT_FALSE(c.p_value.has_value());
  EXPECT_EQ(c.verdict, Verdict::convention) << c.reason;
  const Comparison& l = judged(r, "loss");
  EXPECT_EQ(l.test, "welch-t");
}

TEST_F(CompareRuns, ARunWithoutDumpsIsUndecidedAndSaysWhatToCapture) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}});
  write_run(rb, {{0, &b, true}}, /*dumps=*/false);
  CompareReport r = compare(ra, rb);
  const Comparison& c = judged(r, "accuracy");
  EXPECT_EQ(c.verdict, Verdict::undecided);
  EXPECT_NE(c.reason.find("val_epoch0.npz"), std::string::npos) << c.reason;
  EXPECT_NE(c.reason.find("B ("), std::string::npos) << c.reason;
  EXPECT_TRUE(c.test.empty());
  // With --eval-size the logged values are tested as proportions, and said so.
  CompareOptions o;
  o.b.eval_size = kN;
  r = compare(ra, rb, o);
  const Comparison& d = judged(r, "accuracy");
  EXPECT_EQ(d.verdict, Verdict::undecided);
  EXPECT_EQ(d.tested, "logged");
  EXPECT_EQ(d.test, "newcombe-independent");
  EXPECT_NE(d.reason.find("As logged"), std::string::npos) << d.reason;
}

TEST_F(CompareRuns, DifferentClassCountsAreUndecided) {
  const Model wide = model(target, 0.85, 7, kC + 1);
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}});
  write_run(rb, {{0, &wide}}, true, "val_acc", kC + 1);
  const Comparison& c = judged(compare(ra, rb), "accuracy");
  EXPECT_EQ(c.verdict, Verdict::undecided);
  EXPECT_NE(c.reason.find("6 classes and B's 7"), std::string::npos) << c.reason;
}

TEST_F(CompareRuns, NoMetricInCommonIsAnError) {
  TempRun ra("a"), rb("b");
  ra.log("{\"epoch\": 0, \"val_acc\": 0.5}\n");
  rb.log("{\"epoch\": 0, \"train_loss\": 0.5}\n");
  try {
    compare(ra, rb);
    FAIL();
  } catch (const InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("no metric in common"), std::string::npos) << m;
    EXPECT_NE(m.find("val_acc (accuracy [val])"), std::string::npos) << m;
    EXPECT_NE(m.find("--pair"), std::string::npos) << m;
  }
}

TEST_F(CompareRuns, EpochsWithoutOverlapAreUndecided) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}, {1, &a}});
  write_run(rb, {{5, &b}, {6, &b}});
  const CompareReport r = compare(ra, rb);
  ASSERT_EQ(r.comparisons.size(), 2u);
  for (const Comparison& c : r.comparisons) {
    EXPECT_FALSE(c.epoch.has_value());
    EXPECT_EQ(c.verdict, Verdict::undecided);
    EXPECT_NE(c.reason.find("at epochs 0-1"), std::string::npos) << c.reason;
    EXPECT_NE(c.reason.find("5-6"), std::string::npos) << c.reason;
  }
}

TEST_F(CompareRuns, PartlySharedEpochsAreNotedAndTheLastSharedIsJudged) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}, {1, &a}, {2, &a}});
  write_run(rb, {{1, &b}, {2, &b}, {3, &b}});
  const CompareReport r = compare(ra, rb);
  EXPECT_EQ(judged(r, "accuracy").epoch, 2);
  EXPECT_NE(r.notes.front().find("compared on the 2 shared"), std::string::npos);
  CompareOptions all;
  all.all_epochs = true;
  const CompareReport every = compare(ra, rb, all);
  EXPECT_EQ(std::count_if(every.comparisons.begin(), every.comparisons.end(),
                          [](const Comparison& c) { return c.judged; }),
            4);
  EXPECT_NE(every.notes.back().find("Bonferroni"), std::string::npos);
  CompareOptions missing;
  missing.epoch = 7;
  EXPECT_THROW(compare(ra, rb, missing), InvalidArgument);
  CompareOptions one;
  one.epoch = 1;
  EXPECT_EQ(judged(compare(ra, rb, one), "accuracy").epoch, 1);
}

TEST_F(CompareRuns, PairOverridesTheNames) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}}, true, "val_accuracy");
  write_run(rb, {{0, &b}}, true, "my_score");
  CompareOptions o;
  o.pairs = {{"val_accuracy", "my_score"}};
  EXPECT_THROW(compare(ra, rb, o), InvalidArgument);  // my_score: not a known metric
  o.b.metric_kinds["my_score"] = "accuracy";
  const CompareReport r = compare(ra, rb, o);
  ASSERT_EQ(r.comparisons.size(), 1u);
  EXPECT_EQ(r.comparisons[0].b.metric, "my_score");
  o.pairs = {{"val_accuracy", "nope"}};
  try {
    compare(ra, rb, o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'nope'"), std::string::npos) << e.what();
  }
  o.pairs = {{"val_accuracy", "val_loss"}};
  EXPECT_THROW(compare(ra, rb, o), InvalidArgument);  // not one kind
}

TEST_F(CompareRuns, KindAndSplitPairKerasTrainerAndLightningNames) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}}, true, "val_accuracy");   // Keras
  write_run(rb, {{0, &b}}, true, "eval_accuracy");  // a Hugging Face Trainer
  const CompareReport r = compare(ra, rb);
  const Comparison c = judged(r, "accuracy");
  EXPECT_EQ(c.a.metric, "val_accuracy");
  EXPECT_EQ(c.b.metric, "eval_accuracy");
  EXPECT_EQ(c.split, "val");
  EXPECT_TRUE(r.unpaired.empty());
}

TEST_F(CompareRuns, ConventionOption) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}});
  write_run(rb, {{0, &b, true}});
  CompareOptions o;
  o.convention = "no.such.reading";
  try {
    compare(ra, rb, o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("--convention no.such.reading"), std::string::npos);
  }
  // A macro reading is not a mean over samples: values, but no test.
  const auto macro_id = [&] {
    for (const Candidate& c : catalogue(state_of(a), MetricKind::accuracy, ScoresAre::logits)) {
      if (c.convention.average == Average::macro && c.convention.absent == Absent::zero)
        return c.id;
    }
    return std::string();
  }();
  o.convention = macro_id;
  const CompareReport r = compare(ra, rb, o);
  const Comparison& c = judged(r, "accuracy");
  EXPECT_EQ(c.convention, macro_id);
  EXPECT_NEAR(*c.a.common, macro_absent_zero(state_of(a)), 1e-12);
  EXPECT_EQ(c.verdict, Verdict::undecided);
  EXPECT_NE(c.reason.find("not a mean over samples"), std::string::npos) << c.reason;
  // The loss pair keeps its implied convention.
  EXPECT_EQ(judged(r, "loss").verdict, Verdict::noise);
}

TEST_F(CompareRuns, StepsMapToEpochsThroughTheLog) {
  TempRun ra("a"), rb("b");
  write_run(ra, {{0, &a}, {1, &a}});
  write_run(rb, {{0, &b}, {1, &b}});
  // B's log: validation values with a step only; the epoch comes from the training
  // rows of the same steps.
  const SufficientState s = state_of(b);
  rb.log("{\"epoch\": 0, \"step\": 6, \"train_loss\": 0.9}\n{\"step\": 6, \"val_acc\": " +
         fixed(micro(s), 6) + "}\n{\"epoch\": 1, \"step\": 13, \"train_loss\": 0.5}\n" +
         "{\"step\": 13, \"val_acc\": " + fixed(micro(s), 6) + "}\n");
  const CompareReport r = compare(ra, rb);
  const Comparison& c = judged(r, "accuracy");
  EXPECT_EQ(c.epoch, 1);
  EXPECT_EQ(c.verdict, Verdict::noise) << c.reason;
}

TEST_F(CompareRuns, TooFewSamplesAreUndecided) {
  TempRun ra("a"), rb("b");
  Model tiny_a{{0, 1, 2}, {}}, tiny_b{{0, 1, 2}, {}};
  for (int i = 0; i < 3; ++i) {
    for (int c = 0; c < kC; ++c) {
      tiny_a.logits.push_back(c == i ? 1.0f : 0.0f);
      tiny_b.logits.push_back(c == 4 ? 1.0f : 0.0f);
    }
  }
  write_run(ra, {{0, &tiny_a}});
  write_run(rb, {{0, &tiny_b}});
  const Comparison& c = judged(compare(ra, rb), "accuracy");
  EXPECT_EQ(c.verdict, Verdict::undecided);
  EXPECT_NE(c.reason.find("at least 6 samples"), std::string::npos) << c.reason;
}

}  // namespace
}  // namespace metricaudit::audit
