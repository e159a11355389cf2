// Regression tests for what fuzz/fuzz_core_update found in the core's argument handling
// (arguments as the Python bindings hand them over). Each names the finding.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit {
namespace {

template <typename F>
std::string value_range_error(F f) {
  try {
    f();
  } catch (const ValueRangeError& e) {
    return e.what();
  }
  return "(no ValueRangeError)";
}

// fuzz_core_update, crash-ec115925: finite float64 logits 1e93 apart make a cross-entropy
// term beyond ExactSum's 2^160; the error was "ExactSum: |value| ... is beyond the
// accumulator's range (2^160)", naming neither the argument nor the row.
TEST(CoreRegressions, LossTermBeyondExactRangeNamesPredsAndRow) {
  for (int threads : {1, 2, 4}) {
    const std::int64_t n = 300, c = 2;  // several chunks of 64 rows
    std::vector<std::int64_t> target(n, 1);
    std::vector<double> scores(n * c, 0.0);
    scores[2 * 250] = 1e93;  // row 250: logsumexp - z_1 = 1e93
    StateOptions o;
    o.num_classes = c;
    o.threads = threads;
    SufficientState s(o);
    EXPECT_EQ(value_range_error([&] {
                update(s, MulticlassBatch{ArrayView::vector(target.data(), n),
                                          ArrayView::matrix(scores.data(), n, c),
                                          {},
                                          {}});
              }),
              "preds: expected scores whose loss terms, times sample_weight, stay below 2^160 "
              "in magnitude (the range of exact sums), got a larger term at index 250")
        << "threads " << threads;
    EXPECT_EQ(s.samples, 0) << "a refused batch leaves the state as it was";
  }
}

TEST(CoreRegressions, WeightTimesLossBeyondExactRange) {
  std::vector<std::int64_t> target = {0, 1, 0};
  std::vector<float> scores = {3, -3, 3, -3, 3, -3};  // row 1: loss ~6
  std::vector<double> weight = {1, 1e48, 1};          // < 2^160 ~ 1.46e48, times ~6 is not
  StateOptions o;
  o.num_classes = 2;
  SufficientState s(o);
  EXPECT_EQ(value_range_error([&] {
              update(s, MulticlassBatch{ArrayView::vector(target.data(), 3),
                                        ArrayView::matrix(scores.data(), 3, 2),
                                        {},
                                        ArrayView::vector(weight.data(), 3)});
            }),
            "preds: expected scores whose loss terms, times sample_weight, stay below 2^160 in "
            "magnitude (the range of exact sums), got a larger term at index 1");
}

// A weight of 2^160 or more cannot be summed at all (every weighted sum is an ExactSum),
// whatever the scores: refused up front, by name, for labels-only batches too.
TEST(CoreRegressions, WeightBeyondExactRange) {
  std::vector<std::int64_t> target = {0, 1, 0};
  std::vector<std::int64_t> preds = {0, 1, 1};
  std::vector<double> weight = {1, 1, 1e300};
  StateOptions o;
  o.num_classes = 2;
  SufficientState s(o);
  EXPECT_EQ(value_range_error([&] {
              update(s, MulticlassBatch{ArrayView::vector(target.data(), 3),
                                        {},
                                        ArrayView::vector(preds.data(), 3),
                                        ArrayView::vector(weight.data(), 3)});
            }),
            "sample_weight: expected values below 2^160 (the range of exact sums), got 1e+300 "
            "at index 2");
}

// The same range in the binary / multilabel pass: a huge logit's BCE-with-logits term.
TEST(CoreRegressions, LabelwiseLossTermBeyondExactRange) {
  std::vector<std::int64_t> target = {0, 1, 0, 1};
  std::vector<double> scores = {0.1, 0.9, 1e200, 0.4};
  LabelwiseOptions o;
  LabelwiseState s(o);
  EXPECT_EQ(value_range_error([&] {
              update(s, LabelwiseBatch{ArrayView::vector(target.data(), 4),
                                       ArrayView::vector(scores.data(), 4),
                                       {}});
            }),
            "preds: expected scores whose loss terms, times sample_weight, stay below 2^160 in "
            "magnitude (the range of exact sums), got a larger term at index 2");
  EXPECT_EQ(s.samples, 0);
}

}  // namespace
}  // namespace metricaudit
