// The state's one field list (state_fields.hpp) and its array form (state_arrays.hpp):
// every field, perturbed in turn, survives a round trip through the arrays and a
// sum of the arrays of three states exactly as merge combines it, with every
// reading (value or refusal) bit for bit; == sees every perturbation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::OwnedBatch;
using testing::random_batch;

// ---- readings: every convention, as text (hex floats, or the refusal) ---------

std::string text(double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

template <typename F>
std::string attempt(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    return std::string("refused: ") + e.what();
  }
}

std::vector<std::string> readings(const SufficientState& s) {
  std::vector<std::string> out;
  const Metric ratios[] = {
      Metric::accuracy, Metric::precision,         Metric::recall,
      Metric::f1,       Metric::balanced_accuracy, Metric::elementwise_binary_accuracy};
  for (Metric m : ratios) {
    for (Average a : {Average::micro, Average::macro, Average::weighted, Average::none}) {
      for (Absent ab : {Absent::zero, Absent::exclude_unseen, Absent::exclude_no_support}) {
        for (ZeroDivision z : {ZeroDivision::zero, ZeroDivision::nan}) {
          for (int k : {1, 2, 3}) {
            for (int t = 0; t <= static_cast<int>(TieRule::torch_topk); ++t) {
              for (TopKPredicted tp : {TopKPredicted::top1_on_miss, TopKPredicted::whole_set}) {
                for (bool sw : {true, false}) {
                  for (bool adj : {false, true}) {
                    if (adj && m != Metric::balanced_accuracy) continue;
                    const bool sets = m == Metric::precision || m == Metric::f1;
                    if (tp == TopKPredicted::whole_set && (!sets || k == 1)) continue;
                    // Only macro means read the absent rule; only ratios that divide, zero_division.
                    if (ab != Absent::exclude_unseen && a != Average::macro) continue;
                    if (z != ZeroDivision::zero && !sets && m != Metric::recall) continue;
                    Convention c;
                    c.metric = m;
                    c.average = a;
                    c.absent = ab;
                    c.zero_division = z;
                    c.top_k = k;
                    c.ties = static_cast<TieRule>(t);
                    c.topk_predicted = tp;
                    c.sample_weighted = sw;
                    c.adjusted = adj;
                    out.push_back(attempt([&] {
                                    if (a != Average::none) return text(read(s, c));
                                    std::string v;
                                    for (double x : read_per_class(s, c)) v += text(x) + ",";
                                    return v;
                                  }));
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  std::vector<double> class_weights;
  for (std::int64_t c = 0; c < s.num_classes(); ++c) class_weights.push_back(0.5 + static_cast<double>(c));
  for (int f = 0; f < kLossFamilies; ++f) {
    for (Reduction r : {Reduction::mean, Reduction::sum}) {
      for (ClassWeightNorm n :
           {ClassWeightNorm::target_weight_sum, ClassWeightNorm::sample_count}) {
        for (bool weights : {false, true}) {
          for (double smoothing : {0.0, 0.2}) {
            for (bool sw : {true, false}) {
              Convention c;
              c.metric = Metric::cross_entropy;
              c.loss = static_cast<LossFamily>(f);
              c.reduction = r;
              c.weight_norm = n;
              if (weights) c.class_weights = class_weights;
              c.label_smoothing = smoothing;
              c.sample_weighted = sw;
              out.push_back(attempt([&] { return text(read(s, c)); }));
            }
          }
        }
      }
    }
  }
  for (MetricKind kind : {MetricKind::accuracy, MetricKind::loss}) {
    for (const Candidate& c : catalogue(s, kind)) {
      out.push_back(c.id + " " + text(c.value) + " " + c.unavailable);
    }
  }
  return out;
}

std::vector<std::string> readings(const LabelwiseState& s) {
  std::vector<std::string> out;
  for (int m = 0; m <= static_cast<int>(LabelwiseMetric::binary_cross_entropy); ++m) {
    for (Average a : {Average::micro, Average::macro, Average::none}) {
      for (int r = 0; r < kScoreReadings; ++r) {
        for (int f = 0; f < kBinaryLossFamilies; ++f) {
          for (Reduction red : {Reduction::mean, Reduction::sum}) {
            for (bool sw : {true, false}) {
              LabelwiseConvention c;
              c.metric = static_cast<LabelwiseMetric>(m);
              c.average = a;
              c.reading = static_cast<ScoreReading>(r);
              c.loss = static_cast<BinaryLossFamily>(f);
              c.reduction = red;
              c.sample_weighted = sw;
              out.push_back(attempt([&] {
                              if (a != Average::none) return text(read(s, c));
                              std::string v;
                              for (double x : read_per_label(s, c)) v += text(x) + ",";
                              return v;
                            }));
            }
          }
        }
      }
    }
  }
  for (MetricKind kind : {MetricKind::accuracy, MetricKind::loss}) {
    for (const LabelwiseCandidate& c : catalogue(s, kind)) {
      out.push_back(c.id + " " + text(c.value) + " " + c.unavailable);
    }
  }
  return out;
}

// ---- arrays -----------------------------------------------------------------

StateArrays sum(const std::vector<StateArrays>& parts) {
  StateArrays total = parts.front();
  for (std::size_t p = 1; p < parts.size(); ++p) {
    for (std::size_t a = 0; a < total.size(); ++a) {
      EXPECT_EQ(total[a].name, parts[p][a].name);
      for (std::size_t i = 0; i < total[a].values.size(); ++i) {
        total[a].values[i] += parts[p][a].values[i];
      }
    }
  }
  return total;
}

/// Every field of the field list, perturbed in turn: +1 on the first cell of a count,
/// +0.375 on the first exact sum, a flag flipped. fn(name, compared, perturbed state).
template <typename State, typename Fn>
void for_each_perturbation(const State& base, Fn&& fn) {
  std::vector<std::string> names;
  for_each_field([&](const FieldInfo& f, auto) { names.emplace_back(f.name); }, base);
  for (std::size_t k = 0; k < names.size(); ++k) {
    State p = base;
    std::size_t at = 0;
    bool changed = false, compared = true;
    for_each_field(
        [&](const FieldInfo& f, auto cells) {
          if (at++ != k || cells.size() == 0) return;
          using T = std::remove_cvref_t<decltype(cells[0])>;
          if constexpr (std::is_same_v<T, ExactSum>) {
            cells[0].add(0.375);
          } else if constexpr (std::is_same_v<T, bool>) {
            cells[0] = !cells[0];
          } else {
            cells[0] += 1;
          }
          changed = true;
          compared = f.compared;
        },
        p);
    if (changed) fn(names[k], compared, p);
  }
}

StateOptions every_option() {
  StateOptions o;
  o.num_classes = 5;
  o.top_k = {1, 2, 3};
  o.ignore_index = 4;
  o.confusion_matrix = true;
  o.topk_sets = true;
  o.smoothing_columns = true;
  return o;
}

/// Three states of every_option(): weighted logits with ties and -inf (masked) logits,
/// unweighted probabilities, and labels only.
std::vector<SufficientState> three_states() {
  const StateOptions o = every_option();
  OwnedBatch a = random_batch(1, 60, 5, /*weights=*/true);
  a.scores[3] = -std::numeric_limits<double>::infinity();
  a.target[0] = 4;  // ignored
  OwnedBatch b = random_batch(2, 40, 5, /*weights=*/false, /*probabilities=*/true);
  OwnedBatch c;
  c.classes = 5;
  c.target = {0, 1, 2, 3, 1, 4};
  c.predicted = {0, 2, 2, 1, 1, 0};
  return {evaluate(a.view(), o), evaluate(b.view(), o), evaluate(c.view(), o)};
}

TEST(StateFields, EveryFieldHasItsDeclaredShape) {
  SufficientState s = three_states()[0];
  ASSERT_TRUE(s.weighted);
  int fields = 0;
  for_each_field(
      [&](const FieldInfo& f, auto cells) {
        ++fields;
        EXPECT_EQ(static_cast<std::int64_t>(cells.size()), f.size()) << f.name;
      },
      s);
  EXPECT_GT(fields, 20);
  const LabelwiseState l(LabelwiseOptions{3, 0.5, 0});
  for_each_field(
      [&](const FieldInfo& f, auto cells) {
        EXPECT_EQ(static_cast<std::int64_t>(cells.size()), f.size()) << f.name;
      },
      l);
}

// A field added to a state but not to state_fields.hpp would be neither merged, compared
// nor transported. When this fails: list the new field there, then update the sizes.
TEST(StateFields, SizesOfTheStatesAreThoseTheFieldListCovers) {
  EXPECT_EQ(sizeof(LossSums), 192u);
  EXPECT_EQ(sizeof(SufficientState), 1712u);
  EXPECT_EQ(sizeof(LabelwiseState), 1520u);  // five binary loss families (bce, bce_available)
}

// The defect of issue 12: the arrays lacked topk_boundary_ties, so a refusal became a number.
TEST(StateArrays, TopKBoundaryTiesSurviveTheRoundTrip) {
  StateOptions o;
  o.num_classes = 4;
  o.top_k = {1, 2};
  OwnedBatch b;
  b.classes = 4;
  b.target = {1, 0};
  b.scores = {1, 1, 1, 0,  // the target ties with two classes across the k = 2 boundary
              2, 1, 0, 0};
  const SufficientState s = evaluate(b.view(), o);
  ASSERT_EQ(s.topk_boundary_ties[1], 1);
  Convention c;
  c.metric = Metric::recall;
  c.average = Average::macro;
  c.top_k = 2;
  c.ties = TieRule::index_order;
  EXPECT_THROW(read(s, c), UnavailableError);
  const SufficientState back = from_arrays(o, to_arrays(s));
  EXPECT_EQ(back.topk_boundary_ties, s.topk_boundary_ties);
  EXPECT_THROW(read(back, c), UnavailableError);
  EXPECT_EQ(back, s);
  const SufficientState summed = from_arrays(o, sum({to_arrays(s), to_arrays(s)}));
  SufficientState merged = s;
  merged.merge(s);
  EXPECT_EQ(summed, merged);
  EXPECT_THROW(read(summed, c), UnavailableError);
}

TEST(StateArrays, EveryPerturbedFieldSurvivesRoundTripAndSum) {
  const std::vector<SufficientState> parts = three_states();
  const StateOptions o = every_option();
  int perturbed = 0;
  for_each_perturbation(
      parts[0], [&](const std::string& name, bool compared, const SufficientState& p) {
        SCOPED_TRACE(name);
        ++perturbed;
        if (compared) {
          EXPECT_FALSE(p == parts[0]) << "== does not see " << name;
        } else {
          EXPECT_TRUE(p == parts[0]);  // bookkeeping only
        }
        const auto expected = readings(p);
        const SufficientState back = from_arrays(o, to_arrays(p));
        EXPECT_TRUE(back == p);
        EXPECT_EQ(readings(back), expected);

        SufficientState merged = p;
        merged.merge(parts[1]);
        merged.merge(parts[2]);
        const SufficientState summed =
            from_arrays(o, sum({to_arrays(p), to_arrays(parts[1]), to_arrays(parts[2])}));
        EXPECT_TRUE(summed == merged);
        EXPECT_EQ(summed.mixed_inputs, merged.mixed_inputs);
        EXPECT_EQ(readings(summed), readings(merged));
        SufficientState other_order = parts[2];
        other_order.merge(p);
        other_order.merge(parts[1]);
        EXPECT_TRUE(other_order == merged);
      });
  EXPECT_GT(perturbed, 25);
}

TEST(StateArrays, UnweightedStatesAndEmptyStates) {
  const std::vector<SufficientState> parts = three_states();
  const StateOptions o = every_option();
  const SufficientState empty(o);
  for (const SufficientState& s : {parts[1], parts[2], empty}) {
    EXPECT_FALSE(s.weighted);
    const SufficientState back = from_arrays(o, to_arrays(s));
    EXPECT_TRUE(back == s);
    EXPECT_FALSE(back.weighted);
    EXPECT_EQ(back.has_scores, s.has_scores);
    EXPECT_EQ(readings(back), readings(s));
  }
  // An empty state adds nothing, whichever side it is on.
  SufficientState merged = parts[1];
  merged.merge(parts[2]);
  const auto summed = from_arrays(
      o, sum({to_arrays(empty), to_arrays(parts[1]), to_arrays(empty), to_arrays(parts[2])}));
  EXPECT_TRUE(summed == merged);
  EXPECT_TRUE(summed.mixed_inputs);
  EXPECT_FALSE(summed.has_scores);
}

TEST(StateArrays, OneStateOverTheWholeSetEqualsTheSumOfThreeShards) {
  StateOptions o = every_option();
  OwnedBatch all = random_batch(7, 301, 5, /*weights=*/true);
  const SufficientState whole = evaluate(all.view(), o);
  std::vector<StateArrays> shards;
  for (auto [begin, end] : {std::pair{0, 13}, std::pair{13, 200}, std::pair{200, 301}}) {
    shards.push_back(to_arrays(evaluate(all.slice(begin, end), o)));
  }
  const SufficientState summed = from_arrays(o, sum(shards));
  EXPECT_TRUE(summed == whole);
  EXPECT_EQ(readings(summed), readings(whole));
  // One buffer for one collective, and back.
  StateArrays layout = to_arrays(SufficientState(o));
  const std::vector<std::int64_t> buffer = flatten(sum(shards));
  unflatten(buffer, layout);
  EXPECT_TRUE(from_arrays(o, layout) == whole);
  EXPECT_THROW(unflatten(std::vector<std::int64_t>(3), layout), ShapeError);
}

TEST(StateArrays, LabelwiseEveryPerturbedFieldSurvives) {
  const LabelwiseOptions o{3, 0.5, 0};
  std::vector<LabelwiseState> parts;
  for (int p = 0; p < 3; ++p) {
    std::vector<std::int64_t> target;
    std::vector<double> scores, weights;
    for (int i = 0; i < 20 + p; ++i) {
      for (int l = 0; l < 3; ++l) {
        target.push_back((i * 7 + l * 3 + p) % 2);
        scores.push_back(p == 1 ? 0.1 * ((i + l) % 10) : 0.7 * (i % 5) - 1.4);
      }
      weights.push_back(0.25 * (i % 4));
    }
    LabelwiseBatch b;
    const auto n = static_cast<std::int64_t>(weights.size());
    b.target = ArrayView::matrix(target.data(), n, 3);
    b.scores = ArrayView::matrix(scores.data(), n, 3);
    if (p != 2) b.sample_weight = ArrayView::vector(weights.data(), n);
    parts.push_back(evaluate(b, o));
  }
  int perturbed = 0;
  for_each_perturbation(
      parts[0], [&](const std::string& name, bool compared, const LabelwiseState& p) {
        SCOPED_TRACE(name);
        ++perturbed;
        EXPECT_EQ(p == parts[0], !compared);
        const LabelwiseState back = from_arrays(o, to_arrays(p));
        EXPECT_TRUE(back == p);
        EXPECT_EQ(readings(back), readings(p));
        LabelwiseState merged = p;
        merged.merge(parts[1]);
        merged.merge(parts[2]);
        const LabelwiseState summed =
            from_arrays(o, sum({to_arrays(p), to_arrays(parts[1]), to_arrays(parts[2])}));
        EXPECT_TRUE(summed == merged);
        EXPECT_EQ(readings(summed), readings(merged));
      });
  EXPECT_GT(perturbed, 10);
}

TEST(StateArrays, BadArraysAreRefusedNamingTheEntry) {
  const StateOptions o = every_option();
  const StateArrays good = to_arrays(three_states()[0]);
  auto expect_error = [&](const std::function<void(StateArrays&)>& edit, const std::string& what) {
    StateArrays a = good;
    edit(a);
    try {
      (void)from_arrays(o, a);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto named = [](StateArrays& a, const std::string& name) -> StateArray& {
    for (StateArray& x : a) {
      if (x.name == name) return x;
    }
    throw std::logic_error("no " + name);
  };
  expect_error([&](StateArrays& a) { a.erase(a.begin() + 5); }, "missing entry '" + good[5].name);
  expect_error(
      [&](StateArrays& a) {
        a.push_back({"extra", FieldKind::count, {}, {0}});
      },
      "unknown entry 'extra'");
  expect_error(
      [&](StateArrays& a) {
        named(a, "tp").shape = {4};
        named(a, "tp").values.push_back(0);
      },
      "entry 'tp': expected shape (5,), got (4,)");
  expect_error([&](StateArrays& a) { named(a, "weighted").values[0] = 2; },
               "entry 'weighted': a flag counts states, expected a value in [0, states=1], got 2");
  expect_error([&](StateArrays& a) { a.push_back(a.front()); }, "entry 'states' appears twice");
  // Other options: the shapes say so.
  StateOptions fewer = o;
  fewer.num_classes = 4;
  fewer.ignore_index.reset();
  EXPECT_THROW((void)from_arrays(fewer, good), ShapeError);
}

}  // namespace
}  // namespace metricaudit
