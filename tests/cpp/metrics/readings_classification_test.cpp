// Classification readings on hand-computed cases, starting with the seed case
// of ../shared/DESIGN.md (the forum thread in ../shared/seeds/001).
#include <gtest/gtest.h>

#include <cmath>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::options_for;
using testing::OwnedBatch;

Convention conv(Metric m, Average a, Absent absent = Absent::exclude_unseen) {
  Convention c;
  c.metric = m;
  c.average = a;
  c.absent = absent;
  return c;
}

SufficientState seed_state() {
  OwnedBatch b;
  b.classes = 4;
  b.target = {0, 0};
  b.scores = {1, 0, 0, 0, 1, 0, 0, 0};
  return evaluate(b.view(), options_for(4));
}

TEST(SeedCase, MicroIsOne) {
  EXPECT_EQ(read(seed_state(), conv(Metric::accuracy, Average::micro)), 1.0);
}

TEST(SeedCase, MacroIsAQuarterUnderTorchmetrics011) {
  const auto c = resolve(find_profile("torchmetrics-0.11"), Metric::accuracy);
  EXPECT_EQ(c.average, Average::macro);
  EXPECT_EQ(read(seed_state(), c), 0.25);
}

TEST(SeedCase, MacroIsOneUnderTorchmetrics1AndSklearn) {
  ConventionOverrides macro;
  macro.average = Average::macro;
  EXPECT_EQ(read(seed_state(), resolve(find_profile("torchmetrics-1"), Metric::accuracy)), 1.0);
  EXPECT_EQ(read(seed_state(), resolve(find_profile("sklearn"), Metric::accuracy, macro)), 1.0);
}

TEST(SeedCase, WeightedIsOne) {
  EXPECT_EQ(read(seed_state(), conv(Metric::accuracy, Average::weighted)), 1.0);
}

TEST(SeedCase, PerClassIsRecallWithAbsentClassesAtZero) {
  EXPECT_EQ(read_per_class(seed_state(), conv(Metric::accuracy, Average::none)),
            (std::vector<double>{1.0, 0.0, 0.0, 0.0}));
}

// Three classes, class 2 only predicted (never a target).
SufficientState hand_state(StateOptions o = options_for(3)) {
  OwnedBatch b;
  b.classes = 3;
  b.target = {1, 1, 0, 0};
  b.scores = {0.1, 0.7, 0.2, 0.5, 0.5, 0.0, 0.2, 0.3, 0.5, 0.6, 0.3, 0.1};
  return evaluate(b.view(), o);
}

TEST(Readings, MacroAbsentRules) {
  const auto s = hand_state();
  // recall per class: 1/2, 1/2, 0/0
  EXPECT_DOUBLE_EQ(read(s, conv(Metric::accuracy, Average::macro, Absent::zero)), 1.0 / 3.0);
  // class 2 was predicted once: it is "seen", so it stays in with recall 0
  EXPECT_DOUBLE_EQ(read(s, conv(Metric::accuracy, Average::macro, Absent::exclude_unseen)),
                   1.0 / 3.0);
  EXPECT_DOUBLE_EQ(read(s, conv(Metric::accuracy, Average::macro, Absent::exclude_no_support)),
                   0.5);
}

TEST(Readings, PrecisionRecallF1) {
  const auto s = hand_state();
  EXPECT_EQ(read_per_class(s, conv(Metric::precision, Average::none)),
            (std::vector<double>{0.5, 1.0, 0.0}));
  EXPECT_EQ(read_per_class(s, conv(Metric::recall, Average::none)),
            (std::vector<double>{0.5, 0.5, 0.0}));
  const auto f1 = read_per_class(s, conv(Metric::f1, Average::none));
  EXPECT_DOUBLE_EQ(f1[0], 0.5);
  EXPECT_DOUBLE_EQ(f1[1], 2.0 / 3.0);
  EXPECT_EQ(f1[2], 0.0);
  EXPECT_DOUBLE_EQ(read(s, conv(Metric::precision, Average::macro, Absent::zero)), 0.5);
  EXPECT_DOUBLE_EQ(read(s, conv(Metric::f1, Average::macro, Absent::zero)),
                   (0.5 + 2.0 / 3.0) / 3.0);
  // micro precision = micro recall = micro F1 = accuracy for single-label multi-class
  EXPECT_EQ(read(s, conv(Metric::precision, Average::micro)), 0.5);
  EXPECT_EQ(read(s, conv(Metric::f1, Average::micro)), 0.5);
}

TEST(Readings, ZeroDivisionNanLeavesTheClassOut) {
  const auto s = hand_state();
  Convention c = conv(Metric::recall, Average::macro, Absent::zero);
  c.zero_division = ZeroDivision::nan;
  EXPECT_DOUBLE_EQ(read(s, c), 0.5);
  c.zero_division = ZeroDivision::one;
  EXPECT_DOUBLE_EQ(read(s, c), 2.0 / 3.0);
  const auto per = read_per_class(s, [&] {
    auto d = c;
    d.zero_division = ZeroDivision::nan;
    return d;
  }());
  EXPECT_TRUE(std::isnan(per[2]));
}

TEST(Readings, WeightedAverageUsesSupport) {
  const auto s = hand_state();
  EXPECT_DOUBLE_EQ(read(s, conv(Metric::recall, Average::weighted)), 0.5);
  // precision weighted by support: (2 * 0.5 + 2 * 1.0 + 0 * 0) / 4
  EXPECT_DOUBLE_EQ(read(s, conv(Metric::precision, Average::weighted)), 0.75);
}

TEST(Readings, BalancedAccuracy) {
  const auto s = hand_state();
  Convention c;
  c.metric = Metric::balanced_accuracy;
  EXPECT_DOUBLE_EQ(read(s, c), 0.5);  // over classes 0 and 1 only
  c.adjusted = true;                  // (0.5 - 1/2) / (1 - 1/2)
  EXPECT_DOUBLE_EQ(read(s, c), 0.0);
}

TEST(Readings, TopKUnderEachTieRule) {
  StateOptions o = options_for(3);
  o.top_k = {1, 2};
  const auto s = hand_state(o);
  Convention c = conv(Metric::accuracy, Average::micro);
  c.top_k = 2;
  EXPECT_DOUBLE_EQ(read(s, c), 0.75);
  c.top_k = 1;
  c.ties = TieRule::optimistic;  // row 1's tie at the top counts as a hit
  EXPECT_DOUBLE_EQ(read(s, c), 0.75);
  c.ties = TieRule::high_index_first;
  EXPECT_DOUBLE_EQ(read(s, c), 0.75);
  c.ties = TieRule::index_order;  // == argmax
  EXPECT_DOUBLE_EQ(read(s, c), 0.5);
  // macro top-2: recall@2 per class = 1/2, 2/2, 0/0; classes with support only
  c.top_k = 2;
  c.average = Average::macro;
  c.absent = Absent::exclude_no_support;
  EXPECT_DOUBLE_EQ(read(s, c), 0.75);
}

TEST(Readings, TorchTopKTieRuleAtTheBoundary) {
  // Three equal scores, target class 2, k = 2: two of three tied classes make the
  // cut, and torch.topk's nth_element keeps the first two positions it leaves in
  // front. Index order ranks the target third as well; optimistic counts a hit.
  OwnedBatch b;
  b.classes = 3;
  b.target = {2, 0};
  b.scores = {1.0, 1.0, 1.0,  //
              3.0, 2.0, 1.0};
  StateOptions o = options_for(3);
  o.top_k = {1, 2};
  const auto s = evaluate(b.view(), o);
  EXPECT_EQ(s.topk_boundary_ties, (std::vector<std::int64_t>{0, 1}));
  Convention c = conv(Metric::accuracy, Average::micro);
  c.top_k = 2;
  c.ties = TieRule::torch_topk;
  EXPECT_DOUBLE_EQ(read(s, c), 0.5);
  c.ties = TieRule::optimistic;
  EXPECT_DOUBLE_EQ(read(s, c), 1.0);
  // Per-class counts follow torch's rule: with a boundary tie seen, an
  // index-order macro reading is refused rather than answered with torch's sets.
  c.average = Average::macro;
  c.ties = TieRule::index_order;
  EXPECT_THROW(read(s, c), UnavailableError);
  c.ties = TieRule::torch_topk;
  c.absent = Absent::exclude_no_support;
  EXPECT_DOUBLE_EQ(read(s, c), 0.5);  // class 0: 1/1, class 2: 0/1
}

TEST(Readings, ElementwiseBinaryAccuracy) {
  Convention c;
  c.metric = Metric::elementwise_binary_accuracy;
  EXPECT_DOUBLE_EQ(read(hand_state(), c), 10.0 / 12.0);
}

TEST(Readings, ElementwiseFloorOfAllZeroPredictions) {
  // Keras binary accuracy on one-hot targets: predicting nothing scores (C-1)/C.
  OwnedBatch b;
  b.classes = 10;
  b.target = {3, 7};
  b.scores.assign(20, 0.01);
  Convention c;
  c.metric = Metric::elementwise_binary_accuracy;
  EXPECT_DOUBLE_EQ(read(evaluate(b.view(), options_for(10)), c), 0.9);
}

TEST(Readings, SampleWeights) {
  OwnedBatch b;
  b.classes = 2;
  b.target = {0, 1, 1};
  b.predicted = {0, 0, 1};
  b.weights = {1.0, 3.0, 0.5};
  const auto s = evaluate(b.view(), options_for(2));
  Convention c = conv(Metric::accuracy, Average::micro);
  EXPECT_DOUBLE_EQ(read(s, c), 1.5 / 4.5);
  c.sample_weighted = false;
  EXPECT_DOUBLE_EQ(read(s, c), 2.0 / 3.0);
  // weighted recall per class: class 0: 1/1, class 1: 0.5/3.5
  Convention r = conv(Metric::recall, Average::macro);
  EXPECT_DOUBLE_EQ(read(s, r), (1.0 + 0.5 / 3.5) / 2.0);
}

TEST(Readings, AllIgnoredFollowsZeroDivision) {
  OwnedBatch b;
  b.classes = 2;
  b.target = {-1, -1};
  b.scores = {0.0, 1.0, 1.0, 0.0};
  StateOptions o = options_for(2);
  o.ignore_index = -1;
  const auto s = evaluate(b.view(), o);
  // torchmetrics returns 0 (tests/golden: mc_all_ignored_c3); zero_division=nan gives NaN.
  EXPECT_EQ(read(s, conv(Metric::accuracy, Average::micro)), 0.0);
  Convention nan = conv(Metric::accuracy, Average::macro);
  nan.zero_division = ZeroDivision::nan;
  EXPECT_TRUE(std::isnan(read(s, nan)));
}

TEST(Readings, UnavailableReadingsSayWhy) {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0, 1};
  b.predicted = {0, 2};
  const auto s = evaluate(b.view(), options_for(3));
  Convention c = conv(Metric::accuracy, Average::micro);
  c.top_k = 2;
  try {
    read(s, c);
    FAIL() << "expected UnavailableError";
  } catch (const UnavailableError& e) {
    EXPECT_STREQ(e.what(), "top_k=2: needs scores; the state holds predicted labels only");
  }
}

}  // namespace
}  // namespace metricaudit

namespace metricaudit {
namespace {

// Weighted micro top-k under a tie rule, written out: a hit when fewer than k classes
// rank before the target (ties ranked by the rule).
double weighted_topk_loop(const testing::OwnedBatch& b, int k, TieRule rule) {
  const std::int64_t C = b.classes;
  double hits = 0.0, total = 0.0;
  for (std::size_t i = 0; i < b.target.size(); ++i) {
    const double* z = b.scores.data() + i * static_cast<std::size_t>(C);
    const std::int64_t y = b.target[i];
    std::int64_t before = 0;
    for (std::int64_t c = 0; c < C; ++c) {
      if (z[c] > z[y]) ++before;
      if (z[c] == z[y] && c < y && rule == TieRule::index_order) ++before;
      if (z[c] == z[y] && c > y && rule == TieRule::high_index_first) ++before;
    }
    const double w = b.weights.empty() ? 1.0 : b.weights[i];
    total += w;
    if (before < k) hits += w;
  }
  return hits / total;
}

TEST(WeightedTopK, EveryTieRuleWithSampleWeights) {
  // Keras top_k_categorical_accuracy (in_top_k: optimistic) and sklearn
  // top_k_accuracy_score (high_index_first) both take sample weights.
  const auto b = testing::random_batch(21, 500, 7, /*weights=*/true);
  StateOptions o = testing::options_for(7);
  o.top_k = {1, 2, 3};
  for (int threads : {1, 2}) {
    o.threads = threads;
    const auto s = evaluate(b.view(), o);
    for (int k : {1, 2, 3}) {
      for (TieRule rule : {TieRule::index_order, TieRule::high_index_first, TieRule::optimistic}) {
        Convention c;
        c.metric = Metric::accuracy;
        c.top_k = k;
        c.ties = rule;
        EXPECT_NEAR(read(s, c), weighted_topk_loop(b, k, rule), 1e-14)
            << "k=" << k << " rule=" << static_cast<int>(rule);
      }
    }
  }
}

TEST(WeightedTopK, AnUnweightedBatchBeforeAWeightedOneCountsWeightOne) {
  auto b = testing::random_batch(22, 300, 5, /*weights=*/true);
  StateOptions o = testing::options_for(5);
  o.top_k = {1, 2};
  SufficientState s(o);
  testing::OwnedBatch first = b;
  first.weights.clear();
  update(s, first.slice(0, 100));  // no weights: promoted with weight 1 per sample
  update(s, b.slice(100, 300));
  for (std::size_t i = 0; i < 100; ++i) b.weights[i] = 1.0;
  for (TieRule rule : {TieRule::index_order, TieRule::high_index_first, TieRule::optimistic}) {
    Convention c;
    c.metric = Metric::accuracy;
    c.top_k = 2;
    c.ties = rule;
    EXPECT_NEAR(read(s, c), weighted_topk_loop(b, 2, rule), 1e-14);
  }
}

}  // namespace
}  // namespace metricaudit
