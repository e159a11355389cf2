// The pass's counts on hand-computed cases: argmax ties, ranks under the three
// tie rules, ignore_index, predicted-label input, the element-wise count.
#include <gtest/gtest.h>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::options_for;
using testing::OwnedBatch;

// Four rows, three classes. Row 1 ties classes 0 and 1 at the top (argmax takes
// class 0, the first maximal index); class 2 never appears as a target.
OwnedBatch hand_case() {
  OwnedBatch b;
  b.classes = 3;
  b.target = {1, 1, 0, 0};
  b.scores = {0.1, 0.7, 0.2,  //
              0.5, 0.5, 0.0,  //
              0.2, 0.3, 0.5,  //
              0.6, 0.3, 0.1};
  return b;
}

TEST(MulticlassPass, CountsPerClass) {
  const auto s = evaluate(hand_case().view(), options_for(3));
  EXPECT_EQ(s.samples, 4);
  EXPECT_EQ(s.tp, (std::vector<std::int64_t>{1, 1, 0}));
  EXPECT_EQ(s.predicted, (std::vector<std::int64_t>{2, 1, 1}));
  EXPECT_EQ(s.support, (std::vector<std::int64_t>{2, 2, 0}));
  EXPECT_TRUE(s.has_scores);
  EXPECT_TRUE(s.scores_in_unit_interval);
}

TEST(MulticlassPass, RankHistogramsFollowTheTieRules) {
  const auto s = evaluate(hand_case().view(), options_for(3));
  // Row 1's target (class 1) ties class 0: ranked second by index order, first
  // when higher indices win ties, and a hit when ties count as hits.
  EXPECT_EQ(s.rank_histogram[static_cast<int>(TieRule::index_order)],
            (std::vector<std::int64_t>{2, 1, 1}));
  EXPECT_EQ(s.rank_histogram[static_cast<int>(TieRule::high_index_first)],
            (std::vector<std::int64_t>{3, 0, 1}));
  EXPECT_EQ(s.rank_histogram[static_cast<int>(TieRule::optimistic)],
            (std::vector<std::int64_t>{3, 0, 1}));
}

TEST(MulticlassPass, ElementwiseCellsUseAStrictThreshold) {
  // Cells right at threshold 0.5 (strict >): rows give 3, 2, 2, 3.
  const auto s = evaluate(hand_case().view(), options_for(3));
  EXPECT_EQ(s.elementwise_correct, 10);
}

TEST(MulticlassPass, TopKPerClassHitsAndMisses) {
  StateOptions o = options_for(3);
  o.top_k = {1, 2};
  const auto s = evaluate(hand_case().view(), o);
  EXPECT_EQ(s.topk_hits_by_class[0], (std::vector<std::int64_t>{1, 1, 0}));
  EXPECT_EQ(s.topk_hits_by_class[1], (std::vector<std::int64_t>{1, 2, 0}));
  // At k = 2 only row 2 misses; its top-1 class is 2.
  EXPECT_EQ(s.topk_misses_by_predicted[1], (std::vector<std::int64_t>{0, 0, 1}));
}

TEST(MulticlassPass, IgnoreIndexOutOfRangeDropsSamples) {
  OwnedBatch b;
  b.classes = 2;
  b.target = {0, -100, 1};
  b.scores = {2.0, 1.0, 0.0, 9.0, 0.0, 1.0};
  StateOptions o = options_for(2);
  o.ignore_index = -100;
  const auto s = evaluate(b.view(), o);
  EXPECT_EQ(s.samples, 2);
  EXPECT_EQ(s.ignored, 1);
  EXPECT_EQ(s.tp, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(s.predicted, (std::vector<std::int64_t>{1, 1}));
}

TEST(MulticlassPass, IgnoreIndexInRangeKeepsItsFalsePositives) {
  // ignore_index = 1: rows with target 1 are dropped, but a prediction of class 1
  // on another row still counts as class 1's prediction (torchmetrics' rule).
  OwnedBatch b;
  b.classes = 3;
  b.target = {0, 1, 2};
  b.scores = {0.0, 5.0, 0.0,  //
              0.0, 5.0, 0.0,  //
              0.0, 0.0, 5.0};
  StateOptions o = options_for(3);
  o.ignore_index = 1;
  const auto s = evaluate(b.view(), o);
  EXPECT_EQ(s.samples, 2);
  EXPECT_EQ(s.support, (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(s.predicted, (std::vector<std::int64_t>{0, 1, 1}));
  EXPECT_EQ(s.tp, (std::vector<std::int64_t>{0, 0, 1}));
}

TEST(MulticlassPass, PredictedLabelsInput) {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0, 1, 2, 2};
  b.predicted = {0, 2, 2, 1};
  const auto s = evaluate(b.view(), options_for(3));
  EXPECT_FALSE(s.has_scores);
  EXPECT_EQ(s.tp, (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(s.predicted, (std::vector<std::int64_t>{1, 1, 2}));
  EXPECT_FALSE(s.losses[0].available);
}

TEST(MulticlassPass, NegativeInfinityLogitsAreMaskedClasses) {
  OwnedBatch b;
  b.classes = 3;
  const double ninf = -std::numeric_limits<double>::infinity();
  b.target = {0, 2};
  b.scores = {1.0, ninf, 0.0,  //
              1.0, 0.0,  ninf};
  const auto s = evaluate(b.view(), options_for(3));
  EXPECT_EQ(s.tp, (std::vector<std::int64_t>{1, 0, 0}));
  const auto& l = s.losses[static_cast<int>(LossFamily::logits)];
  EXPECT_EQ(l.infinite_terms, 1);      // row 1: the target is masked
  EXPECT_EQ(l.infinite_smoothing, 2);  // both rows have a masked class
}

TEST(MulticlassPass, ConfusionMatrixOnRequest) {
  StateOptions o = options_for(3);
  o.confusion_matrix = true;
  const auto s = evaluate(hand_case().view(), o);
  // rows = target, columns = argmax
  EXPECT_EQ(s.confusion, (std::vector<std::int64_t>{1, 0, 1,  //
                                                    1, 1, 0,  //
                                                    0, 0, 0}));
  EXPECT_TRUE(evaluate(hand_case().view(), options_for(3)).confusion.empty());
}

TEST(MulticlassPass, Float32ScoresGiveTheSameCounts) {
  const OwnedBatch d = hand_case();
  std::vector<float> f(d.scores.begin(), d.scores.end());
  MulticlassBatch b = d.view();
  b.scores = ArrayView::matrix(f.data(), 4, 3);
  const auto s32 = evaluate(b, options_for(3));
  const auto s64 = evaluate(d.view(), options_for(3));
  EXPECT_EQ(s32.tp, s64.tp);
  EXPECT_EQ(s32.rank_histogram, s64.rank_histogram);
}

TEST(MulticlassPass, Int32TargetsAccepted) {
  const OwnedBatch d = hand_case();
  std::vector<std::int32_t> t(d.target.begin(), d.target.end());
  MulticlassBatch b = d.view();
  b.target = ArrayView::vector(t.data(), 4);
  EXPECT_EQ(evaluate(b, options_for(3)).tp, evaluate(d.view(), options_for(3)).tp);
}

TEST(MulticlassPass, DefaultTopKDropsFiveBelowFiveClasses) {
  EXPECT_EQ(SufficientState(options_for(3)).options().top_k, (std::vector<int>{1}));
  EXPECT_EQ(SufficientState(options_for(10)).options().top_k, (std::vector<int>{1, 5}));
}

TEST(MulticlassPass, LargeClassCountStaysLinear) {
  // C = 100,000 with a handful of rows: per-class arrays only, no C^2 anywhere.
  const std::int64_t C = 100000;
  OwnedBatch b;
  b.classes = C;
  b.target = {5, 99999};
  b.scores.assign(static_cast<std::size_t>(2 * C), 0.0);
  b.scores[5] = 1.0;
  b.scores[static_cast<std::size_t>(C + 3)] = 2.0;
  StateOptions o = options_for(C);
  o.losses = {LossFamily::logits};
  const auto s = evaluate(b.view(), o);
  EXPECT_EQ(s.tp[5], 1);
  EXPECT_EQ(s.predicted[3], 1);
  EXPECT_TRUE(s.confusion.empty());
}

}  // namespace
}  // namespace metricaudit
