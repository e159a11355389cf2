// Per-sample states: the 2x2 table and the moments must be what the samples say, the
// per-sample means must equal the catalogue's readings of the same data (one formula
// for the pass and the per-sample values), and merging must be exact in any order.
#include "metricaudit/paired_state.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::OwnedBatch;
using testing::random_batch;

SampleReading hit(int k = 1, TieRule ties = TieRule::index_order) {
  SampleReading r;
  r.top_k = k;
  r.ties = ties;
  return r;
}

SampleReading loss(LossFamily f) {
  SampleReading r;
  r.kind = SampleReading::Kind::loss;
  r.loss = f;
  return r;
}

PairedBatch paired(const OwnedBatch& a, const OwnedBatch& b) {
  PairedBatch p;
  const auto va = a.view(), vb = b.view();
  p.target = va.target;
  p.scores_a = va.scores;
  p.predicted_a = va.predicted;
  p.scores_b = vb.scores;
  p.predicted_b = vb.predicted;
  return p;
}

TEST(PairedState, TableCountsTheFourOutcomes) {
  // target 0 1 2 0 1 ; A predicts 0 1 0 0 2 ; B predicts 0 2 2 1 1
  OwnedBatch a, b;
  a.target = b.target = {0, 1, 2, 0, 1};
  a.predicted = {0, 1, 0, 0, 2};
  b.predicted = {0, 2, 2, 1, 1};
  PairedState s(hit(), hit());
  update(s, paired(a, b));
  EXPECT_EQ(s.samples(), 5);
  EXPECT_EQ(s.table[1][1], 1);  // sample 0
  EXPECT_EQ(s.table[1][0], 2);  // samples 1, 3: A right only
  EXPECT_EQ(s.table[0][1], 2);  // samples 2, 4: B right only
  EXPECT_EQ(s.table[0][0], 0);
  EXPECT_EQ(s.a.values.sum().value(), 3.0);
  EXPECT_EQ(s.b.values.sum().value(), 3.0);
  EXPECT_EQ(s.difference.mean(), 0.0);
}

TEST(PairedState, PerSampleMeansEqualTheCatalogueReadings) {
  // The state's means are micro accuracy at k and the mean loss of each family: the same
  // numbers the pass gives for the same rows.
  for (const bool probs : {false, true}) {
    const OwnedBatch a = random_batch(11, 257, 7, false, probs);
    OwnedBatch b = random_batch(12, 257, 7, false, probs);
    b.target = a.target;
    const SufficientState state = evaluate(a.view(), testing::options_for(7));
    for (const Candidate& c : catalogue(state, MetricKind::accuracy)) {
      const auto r = sample_reading(c.convention);
      if (!r || std::isnan(c.value)) continue;
      PairedState s(*r, *r);
      update(s, paired(a, b));
      EXPECT_NEAR(s.a.values.mean(), c.value, 1e-15) << c.id;
    }
    int losses = 0;
    for (const Candidate& c : catalogue(state, MetricKind::loss)) {
      const auto r = sample_reading(c.convention);
      if (!r || std::isnan(c.value)) continue;
      SampleState s{*r, {}};
      update(s, a.view());
      EXPECT_NEAR(s.values.mean(), c.value, 1e-12 * std::abs(c.value)) << c.id;
      ++losses;
    }
    EXPECT_GE(losses, probs ? 5 : 1);
  }
}

TEST(PairedState, MacroAndWeightedReadingsAreNotPerSample) {
  const OwnedBatch a = random_batch(3, 50, 5);
  const SufficientState state = evaluate(a.view(), testing::options_for(5));
  int per_sample = 0, not_per_sample = 0;
  for (const Candidate& c : catalogue(state, MetricKind::accuracy)) {
    const bool micro =
        c.convention.metric == Metric::accuracy && c.convention.average == Average::micro;
    EXPECT_EQ(sample_reading(c.convention).has_value(), micro) << c.id;
    (micro ? per_sample : not_per_sample) += 1;
  }
  EXPECT_GT(per_sample, 0);
  EXPECT_GT(not_per_sample, 0);
  Convention weighted_loss;
  weighted_loss.metric = Metric::cross_entropy;
  weighted_loss.class_weights = {1, 2, 3, 4, 5};
  EXPECT_FALSE(sample_reading(weighted_loss).has_value());
  weighted_loss.class_weights.clear();
  weighted_loss.label_smoothing = 0.1;
  EXPECT_FALSE(sample_reading(weighted_loss).has_value());
}

TEST(PairedState, DifferencesAreBMinusAPerSample) {
  const OwnedBatch a = random_batch(5, 300, 6);
  OwnedBatch b = random_batch(6, 300, 6);
  b.target = a.target;
  PairedState s(loss(LossFamily::logits), loss(LossFamily::logits));
  update(s, paired(a, b));
  SampleState sa{loss(LossFamily::logits), {}}, sb{loss(LossFamily::logits), {}};
  update(sa, a.view());
  update(sb, b.view());
  EXPECT_EQ(s.a.values, sa.values);
  EXPECT_EQ(s.b.values, sb.values);
  EXPECT_NEAR(s.difference.mean(), sb.values.mean() - sa.values.mean(), 1e-14);
  EXPECT_EQ(s.table[0][0] + s.table[1][1] + s.table[0][1] + s.table[1][0], 0);
}

TEST(PairedState, MergingBatchesInAnyOrderGivesTheSameBits) {
  const OwnedBatch a = random_batch(21, 1000, 9);
  OwnedBatch b = random_batch(22, 1000, 9);
  b.target = a.target;
  PairedState whole(loss(LossFamily::logits), loss(LossFamily::logits));
  update(whole, paired(a, b));
  PairedState first(whole.a.reading, whole.b.reading), second = first;
  const auto part = [&](PairedState& s, std::int64_t begin, std::int64_t end) {
    PairedBatch p;
    const auto va = a.slice(begin, end), vb = b.slice(begin, end);
    p.target = va.target;
    p.scores_a = va.scores;
    p.scores_b = vb.scores;
    update(s, p);
  };
  part(first, 600, 1000);
  part(second, 0, 600);
  second.merge(first);
  EXPECT_EQ(second.difference, whole.difference);
  EXPECT_EQ(second.a.values, whole.a.values);
  EXPECT_EQ(second.b.values, whole.b.values);
}

TEST(SampleMoments, SquaredDeviationsSurviveALargeMean) {
  // Values 1e8 + small noise: the naive S2 - S1^2/n loses every digit in double.
  SampleMoments m;
  std::vector<double> x;
  for (int i = 0; i < 1000; ++i) x.push_back(1e8 + 0.001 * ((i * 7919) % 101 - 50));
  for (double v : x) m.add(v);
  long double mean = 0;
  for (double v : x) mean += v;
  mean /= x.size();
  long double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  EXPECT_NEAR(m.squared_deviations(), static_cast<double>(ss), 1e-9 * static_cast<double>(ss));
}

TEST(SampleMoments, InfiniteLossesAreCountedApart) {
  SampleMoments m;
  m.add(1.0);
  m.add(std::numeric_limits<double>::infinity());
  EXPECT_EQ(m.count(), 2);
  EXPECT_EQ(m.infinite(), 1);
  EXPECT_TRUE(std::isinf(m.mean()));
  EXPECT_TRUE(std::isnan(m.variance()));
  EXPECT_THROW(m.add(std::nan("")), ValueRangeError);
  EXPECT_EQ(m.count(), 2);
}

TEST(PairedState, BadInputsNameTheArgument) {
  OwnedBatch a = random_batch(1, 10, 4), b = random_batch(2, 10, 4);
  b.target = a.target;
  PairedState s(hit(), hit());
  OwnedBatch short_b = b;
  short_b.target.resize(9);
  short_b.scores.resize(36);
  try {
    PairedBatch p = paired(a, short_b);
    p.target = a.view().target;
    update(s, p);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("preds_b"), std::string::npos) << e.what();
  }
  OwnedBatch nan_a = a;
  nan_a.scores[4 * 3 + 1] = std::nan("");
  try {
    update(s, paired(nan_a, b));
    FAIL();
  } catch (const ValueRangeError& e) {
    EXPECT_NE(std::string(e.what()).find("preds_a"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(3, 1)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(s.samples(), 0);  // unchanged on error
  OwnedBatch labels = a;
  labels.scores.clear();
  labels.predicted = std::vector<std::int64_t>(10, 0);
  PairedState l(loss(LossFamily::logits), loss(LossFamily::logits));
  EXPECT_THROW(update(l, paired(labels, b)), UnavailableError);
  EXPECT_THROW(PairedState(hit(), loss(LossFamily::logits)), InvalidArgument);
  // Probabilities families refuse scores outside [0, 1], naming the row.
  PairedState p(loss(LossFamily::keras_probabilities), loss(LossFamily::keras_probabilities));
  try {
    update(p, paired(a, b));  // logits
    FAIL();
  } catch (const ValueRangeError& e) {
    EXPECT_NE(std::string(e.what()).find("the keras_probabilities cross-entropy"),
              std::string::npos)
        << e.what();
  }
  SampleState weighted{hit(), {}};
  OwnedBatch w = random_batch(3, 10, 4, /*weights=*/true);
  EXPECT_THROW(update(weighted, w.view()), InvalidArgument);
}

}  // namespace
}  // namespace metricaudit
