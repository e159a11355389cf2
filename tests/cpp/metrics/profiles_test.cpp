#include <gtest/gtest.h>

#include <set>
#include <string>

#include "metricaudit/metricaudit.hpp"

namespace metricaudit {
namespace {

TEST(Profiles, NamesAreUniqueAndEveryProfileCitesASource) {
  std::set<std::string_view> names;
  for (const auto& p : profiles()) {
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
    EXPECT_FALSE(p.source.empty()) << p.name;
    EXPECT_FALSE(p.library.empty()) << p.name;
  }
  for (const char* required :
       {"torchmetrics-0.11", "torchmetrics-1", "sklearn", "keras", "torch.nn"}) {
    EXPECT_TRUE(names.count(required)) << required;
  }
}

TEST(Profiles, UnknownNameListsTheKnownOnes) {
  try {
    find_profile("torchmetrics-2");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()),
              "profile: unknown name 'torchmetrics-2'; expected one of torchmetrics-0.9, "
              "torchmetrics-0.11, torchmetrics-1, torchmetrics-1.6, sklearn, sklearn-1.1, keras, "
              "torch.nn, default");
  }
}

TEST(Profiles, ResolveAppliesDefaultsAndOverrides) {
  const auto tm11 = resolve(find_profile("torchmetrics-0.11"), Metric::accuracy);
  EXPECT_EQ(tm11.average, Average::macro);
  EXPECT_EQ(tm11.absent, Absent::zero);
  const auto tm1 = resolve(find_profile("torchmetrics-1"), Metric::accuracy);
  EXPECT_EQ(tm1.absent, Absent::exclude_unseen);
  ConventionOverrides k;
  k.top_k = 3;
  EXPECT_EQ(resolve(find_profile("torchmetrics-1"), Metric::accuracy, k).absent,
            Absent::exclude_no_support);
  // torchmetrics 1.x F1 keeps the tp + fp + fn rule at top_k > 1 (tests/golden/FINDINGS.md).
  EXPECT_EQ(resolve(find_profile("torchmetrics-1"), Metric::f1, k).absent, Absent::exclude_unseen);
  EXPECT_EQ(resolve(find_profile("torchmetrics-1"), Metric::recall, k).absent,
            Absent::exclude_no_support);
  ConventionOverrides micro;
  micro.average = Average::micro;
  EXPECT_EQ(resolve(find_profile("torchmetrics-0.11"), Metric::accuracy, micro).average,
            Average::micro);
  EXPECT_EQ(resolve(find_profile("keras"), Metric::cross_entropy).loss,
            LossFamily::keras_probabilities);
  EXPECT_EQ(resolve(find_profile("keras"), Metric::cross_entropy).weight_norm,
            ClassWeightNorm::sample_count);
  EXPECT_EQ(resolve(find_profile("sklearn"), Metric::accuracy).ties, TieRule::index_order);
  ConventionOverrides top3;
  top3.top_k = 3;
  EXPECT_EQ(resolve(find_profile("sklearn"), Metric::accuracy, top3).ties,
            TieRule::high_index_first);
  EXPECT_EQ(resolve(find_profile("keras"), Metric::accuracy, top3).ties, TieRule::optimistic);
  EXPECT_EQ(resolve(find_profile("torch.nn"), Metric::cross_entropy).loss, LossFamily::logits);
  EXPECT_EQ(resolve(find_profile("sklearn-1.1"), Metric::cross_entropy).loss,
            LossFamily::sklearn_legacy_probabilities);
}

TEST(Profiles, DefaultIsTheLastRow) {
  EXPECT_EQ(&default_profile(), &profiles().back());
  EXPECT_EQ(&find_profile("default"), &default_profile());
  const Convention c = resolve(default_profile(), Metric::accuracy);
  EXPECT_EQ(c.average, Average::micro);
  EXPECT_EQ(c.ties, TieRule::index_order);
  EXPECT_EQ(resolve(default_profile(), Metric::recall).average, Average::macro);
}

TEST(Profiles, LabelwiseDefaultsComeFromTheProfile) {
  const auto tm = resolve(find_profile("torchmetrics-0.9"), LabelwiseMetric::precision);
  EXPECT_EQ(tm.reading, ScoreReading::torchmetrics_auto);
  EXPECT_EQ(resolve(find_profile("torchmetrics-1"), LabelwiseMetric::accuracy).average,
            Average::macro);
  // sklearn's accuracy_score on multilabel indicators is subset accuracy.
  EXPECT_EQ(resolve(find_profile("sklearn"), LabelwiseMetric::accuracy).metric,
            LabelwiseMetric::subset_accuracy);
  EXPECT_EQ(resolve(find_profile("keras"), LabelwiseMetric::binary_cross_entropy).loss,
            BinaryLossFamily::keras_probabilities);
  const auto d = resolve(default_profile(), LabelwiseMetric::accuracy);
  EXPECT_EQ(d.reading, ScoreReading::raw);
  EXPECT_EQ(d.metric, LabelwiseMetric::accuracy);
  EXPECT_EQ(d.loss, BinaryLossFamily::torch_logits);
  LabelwiseOverrides o;
  o.multilabel = MultilabelAccuracy::elementwise;
  o.average = Average::macro;
  o.reading = ScoreReading::sigmoid;
  const auto e = resolve(find_profile("sklearn"), LabelwiseMetric::accuracy, o);
  EXPECT_EQ(e.metric, LabelwiseMetric::accuracy);
  EXPECT_EQ(e.average, Average::micro);  // element-wise is the micro mean, whatever was asked
  EXPECT_EQ(e.reading, ScoreReading::sigmoid);
}

TEST(Conventions, IdsAreStableAndDistinct) {
  Convention c;
  EXPECT_EQ(c.id(), "accuracy.micro");
  c.average = Average::macro;
  c.absent = Absent::zero;
  EXPECT_EQ(c.id(), "accuracy.macro.absent_zero");
  c.top_k = 5;
  EXPECT_EQ(c.id(), "accuracy.top5.macro.absent_zero");
  Convention l;
  l.metric = Metric::cross_entropy;
  l.loss = LossFamily::keras_probabilities;
  l.label_smoothing = 0.1;
  l.weight_norm = ClassWeightNorm::sample_count;
  EXPECT_EQ(l.id(), "loss.keras_probabilities.smoothing_0.1");
  LabelwiseConvention b;
  EXPECT_EQ(b.id(), "accuracy.binary.torchmetrics_auto");
}

}  // namespace
}  // namespace metricaudit
