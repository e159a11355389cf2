// Cross-entropy conventions, each against its formula written out in the test.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::options_for;
using testing::OwnedBatch;

Convention ce(LossFamily f) {
  Convention c;
  c.metric = Metric::cross_entropy;
  c.loss = f;
  return c;
}

double lse(const double* z, int n) {
  double m = z[0];
  for (int i = 1; i < n; ++i) m = std::max(m, z[i]);
  double s = 0;
  for (int i = 0; i < n; ++i) s += std::exp(z[i] - m);
  return m + std::log(s);
}

// The UnavailableError message of reading `c`; "" when the reading succeeds (which
// the caller's find() then fails on).
std::string unavailable_why(const SufficientState& s, const Convention& c) {
  try {
    read(s, c);
  } catch (const UnavailableError& e) {
    return e.what();
  }
  return "";
}

OwnedBatch logits_batch() {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0, 2, 1};
  b.scores = {2.0,  -1.0, 0.5,  //
              0.0,  0.0,  0.0,  //
              -3.0, 4.0,  1.0};
  return b;
}

TEST(Loss, LogitsMean) {
  const auto b = logits_batch();
  const auto s = evaluate(b.view(), options_for(3));
  double expected = 0;
  for (int i = 0; i < 3; ++i) {
    const double* z = &b.scores[static_cast<std::size_t>(3 * i)];
    expected += lse(z, 3) - z[b.target[static_cast<std::size_t>(i)]];
  }
  EXPECT_NEAR(read(s, ce(LossFamily::logits)), expected / 3, 1e-15);
  Convention sum = ce(LossFamily::logits);
  sum.reduction = Reduction::sum;
  EXPECT_NEAR(read(s, sum), expected, 1e-14);
}

TEST(Loss, LogitsStableForHugeMagnitudes) {
  OwnedBatch b;
  b.classes = 2;
  b.target = {1, 0};
  b.scores = {1e30, 0.0, 1e30, -1e30};
  const auto s = evaluate(b.view(), options_for(2));
  // row 0: lse = 1e30, loss = 1e30; row 1: loss = 0
  EXPECT_DOUBLE_EQ(read(s, ce(LossFamily::logits)), 0.5e30);
}

TEST(Loss, TorchClassWeightsDivideByTargetWeightSum) {
  const auto b = logits_batch();
  const auto s = evaluate(b.view(), options_for(3));
  Convention c = ce(LossFamily::logits);
  c.class_weights = {0.5, 2.0, 4.0};
  double num = 0, den = 0;
  for (int i = 0; i < 3; ++i) {
    const double* z = &b.scores[static_cast<std::size_t>(3 * i)];
    const auto y = static_cast<std::size_t>(b.target[static_cast<std::size_t>(i)]);
    num += c.class_weights[y] * (lse(z, 3) - z[y]);
    den += c.class_weights[y];
  }
  EXPECT_NEAR(read(s, c), num / den, 1e-15);
  // Keras normalisation divides the weighted sum by the sample count instead.
  c.weight_norm = ClassWeightNorm::sample_count;
  EXPECT_NEAR(read(s, c), num / 3, 1e-15);
}

TEST(Loss, TorchLabelSmoothing) {
  const auto b = logits_batch();
  const auto s = evaluate(b.view(), options_for(3));
  Convention c = ce(LossFamily::logits);
  c.label_smoothing = 0.1;
  double nll = 0, smooth = 0;
  for (int i = 0; i < 3; ++i) {
    const double* z = &b.scores[static_cast<std::size_t>(3 * i)];
    const double l = lse(z, 3);
    nll += l - z[b.target[static_cast<std::size_t>(i)]];
    for (int k = 0; k < 3; ++k) smooth += l - z[k];
  }
  // (1 - eps) * mean NLL + (eps / C) * mean sum_c -log p_c
  EXPECT_NEAR(read(s, c), 0.9 * nll / 3 + 0.1 / 3 * smooth / 3, 1e-15);
}

TEST(Loss, LabelSmoothingWithClassWeightsNeedsTheColumnSums) {
  const auto s = evaluate(logits_batch().view(), options_for(3));
  Convention c = ce(LossFamily::logits);
  c.label_smoothing = 0.1;
  c.class_weights = {1, 1, 2};
  EXPECT_NE(unavailable_why(s, c).find("smoothing_columns=true"), std::string::npos)
      << unavailable_why(s, c);
}

StateOptions with_columns(std::int64_t classes, int threads = 1) {
  StateOptions o = options_for(classes);
  o.smoothing_columns = true;
  o.threads = threads;
  return o;
}

// torch.nn.CrossEntropyLoss(weight=w, label_smoothing=e), reduction mean
// (aten/src/ATen/native/LossNLL.cpp, cross_entropy_loss_label_smoothing):
// [(1 - e) sum_n w_yn nll_n + e / C sum_n sum_c w_c (-log p_nc)] / sum_n w_yn.
double torch_smoothed_weighted(const OwnedBatch& b, const std::vector<double>& w, double eps) {
  const auto C = static_cast<int>(b.classes);
  double nll = 0, smooth = 0, den = 0;
  for (std::size_t i = 0; i < b.target.size(); ++i) {
    const double* z = &b.scores[i * static_cast<std::size_t>(C)];
    const double l = lse(z, C);
    const auto y = static_cast<std::size_t>(b.target[i]);
    nll += w[y] * (l - z[y]);
    for (int k = 0; k < C; ++k) smooth += w[static_cast<std::size_t>(k)] * (l - z[k]);
    den += w[y];
  }
  return ((1 - eps) * nll + eps / C * smooth) / den;
}

TEST(Loss, TorchLabelSmoothingWithClassWeights) {
  const auto b = logits_batch();
  Convention c = ce(LossFamily::logits);
  c.label_smoothing = 0.1;
  c.class_weights = {0.5, 2.0, 4.0};
  const auto s = evaluate(b.view(), with_columns(3));
  EXPECT_NEAR(read(s, c), torch_smoothed_weighted(b, c.class_weights, 0.1), 1e-15);
  // Equal weights give the unweighted smoothing reading.
  c.class_weights = {1, 1, 1};
  Convention plain = ce(LossFamily::logits);
  plain.label_smoothing = 0.1;
  EXPECT_NEAR(read(s, c), read(s, plain), 1e-15);
}

TEST(Loss, ColumnSumsAgreeAcrossKernelsThreadsAndSplits) {
  for (std::int64_t C : {5, 40}) {  // both row kernels (four rows per packet, one row)
    const auto b = testing::random_batch(11, 600, C);
    std::vector<double> w(static_cast<std::size_t>(C));
    for (std::size_t k = 0; k < w.size(); ++k) w[k] = 0.25 + static_cast<double>(k % 4);
    Convention c = ce(LossFamily::logits);
    c.label_smoothing = 0.2;
    c.class_weights = w;
    const auto one = evaluate(b.view(), with_columns(C, 1));
    EXPECT_NEAR(read(one, c), torch_smoothed_weighted(b, w, 0.2), 1e-12) << C;
    const auto two = evaluate(b.view(), with_columns(C, 2));
    SufficientState split(with_columns(C, 3));
    update(split, b.slice(0, 250));
    update(split, b.slice(250, 600));
    EXPECT_TRUE(one == two);
    EXPECT_TRUE(one == split);
  }
}

TEST(Loss, MaskedColumnWithLabelSmoothingAndClassWeights) {
  // A -inf logit outside the target: -log p = +inf in that column. torch multiplies it
  // by the column's weight: +inf for a positive weight, 0 * inf = NaN for a zero one.
  OwnedBatch b;
  b.classes = 3;
  b.target = {0, 1};
  b.scores = {2.0, 1.0, -std::numeric_limits<double>::infinity(), 0.5, 1.5, 0.0};
  const auto s = evaluate(b.view(), with_columns(3));
  Convention c = ce(LossFamily::logits);
  c.label_smoothing = 0.1;
  c.class_weights = {1, 1, 2};
  EXPECT_EQ(read(s, c), std::numeric_limits<double>::infinity());
  c.class_weights = {1, 1, 0};
  EXPECT_TRUE(std::isnan(read(s, c)));
  c.label_smoothing = 0.0;  // without smoothing only the targets' terms count: finite
  EXPECT_TRUE(std::isfinite(read(s, c)));
}

TEST(Loss, IgnoreIndexAndAllIgnoredIsNaN) {
  OwnedBatch b = logits_batch();
  b.target = {0, -100, 1};
  StateOptions o = options_for(3);
  o.ignore_index = -100;
  const auto s = evaluate(b.view(), o);
  const double l0 = lse(&b.scores[0], 3) - 2.0;
  const double l2 = lse(&b.scores[6], 3) - 4.0;
  EXPECT_NEAR(read(s, ce(LossFamily::logits)), (l0 + l2) / 2, 1e-15);
  b.target = {-100, -100, -100};
  EXPECT_TRUE(std::isnan(read(evaluate(b.view(), o), ce(LossFamily::logits))));
}

TEST(Loss, MaskedTargetGivesInfinity) {
  OwnedBatch b;
  b.classes = 2;
  b.target = {1};
  b.scores = {0.0, -std::numeric_limits<double>::infinity()};
  EXPECT_EQ(read(evaluate(b.view(), options_for(2)), ce(LossFamily::logits)),
            std::numeric_limits<double>::infinity());
}

TEST(Loss, SoftmaxTwiceFloor) {
  // One-hot probabilities fed to a logits loss: the loss cannot go lower.
  for (int C : {2, 3, 10, 100}) {
    OwnedBatch b;
    b.classes = C;
    b.target = {1};
    b.scores.assign(static_cast<std::size_t>(C), 0.0);
    b.scores[1] = 1.0;
    const double v = read(evaluate(b.view(), options_for(C)), ce(LossFamily::logits));
    EXPECT_NEAR(v, softmax_twice_floor(C), 1e-15) << "C=" << C;
  }
  EXPECT_NEAR(softmax_twice_floor(2), 0.3133, 5e-5);
  EXPECT_NEAR(softmax_twice_floor(10), 1.4612, 5e-5);
  EXPECT_NEAR(softmax_twice_floor(1000), 5.9095, 5e-5);
}

OwnedBatch probability_batch() {
  OwnedBatch b;
  b.classes = 3;
  b.target = {2, 0};
  // Row 0 does not sum to 1 and gives the target 0; row 1 is a proper distribution.
  b.scores = {0.2, 0.2, 0.0,  //
              0.7, 0.2, 0.1};
  return b;
}

// Keras computes in float32 whatever the input dtype (Loss.__call__ casts to the float32
// compute dtype): a probability is rounded to float32 and clipped at float32's 1e-7 and
// 1 - 1e-7. These batches hold float64 scores.
double keras_q(double p) {
  const double lo = static_cast<double>(static_cast<float>(1e-7));
  const double hi = static_cast<double>(1.0f - static_cast<float>(1e-7));
  return std::min(std::max(static_cast<double>(static_cast<float>(p)), lo), hi);
}

TEST(Loss, KerasRenormalisesAndClips) {
  const auto s = evaluate(probability_batch().view(), options_for(3));
  // row 0: 0 / 0.4 clipped to float32(1e-7); row 1: float32(0.7)
  const double expected = (-std::log(keras_q(0.0)) - std::log(keras_q(0.7))) / 2;
  EXPECT_NEAR(read(s, ce(LossFamily::keras_probabilities)), expected, 1e-12);
}

TEST(Loss, KerasLabelSmoothing) {
  const auto s = evaluate(probability_batch().view(), options_for(3));
  Convention c = ce(LossFamily::keras_probabilities);
  c.label_smoothing = 0.2;
  auto q = keras_q;
  // y' = y (1 - eps) + eps / C; loss = -sum_c y'_c log q_c
  const double row0 =
      0.8 * -std::log(q(0.0)) + 0.2 / 3 * -(std::log(q(0.5)) + std::log(q(0.5)) + std::log(q(0.0)));
  const double row1 =
      0.8 * -std::log(q(0.7)) + 0.2 / 3 * -(std::log(q(0.7)) + std::log(q(0.2)) + std::log(q(0.1)));
  EXPECT_NEAR(read(s, c), (row0 + row1) / 2, 1e-12);
}

TEST(Loss, SklearnClipsWithoutRenormalising) {
  const auto s = evaluate(probability_batch().view(), options_for(3));
  const double eps = std::numeric_limits<double>::epsilon();
  EXPECT_NEAR(read(s, ce(LossFamily::sklearn_probabilities)), (-std::log(eps) - std::log(0.7)) / 2,
              1e-12);
}

TEST(Loss, SklearnLegacyClipsThenRenormalises) {
  const auto s = evaluate(probability_batch().view(), options_for(3));
  const double row0 = -std::log(1e-15 / (0.4 + 1e-15));
  const double row1 = -std::log(0.7 / 1.0);
  EXPECT_NEAR(read(s, ce(LossFamily::sklearn_legacy_probabilities)), (row0 + row1) / 2, 1e-12);
}

TEST(Loss, KerasBinaryCrossentropyOnOneHot) {
  const auto s = evaluate(probability_batch().view(), options_for(3));
  auto q = keras_q;
  const double row0 = (-std::log(1 - q(0.2)) - std::log(1 - q(0.2)) - std::log(q(0.0))) / 3;
  const double row1 = (-std::log(q(0.7)) - std::log(1 - q(0.2)) - std::log(1 - q(0.1))) / 3;
  EXPECT_NEAR(read(s, ce(LossFamily::keras_binary_onehot)), (row0 + row1) / 2, 1e-12);
}

TEST(Loss, KerasBinaryCrossentropyLabelSmoothing) {
  // keras BinaryCrossentropy(label_smoothing=e) on one-hot targets: each cell's target
  // becomes y (1 - e) + e / 2, then the mean over the C cells and the samples.
  const auto b = probability_batch();
  const auto s = evaluate(b.view(), options_for(3));
  auto q = keras_q;
  const double e = 0.1;
  double expected = 0.0;
  for (std::size_t i = 0; i < b.target.size(); ++i) {
    double row = 0.0;
    for (std::size_t c = 0; c < 3; ++c) {
      const double p = q(b.scores[i * 3 + c]);
      const double y = (static_cast<std::int64_t>(c) == b.target[i] ? 1.0 : 0.0) * (1 - e) + e / 2;
      row -= y * std::log(p) + (1 - y) * std::log(1 - p);
    }
    expected += row / 3;
  }
  Convention c = ce(LossFamily::keras_binary_onehot);
  c.label_smoothing = e;
  c.weight_norm = ClassWeightNorm::sample_count;
  EXPECT_NEAR(read(s, c), expected / static_cast<double>(b.target.size()), 1e-12);
}

TEST(Loss, Float32UsesFloat32ClipBounds) {
  const auto d = probability_batch();
  std::vector<float> f(d.scores.begin(), d.scores.end());
  MulticlassBatch b = d.view();
  b.scores = ArrayView::matrix(f.data(), 2, 3);
  const auto s = evaluate(b, options_for(3));
  const double eps32 = static_cast<double>(std::numeric_limits<float>::epsilon());
  EXPECT_NEAR(read(s, ce(LossFamily::sklearn_probabilities)),
              (-std::log(eps32) - std::log(static_cast<double>(0.7f))) / 2, 1e-12);
}

TEST(Loss, ProbabilityFamiliesNeedProbabilities) {
  const auto s = evaluate(logits_batch().view(), options_for(3));
  EXPECT_FALSE(s.scores_in_unit_interval);
  try {
    read(s, ce(LossFamily::keras_probabilities));
    FAIL();
  } catch (const UnavailableError& e) {
    EXPECT_STREQ(
        e.what(),
        "Keras cross-entropy on probabilities: needs probabilities (every score in [0, 1], "
        "rows with a positive sum)");
  }
}

TEST(Loss, SampleWeightsNormalisation) {
  OwnedBatch b = logits_batch();
  b.weights = {1.0, 0.0, 3.0};
  const auto s = evaluate(b.view(), options_for(3));
  const double l0 = lse(&b.scores[0], 3) - 2.0;
  const double l2 = lse(&b.scores[6], 3) - 4.0;
  Convention c = ce(LossFamily::logits);  // sklearn-style: sum w l / sum w
  EXPECT_NEAR(read(s, c), (l0 + 3 * l2) / 4.0, 1e-15);
  c.weight_norm = ClassWeightNorm::sample_count;  // Keras: sum w l / N
  EXPECT_NEAR(read(s, c), (l0 + 3 * l2) / 3.0, 1e-15);
}

TEST(Loss, LabelSmoothingWithClassWeightsOnProbabilitiesIsRefusedAsSuch) {
  // Keras' probability losses take no class weights with smoothing; the columns are
  // kept for the logits family only, and the error says which family, not how to build.
  const auto s = evaluate(probability_batch().view(), with_columns(3));
  Convention c = ce(LossFamily::keras_probabilities);
  c.label_smoothing = 0.1;
  c.class_weights = {1, 1, 2};
  EXPECT_NE(unavailable_why(s, c).find("logits only"), std::string::npos) << unavailable_why(s, c);
}

}  // namespace
}  // namespace metricaudit
