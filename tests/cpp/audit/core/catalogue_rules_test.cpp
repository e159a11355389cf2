// Every catalogue row names a rule of the table, of its own kind: a finding is always
// raised under a published rule, with the texts of that rule.
#include <gtest/gtest.h>

#include <vector>

#include "metricaudit/audit/rules.hpp"
#include "metricaudit/metricaudit.hpp"

namespace metricaudit::audit {
namespace {

constexpr MetricKind kKinds[] = {MetricKind::accuracy,  MetricKind::loss,
                                 MetricKind::precision, MetricKind::recall,
                                 MetricKind::f1,        MetricKind::balanced_accuracy};

// Returns how many rows it checked.
template <typename C>
std::size_t expect_known_rules(const std::vector<C>& rows, MetricKind kind) {
  for (const auto& c : rows) {
    SCOPED_TRACE(c.id);
    const RuleInfo* r = find_rule(c.rule);
    EXPECT_NE(r, nullptr);
    if (r == nullptr) continue;
    // Accuracy rows stand for accuracy (MA) rules, loss rows for loss (ML) rules, the
    // per-class metrics' rows for MP rules.
    const char* prefix = kind == MetricKind::accuracy ? "MA"
                         : kind == MetricKind::loss   ? "ML"
                                                      : "MP";
    EXPECT_EQ(r->id.substr(0, 2), prefix);
  }
  return rows.size();
}

TEST(CatalogueRules, EveryRowNamesARuleOfItsKind) {
  const std::vector<std::int64_t> target = {0, 1, 2, 0};
  const std::vector<float> probs = {0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f,
                                    0.2f, 0.2f, 0.6f, 0.3f, 0.3f, 0.4f};
  MulticlassBatch b;
  b.target = ArrayView::vector(target.data(), 4);
  b.scores = ArrayView::matrix(probs.data(), 4, 3);
  StateOptions o;
  o.num_classes = 3;
  const SufficientState s = evaluate(b, o);
  std::size_t multiclass_rows = 0;
  for (MetricKind kind : kKinds) {
    for (ScoresAre scores : {ScoresAre::logits, ScoresAre::probabilities}) {
      multiclass_rows += expect_known_rules(catalogue(s, kind, scores), kind);
    }
  }
  EXPECT_GT(multiclass_rows, 0u);
  const std::vector<std::int64_t> labels = {1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0};
  LabelwiseBatch lb;
  lb.target = ArrayView::matrix(labels.data(), 4, 3);
  lb.scores = ArrayView::matrix(probs.data(), 4, 3);
  LabelwiseOptions lo;
  lo.num_labels = 3;
  const LabelwiseState l = evaluate(lb, lo);
  std::size_t labelwise_rows = 0;
  for (MetricKind kind : kKinds) {
    for (ScoresAre scores : {ScoresAre::logits, ScoresAre::probabilities}) {
      labelwise_rows += expect_known_rules(catalogue(l, kind, scores), kind);
    }
  }
  EXPECT_GT(labelwise_rows, 0u);
}

}  // namespace
}  // namespace metricaudit::audit
