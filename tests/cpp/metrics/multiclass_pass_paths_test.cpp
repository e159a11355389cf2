// The pass's fast paths for float32 scores (the float32 row kernels and the default
// options' block fold, metrics/src/multiclass_pass.cpp) against the reference paths, on
// batches that mix every kind of row the conventions tell apart: logits, probabilities,
// non-negative rows above 1 (read by Keras' renormalising family), rows summing to 0,
// signed zeros and subnormals (what the keras profile's cast leaves or flushes), a
// negative subnormal, ties, -inf logits (recomputed in double), large logits.
//  - The block fold, the walk that looks for ignore_index, the weighted fold with unit
//    weights and a split over threads give the same state, field for field, bit for bit.
//  - The same values as float64 (the double kernels) give the same counts, flags, loss
//    availability and probability-family sums, bit for bit; the softmax family's sums
//    agree within kFloat32LossRelativeError (evaluate.hpp), and sklearn's family, which
//    clips at the scores' dtype's epsilon, equals its float32 definition.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "metricaudit/metricaudit.hpp"
#include "metricaudit/state_fields.hpp"
#include "mismatches.hpp"

namespace metricaudit {
namespace {

constexpr int kRowKinds = 10;

// Row kind `kind` of C float32 scores with target y.
std::vector<float> make_row(std::mt19937_64& rng, std::int64_t C, int kind, std::int64_t y) {
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<float> row(static_cast<std::size_t>(C));
  const auto col = [&] { return static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(C)); };
  const float tiny = std::numeric_limits<float>::denorm_min();
  switch (kind) {
    case 0:  // logits
      for (auto& v : row) v = static_cast<float>(3 * g(rng));
      break;
    case 1: {  // probabilities (a softmax), one of them exactly 0
      double sum = 0.0;
      std::vector<double> e(row.size());
      for (auto& x : e) sum += (x = std::exp(2 * g(rng)));
      for (std::size_t c = 0; c < row.size(); ++c) row[c] = static_cast<float>(e[c] / sum);
      row[col()] = 0.0f;
      break;
    }
    case 2:  // one-hot probabilities: clipped at 0 and 1
      row[col()] = 1.0f;
      break;
    case 3:  // non-negative, some above 1: only Keras' categorical family reads it
      for (auto& v : row) v = static_cast<float>(std::fabs(3 * g(rng)));
      break;
    case 4:  // all zeros: in [0, 1], but a row sum of 0 (Keras' family unavailable)
      break;
    case 5:  // signed zeros and subnormals among probabilities
      for (auto& v : row) v = static_cast<float>(std::fabs(g(rng)) / 8);
      row[col()] = -0.0f;
      row[col()] = tiny * 3;
      row[static_cast<std::size_t>(y)] = 1e-40f;
      break;
    case 6:  // probabilities but one negative subnormal: no probability family reads it
      for (auto& v : row) v = static_cast<float>(std::fabs(g(rng)) / 8);
      row[col()] = -tiny;
      break;
    case 7:  // ties at a few levels, in [0, 1]
      for (auto& v : row) v = static_cast<float>(rng() % 3) * 0.25f;
      row[static_cast<std::size_t>(y)] = 0.5f;
      break;
    case 8:  // a -inf logit (masked class): the float32 kernels hand the row to double
      for (auto& v : row) v = static_cast<float>(2 * g(rng));
      row[col()] = -std::numeric_limits<float>::infinity();  // at the target too, sometimes
      break;
    default:  // large logits
      for (auto& v : row) v = static_cast<float>(1e4 * g(rng));
      break;
  }
  return row;
}

// A batch of float32 scores (and the same values as float64) whose rows are of random
// kinds among `kinds`; 77 rows: nine blocks of eight, then a partial block (folded row
// by row) whose rows are all of the first kind.
struct Batch {
  std::int64_t C = 0;
  std::vector<std::int64_t> target;
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<double> ones;
  MulticlassBatch view(bool float32, bool weighted) const {
    MulticlassBatch b;
    const auto n = static_cast<std::int64_t>(target.size());
    b.target = ArrayView::vector(target.data(), n);
    b.scores = float32 ? ArrayView::matrix(f32.data(), n, C) : ArrayView::matrix(f64.data(), n, C);
    if (weighted) b.sample_weight = ArrayView::vector(ones.data(), n);
    return b;
  }
};

Batch make_batch(std::int64_t C, const std::vector<int>& kinds, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Batch b;
  b.C = C;
  const std::int64_t n = 77;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto y = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(C));
    const int kind = i < 72 ? kinds[static_cast<std::size_t>(rng() % kinds.size())] : kinds[0];
    const auto row = make_row(rng, C, kind, y);
    b.target.push_back(y);
    b.f32.insert(b.f32.end(), row.begin(), row.end());
  }
  b.f64.assign(b.f32.begin(), b.f32.end());
  b.ones.assign(static_cast<std::size_t>(n), 1.0);
  return b;
}

// The loss family of cell i of a per-family field ("loss_*": one row of `cols` cells per
// kept family), or -1 for another field.
int family_of(const SufficientState& s, const FieldInfo& info, std::size_t i) {
  if (info.name.substr(0, 5) != "loss_") return -1;
  const auto cols = static_cast<std::size_t>(info.ndim == 2 ? info.dims[1] : 1);
  if (info.name == "loss_smoothing_by_column" || info.name == "loss_infinite_by_column") {
    return static_cast<int>(LossFamily::logits);
  }
  return kept_loss_families(s)[i / cols];
}

// Every compared field of a and b equal, cell for cell, except the cells `skip` names.
template <typename Skip>
::testing::AssertionResult same_state(const SufficientState& a, const SufficientState& b,
                                      const std::string& what, Skip&& skip) {
  testing::Mismatches m;
  for_each_field(
      [&](const FieldInfo& info, const auto& ca, const auto& cb) {
        if (!info.compared) return;
        const std::string field = what + ": " + std::string(info.name);
        if (!m.equal(ca.size(), cb.size(), field + " cells")) return;
        for (std::size_t i = 0; i < ca.size(); ++i) {
          if (!skip(info, i)) {
            m.expect(ca[i] == cb[i], field + "[" + std::to_string(i) + "] differs");
          }
        }
      },
      a, b);
  return m.result();
}

::testing::AssertionResult same_state(const SufficientState& a, const SufficientState& b,
                                      const std::string& what) {
  return same_state(a, b, what, [](const FieldInfo&, std::size_t) { return false; });
}

// The check above sees a difference in one cell, and leaves the cells it is told to skip.
TEST(MulticlassPassPaths, TheSameStateCheckSeesOneCell) {
  StateOptions o;
  o.num_classes = 4;
  const Batch b = make_batch(4, {0}, 3);
  const auto a = evaluate(b.view(true, false), o);
  Batch changed = b;
  changed.target[5] = (changed.target[5] + 1) % 4;
  const auto c = evaluate(changed.view(true, false), o);
  EXPECT_TRUE(same_state(a, a, "itself"));
  EXPECT_FALSE(same_state(a, c, "a changed target"));
  EXPECT_TRUE(same_state(a, c, "a changed target, every count and sum skipped",
                         [](const FieldInfo& info, std::size_t) {
                           return info.name != "samples" && info.name != "batches";
                         }));
}

// The option sets whose paths differ: the default (block fold), no smoothing terms, no
// logits family (no log-sum-exp), only the logits family with other k and threshold,
// top-1 only, and the extras that need the per-row fold.
std::vector<std::pair<std::string, StateOptions>> option_sets(std::int64_t C) {
  std::vector<std::pair<std::string, StateOptions>> sets;
  StateOptions o;
  o.num_classes = C;
  o.threads = 1;
  sets.emplace_back("default", o);
  StateOptions no_smoothing = o;
  no_smoothing.smoothing_terms = false;
  sets.emplace_back("no smoothing terms", no_smoothing);
  StateOptions probabilities = o;
  probabilities.losses = {LossFamily::keras_probabilities, LossFamily::sklearn_probabilities,
                          LossFamily::sklearn_legacy_probabilities,
                          LossFamily::keras_binary_onehot};
  sets.emplace_back("probability families only", probabilities);
  StateOptions logits = o;
  logits.losses = {LossFamily::logits};
  logits.top_k = {1, std::min<int>(2, static_cast<int>(C)), std::min<int>(3, static_cast<int>(C))};
  logits.threshold = 0.25;
  sets.emplace_back("logits only, k 1 2 3, threshold 0.25", logits);
  StateOptions top1 = o;
  top1.top_k = {1};
  sets.emplace_back("top-1 only", top1);
  StateOptions extras = o;
  extras.confusion_matrix = true;
  extras.topk_sets = true;
  extras.smoothing_columns = true;
  sets.emplace_back("confusion, top-k sets, smoothing columns", extras);
  return sets;
}

// The mixes of row kinds: each leaves the probability families in another state.
const std::vector<std::pair<std::string, std::vector<int>>>& mixes() {
  static const std::vector<std::pair<std::string, std::vector<int>>> m{
      {"probabilities", {1, 2, 5, 7}},             // every family available
      {"non-negative above 1", {1, 3, 5}},         // Keras' categorical family only
      {"zero row sums", {1, 4, 7}},                // all but Keras' categorical family
      {"logits", {0, 1, 3, 6, 8, kRowKinds - 1}},  // none (a negative score)
      // No -inf: every block of eight goes through the block fold, which alone must see
      // the negative scores.
      {"finite logits", {3, 0}},
  };
  return m;
}

TEST(MulticlassPassPaths, FoldPathsAndSplitsGiveTheSameState) {
  for (std::int64_t C : {3, 8, 10, 16, 17, 40}) {
    for (const auto& [mix_name, kinds] : mixes()) {
      const Batch b = make_batch(C, kinds, static_cast<std::uint64_t>(C * 131 + kinds.size()));
      for (const auto& [set_name, o] : option_sets(C)) {
        const std::string what = "C=" + std::to_string(C) + " " + mix_name + ", " + set_name;
        const auto blocks = evaluate(b.view(true, false), o);
        StateOptions ignoring = o;
        ignoring.ignore_index = -100;  // no row carries it: every row is scored
        EXPECT_TRUE(
            same_state(blocks, evaluate(b.view(true, false), ignoring), what + " / ignore_index"));
        // blocks first: its unweighted fields only; `weighted` itself differs.
        EXPECT_TRUE(
            same_state(blocks, evaluate(b.view(true, true), o), what + " / unit weights",
                       [](const FieldInfo& info, std::size_t) { return info.name == "weighted"; }));
        StateOptions split = o;
        split.threads = 3;
        EXPECT_TRUE(
            same_state(blocks, evaluate(b.view(true, false), split), what + " / 3 threads"));
      }
    }
  }
}

TEST(MulticlassPassPaths, Float32KernelsAgreeWithTheDoubleKernels) {
  constexpr auto kLogits = static_cast<int>(LossFamily::logits);
  constexpr auto kSklearn = static_cast<int>(LossFamily::sklearn_probabilities);
  const double eps = std::numeric_limits<float>::epsilon();
  for (std::int64_t C : {3, 8, 10, 16, 17, 40}) {
    for (const auto& [mix_name, kinds] : mixes()) {
      const Batch b = make_batch(C, kinds, static_cast<std::uint64_t>(C * 977 + kinds.size()));
      for (const auto& [set_name, o] : option_sets(C)) {
        const std::string what = "C=" + std::to_string(C) + " " + mix_name + ", " + set_name;
        const auto f32 = evaluate(b.view(true, false), o);
        const auto f64 = evaluate(b.view(false, false), o);
        // The logits family's sums and sklearn's (its clip is the dtype's epsilon) are
        // checked below; everything else is the same bit for bit.
        EXPECT_TRUE(same_state(f32, f64, what, [&](const FieldInfo& info, std::size_t i) {
          const int f = family_of(f32, info, i);
          const bool sum = info.kind == FieldKind::exact_sum;
          return sum && (f == kLogits || f == kSklearn);
        }));
        const auto& l32 = f32.losses[kLogits];
        const auto& l64 = f64.losses[kLogits];
        // Per row |error| <= bound * term + C * 2^-124; the terms are >= 0, so the sums'
        // too (1e-12 relative for the double kernels' own rounding).
        const double absolute = 77.0 * static_cast<double>(C) * std::ldexp(1.0, -124);
        auto near = [&](const ExactSum& x, const ExactSum& ref, const std::string& name) {
          const double tol =
              (kFloat32LossRelativeError + 1e-12) * std::fabs(ref.value()) + absolute;
          EXPECT_LE(std::fabs(x.value() - ref.value()), tol) << what << ": " << name;
        };
        if (l32.enabled) {
          for (std::size_t c = 0; c < l32.by_class.size(); ++c) {
            near(l32.by_class[c], l64.by_class[c], "logits class " + std::to_string(c));
          }
          near(l32.smoothing, l64.smoothing, "logits smoothing");
          for (std::size_t c = 0; c < l32.smoothing_by_column.size(); ++c) {
            near(l32.smoothing_by_column[c], l64.smoothing_by_column[c],
                 "logits column " + std::to_string(c));
          }
        }
        // sklearn >= 1.5 clips at np.finfo(float32).eps for float32 scores, per row whose
        // scores all lie in [0, 1].
        const auto& sk = f32.losses[kSklearn];
        if (!sk.enabled) continue;
        std::vector<ExactSum> want(static_cast<std::size_t>(C));
        for (std::size_t i = 0; i < b.target.size(); ++i) {
          const float* row = b.f32.data() + static_cast<std::int64_t>(i) * C;
          if (!std::all_of(row, row + C, [](float v) { return v >= 0.0f && v <= 1.0f; })) continue;
          const double py = row[b.target[i]];
          want[static_cast<std::size_t>(b.target[i])].add(
              -std::log(std::clamp(py, eps, 1.0 - eps)));
        }
        for (std::size_t c = 0; c < want.size(); ++c) {
          EXPECT_TRUE(sk.by_class[c] == want[c]) << what << ": sklearn class " << c;
        }
      }
    }
  }
}

// The mixes do reach what they are meant to: each family's availability after one batch.
TEST(MulticlassPassPaths, MixesReachEachAvailability) {
  auto available = [](const SufficientState& s, LossFamily f) {
    return s.losses[static_cast<int>(f)].available;
  };
  for (std::int64_t C : {10, 40}) {
    StateOptions o;
    o.num_classes = C;
    const auto& m = mixes();
    const auto probabilities = evaluate(make_batch(C, m[0].second, 1).view(true, false), o);
    const auto above_one = evaluate(make_batch(C, m[1].second, 2).view(true, false), o);
    const auto zero_sums = evaluate(make_batch(C, m[2].second, 3).view(true, false), o);
    const auto logits = evaluate(make_batch(C, m[3].second, 4).view(true, false), o);
    const auto finite = evaluate(make_batch(C, m[4].second, 5).view(true, false), o);
    EXPECT_TRUE(available(probabilities, LossFamily::keras_probabilities));
    EXPECT_TRUE(available(probabilities, LossFamily::sklearn_probabilities));
    EXPECT_TRUE(available(above_one, LossFamily::keras_probabilities));
    EXPECT_FALSE(available(above_one, LossFamily::sklearn_probabilities));
    EXPECT_FALSE(available(zero_sums, LossFamily::keras_probabilities));
    EXPECT_TRUE(available(zero_sums, LossFamily::keras_binary_onehot));
    EXPECT_FALSE(available(logits, LossFamily::keras_probabilities));
    EXPECT_FALSE(available(logits, LossFamily::keras_binary_onehot));
    EXPECT_TRUE(available(logits, LossFamily::logits));
    EXPECT_FALSE(available(finite, LossFamily::keras_probabilities));
    EXPECT_EQ(logits.losses[static_cast<int>(LossFamily::logits)].infinite_smoothing > 0, true);
  }
}

}  // namespace
}  // namespace metricaudit
