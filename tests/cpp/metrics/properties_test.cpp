// Properties on random inputs: any split merges to the whole bit for bit, the
// thread count changes nothing, and every reading equals a plain reference
// loop written here independently of the library.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::OwnedBatch;
using testing::random_batch;

StateOptions opts(std::int64_t C, int threads = 0) {
  StateOptions o;
  o.num_classes = C;
  o.top_k = {1, std::min<int>(2, static_cast<int>(C))};
  if (o.top_k[0] == o.top_k[1]) o.top_k.pop_back();
  o.threads = threads;
  return o;
}

class RandomInputs
    : public ::testing::TestWithParam<std::tuple<std::uint64_t, std::int64_t, bool>> {};

TEST_P(RandomInputs, AnySplitMergesToTheWholeBitForBit) {
  const auto [seed, C, weighted] = GetParam();
  const auto b = random_batch(seed, 997, C, weighted);
  const auto whole = evaluate(b.view(), opts(C));
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 3; ++trial) {
    // Random cut points, batches merged in a random order.
    std::vector<std::int64_t> cuts = {0, 997};
    for (int i = 0; i < 4; ++i) cuts.push_back(static_cast<std::int64_t>(rng() % 997));
    std::sort(cuts.begin(), cuts.end());
    std::vector<SufficientState> parts;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      if (cuts[i] == cuts[i + 1]) continue;
      parts.push_back(evaluate(b.slice(cuts[i], cuts[i + 1]), opts(C)));
    }
    std::shuffle(parts.begin(), parts.end(), rng);
    SufficientState merged(opts(C));
    for (const auto& p : parts) merged.merge(p);
    ASSERT_TRUE(merged == whole);
    for (MetricKind kind : {MetricKind::accuracy, MetricKind::loss}) {
      for (const auto& c : catalogue(whole, kind)) {
        if (std::isnan(c.value)) continue;
        // Bit-identical, not merely close.
        EXPECT_EQ(read(merged, c.convention), c.value) << c.id;
      }
    }
  }
}

TEST_P(RandomInputs, ThreadCountChangesNothing) {
  const auto [seed, C, weighted] = GetParam();
  const auto b = random_batch(seed + 100, 5000, C, weighted);
  const auto one = evaluate(b.view(), opts(C, 1));
  const auto two = evaluate(b.view(), opts(C, 2));
  const auto three = evaluate(b.view(), opts(C, 3));
  EXPECT_TRUE(one == two);
  EXPECT_TRUE(one == three);
  Convention ce;
  ce.metric = Metric::cross_entropy;
  EXPECT_EQ(read(one, ce), read(two, ce));
}

TEST_P(RandomInputs, ReadingsEqualReferenceLoops) {
  const auto [seed, C, weighted] = GetParam();
  const auto b = random_batch(seed + 200, 400, C, weighted);
  const auto s = evaluate(b.view(), opts(C));
  const auto n = static_cast<std::int64_t>(b.target.size());
  std::vector<double> tp(static_cast<std::size_t>(C)), pred(static_cast<std::size_t>(C)),
      sup(static_cast<std::size_t>(C));
  double hits = 0, total = 0, hits2 = 0, nll = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double* row = &b.scores[static_cast<std::size_t>(i * C)];
    const auto y = static_cast<std::size_t>(b.target[static_cast<std::size_t>(i)]);
    const double w = weighted ? b.weights[static_cast<std::size_t>(i)] : 1.0;
    const auto argmax =
        static_cast<std::size_t>(std::max_element(row, row + C) - row);  // first max
    std::int64_t rank = 0;  // index order: strictly greater, or equal with a lower index
    for (std::int64_t c = 0; c < C; ++c) {
      rank += row[c] > row[y] || (row[c] == row[y] && static_cast<std::size_t>(c) < y);
    }
    double m = *std::max_element(row, row + C), se = 0;
    for (std::int64_t c = 0; c < C; ++c) se += std::exp(row[c] - m);
    nll += w * (m + std::log(se) - row[y]);
    tp[y] += w * (argmax == y);
    pred[argmax] += w;
    sup[y] += w;
    hits += w * (argmax == y);
    hits2 += w * (rank < 2);
    total += w;
  }
  Convention c;
  EXPECT_NEAR(read(s, c), hits / total, 1e-12);
  if (C >= 2) {
    c.top_k = 2;
    // Weighted top-k hits are kept per tie rule (w_topk_hits_by_rule), boundary ties
    // included.
    EXPECT_NEAR(read(s, c), hits2 / total, 1e-12);
    c.top_k = 1;
  }
  // macro, three absent rules
  for (Absent rule : {Absent::zero, Absent::exclude_unseen, Absent::exclude_no_support}) {
    double sum = 0;
    int k = 0;
    for (std::int64_t j = 0; j < C; ++j) {
      const auto u = static_cast<std::size_t>(j);
      const bool in = rule == Absent::zero ||
                      (rule == Absent::exclude_unseen && (sup[u] + pred[u]) > 0) ||
                      (rule == Absent::exclude_no_support && sup[u] > 0);
      if (!in) continue;
      sum += sup[u] > 0 ? tp[u] / sup[u] : 0.0;
      ++k;
    }
    c.average = Average::macro;
    c.absent = rule;
    EXPECT_NEAR(read(s, c), k ? sum / k : 0.0, 1e-12);
  }
  // micro == weighted recall when nothing is ignored
  c.average = Average::weighted;
  c.metric = Metric::recall;
  EXPECT_NEAR(read(s, c), hits / total, 1e-12);
  Convention ce;
  ce.metric = Metric::cross_entropy;
  EXPECT_NEAR(read(s, ce), nll / total, 1e-12 * std::max(1.0, nll / total));
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomInputs,
                         ::testing::Combine(::testing::Values(1u, 2u, 3u),
                                            ::testing::Values(1, 2, 5, 17, 300),
                                            ::testing::Bool()));

TEST(Properties, ProbabilityFamiliesMergeBitForBit) {
  const auto b = random_batch(42, 777, 6, true, true);
  StateOptions o = opts(6);
  const auto whole = evaluate(b.view(), o);
  SufficientState merged(o);
  merged.merge(evaluate(b.slice(500, 777), o));
  merged.merge(evaluate(b.slice(0, 123), o));
  merged.merge(evaluate(b.slice(123, 500), o));
  EXPECT_TRUE(merged == whole);
  for (const auto& c : catalogue(whole, MetricKind::loss)) {
    if (!std::isnan(c.value)) {
      EXPECT_EQ(read(merged, c.convention), c.value) << c.id;
    }
  }
}

TEST(Properties, WeightedAndUnweightedBatchesMerge) {
  // An unweighted batch merged into a weighted state counts with weight 1.
  auto a = random_batch(5, 100, 4, true);
  auto b = random_batch(6, 100, 4, false);
  SufficientState s(opts(4));
  update(s, a.view());
  update(s, b.view());
  auto b1 = b;
  b1.weights.assign(100, 1.0);
  SufficientState t(opts(4));
  update(t, a.view());
  update(t, b1.view());
  EXPECT_TRUE(s == t);
}

}  // namespace
}  // namespace metricaudit
