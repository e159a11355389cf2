// StateOptions::topk_sets and TopKPredicted::whole_set: torchmetrics <= 1.6.0 counts
// every class of the top-k set as a predicted positive (select_topk's one-hot,
// src/torchmetrics/utilities/data.py), so micro precision@k = hits / (N k).
// The golden vectors (tests/golden, torchmetrics 0.11.4 and 1.5.2) check the readings
// against the library; these tests check the counts against a direct loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "metricaudit/detail/torch_topk.hpp"
#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::OwnedBatch;
using testing::random_batch;

StateOptions set_options(std::int64_t classes, std::vector<int> ks, int threads = 1) {
  StateOptions o;
  o.num_classes = classes;
  o.top_k = std::move(ks);
  o.topk_sets = true;
  o.threads = threads;
  return o;
}

// Per class: rows whose k predicted classes include it. Rows whose k-th and (k+1)-th
// largest scores differ have one top-k set whatever the tie rule: it is computed here
// by sorting. The others follow torch.topk (the shared helper).
std::vector<std::int64_t> reference_sets(const OwnedBatch& b, int k) {
  const std::int64_t C = b.classes;
  std::vector<std::int64_t> sets(static_cast<std::size_t>(C), 0);
  for (std::size_t i = 0; i < b.target.size(); ++i) {
    const double* row = b.scores.data() + i * static_cast<std::size_t>(C);
    std::vector<std::int64_t> order(static_cast<std::size_t>(C));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::int64_t x, std::int64_t y) { return row[x] > row[y]; });
    if (k == 1) {
      ++sets[static_cast<std::size_t>(order[0])];  // the first maximal index (argmax)
    } else if (k == C || row[order[static_cast<std::size_t>(k - 1)]] !=
                             row[order[static_cast<std::size_t>(k)]]) {
      for (int r = 0; r < k; ++r)
        ++sets[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])];
    } else {
      detail::torch_topk_visit(row, C, k,
                               [&](std::int64_t c) { ++sets[static_cast<std::size_t>(c)]; });
    }
  }
  return sets;
}

Convention prf(Metric m, Average a, int k, TopKPredicted p) {
  Convention c;
  c.metric = m;
  c.average = a;
  c.top_k = k;
  c.ties = TieRule::torch_topk;
  c.topk_predicted = p;
  return c;
}

TEST(TopKSets, EveryRightSampleStillPredictsKClasses) {
  // torchmetrics 1.5.2: MulticlassPrecision(top_k=2, average="micro") = 0.5 when every
  // sample's top-1 class is its target (tests/golden/FINDINGS.md, finding 3).
  OwnedBatch b;
  b.classes = 4;
  b.target = {0, 1};
  b.scores = {0.7, 0.2, 0.1, 0.0, 0.1, 0.6, 0.3, 0.0};
  const auto s = evaluate(b.view(), set_options(4, {1, 2}));
  EXPECT_EQ(s.topk_set_by_class[1], (std::vector<std::int64_t>{1, 2, 1, 0}));
  EXPECT_EQ(read(s, prf(Metric::precision, Average::micro, 2, TopKPredicted::whole_set)), 0.5);
  // F1 = 2 tp / (2 tp + fp + fn) = 4 / (4 + 2 + 0).
  EXPECT_DOUBLE_EQ(read(s, prf(Metric::f1, Average::micro, 2, TopKPredicted::whole_set)),
                   4.0 / 6.0);
  // torchmetrics >= 1.6.1: a hit predicts the target only.
  EXPECT_EQ(read(s, prf(Metric::precision, Average::micro, 2, TopKPredicted::top1_on_miss)), 1.0);
  // Per class: class 1 was predicted twice (hit once), class 2 once (never right).
  const auto per_class =
      read_per_class(s, prf(Metric::precision, Average::none, 2, TopKPredicted::whole_set));
  EXPECT_EQ(per_class, (std::vector<double>{1.0, 0.5, 0.0, 0.0}));
  // Accuracy and recall do not depend on what is predicted.
  EXPECT_EQ(read(s, prf(Metric::recall, Average::micro, 2, TopKPredicted::whole_set)), 1.0);
}

TEST(TopKSets, CountsMatchADirectLoopAcrossKernelsAndThreads) {
  // C <= 16 takes the four-rows-per-packet kernel, larger C the one-row kernel.
  for (std::int64_t C : {3, 10, 16, 17, 40, 300}) {
    const OwnedBatch b = random_batch(static_cast<std::uint64_t>(C), 2000, C);
    std::vector<int> ks = {1, 2};
    if (C >= 5) ks.push_back(5);
    for (int threads : {1, 2, 3}) {
      const auto s = evaluate(b.view(), set_options(C, ks, threads));
      for (std::size_t j = 0; j < ks.size(); ++j) {
        EXPECT_EQ(s.topk_set_by_class[j], reference_sets(b, ks[j]))
            << "C=" << C << " k=" << ks[j] << " threads=" << threads;
        const auto total = std::accumulate(s.topk_set_by_class[j].begin(),
                                           s.topk_set_by_class[j].end(), std::int64_t{0});
        EXPECT_EQ(total, s.samples * ks[j]);
      }
    }
  }
}

TEST(TopKSets, MergeOfSlicesEqualsOnePass) {
  const OwnedBatch b = random_batch(7, 999, 12);
  const auto whole = evaluate(b.view(), set_options(12, {1, 3}));
  SufficientState parts(set_options(12, {1, 3}));
  update(parts, b.slice(0, 400));
  update(parts, b.slice(400, 999));
  EXPECT_EQ(parts.topk_set_by_class, whole.topk_set_by_class);
  EXPECT_TRUE(parts == whole);
  // States with and without sets do not mix.
  StateOptions without = set_options(12, {1, 3});
  without.topk_sets = false;
  SufficientState plain(without);
  EXPECT_THROW(plain.merge(whole), IncompatibleError);
}

TEST(TopKSets, IgnoredSamplesPredictNothing) {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0, 2, 1};
  b.scores = {3, 2, 1, 1, 2, 3, 1, 3, 2};
  StateOptions o = set_options(3, {1, 2});
  o.ignore_index = 2;
  const auto s = evaluate(b.view(), o);
  EXPECT_EQ(s.samples, 2);
  EXPECT_EQ(s.topk_set_by_class[1], (std::vector<std::int64_t>{1, 2, 1}));
}

TEST(TopKSets, ReadingWithoutSetsSaysHowToGetThem) {
  const OwnedBatch b = random_batch(3, 50, 6);
  StateOptions o;
  o.num_classes = 6;
  o.top_k = {1, 2};
  const auto s = evaluate(b.view(), o);
  EXPECT_TRUE(s.topk_set_by_class[1].empty());
  try {
    read(s, prf(Metric::precision, Average::macro, 2, TopKPredicted::whole_set));
    FAIL() << "expected UnavailableError";
  } catch (const UnavailableError& e) {
    EXPECT_NE(std::string(e.what()).find("topk_sets=true"), std::string::npos) << e.what();
  }
  // The >= 1.6.1 reading needs no sets.
  EXPECT_NO_THROW(read(s, prf(Metric::precision, Average::macro, 2, TopKPredicted::top1_on_miss)));
  // Sets follow torch.topk's ties only.
  const auto with_sets = evaluate(b.view(), set_options(6, {1, 2}));
  Convention c = prf(Metric::precision, Average::macro, 2, TopKPredicted::whole_set);
  c.ties = TieRule::high_index_first;
  EXPECT_THROW(read(with_sets, c), UnavailableError);
}

TEST(TopKSets, ProfilesSplitAtTorchmetrics161) {
  for (const char* name : {"torchmetrics-0.9", "torchmetrics-0.11", "torchmetrics-1"}) {
    EXPECT_EQ(resolve(find_profile(name), Metric::precision).topk_predicted,
              TopKPredicted::whole_set)
        << name;
  }
  for (const char* name : {"torchmetrics-1.6", "sklearn", "keras"}) {
    EXPECT_EQ(resolve(find_profile(name), Metric::precision).topk_predicted,
              TopKPredicted::top1_on_miss)
        << name;
  }
  ConventionOverrides o;
  o.top_k = 2;
  EXPECT_NE(resolve(find_profile("torchmetrics-1"), Metric::f1, o).id().find("whole_set"),
            std::string::npos);
  EXPECT_EQ(resolve(find_profile("torchmetrics-1.6"), Metric::f1, o).id().find("whole_set"),
            std::string::npos);
}

}  // namespace
}  // namespace metricaudit
