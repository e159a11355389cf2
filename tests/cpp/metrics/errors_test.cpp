// Every argument error, with its exact message: the argument, what was
// expected, and the first offending index.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "metricaudit/metricaudit.hpp"
#include "test_support.hpp"

namespace metricaudit {
namespace {

using testing::options_for;
using testing::OwnedBatch;

// Whether f() throws an E whose message is exactly `message` (the tests assert on it).
template <typename E, typename F>
::testing::AssertionResult throws_exactly(F f, const std::string& message) {
  try {
    f();
  } catch (const E& e) {
    if (std::string(e.what()) == message) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "message\n  got:      " << e.what() << "\n  expected: " << message;
  }
  return ::testing::AssertionFailure() << "expected an error: " << message;
}

OwnedBatch good() {
  OwnedBatch b;
  b.classes = 3;
  b.target = {0, 1, 2, 1};
  b.scores = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0};
  return b;
}

TEST(Errors, TheMessageCheckFailsOnAnotherMessageOrNoError) {
  auto b = good();
  b.target = {0, 3, 1, 5};
  EXPECT_FALSE(throws_exactly<ValueRangeError>([&] { evaluate(b.view(), options_for(3)); },
                                               "target: some other message"));
  EXPECT_FALSE(throws_exactly<ValueRangeError>([] {}, "target: expected an error"));
}

TEST(Errors, LabelOutOfRangeNamesTheFirstIndex) {
  auto b = good();
  b.target = {0, 3, 1, 5};
  EXPECT_TRUE(
      throws_exactly<ValueRangeError>([&] { evaluate(b.view(), options_for(3)); },
                                      "target: expected labels in [0, 3), got 3 at index 1"));
  b.target = {0, 1, -1, 5};
  StateOptions o = options_for(3);
  o.ignore_index = -100;
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { evaluate(b.view(), o); },
      "target: expected labels in [0, 3) or ignore_index=-100, got -1 at index 2"));
}

TEST(Errors, FirstErrorIsTheLowestRowWhateverTheThreads) {
  // Rows far apart land in different chunks and threads.
  OwnedBatch b;
  b.classes = 2;
  for (int i = 0; i < 200000; ++i) {
    b.target.push_back(0);
    b.scores.push_back(0.5);
    b.scores.push_back(0.5);
  }
  b.target[150000] = 7;
  b.target[120001] = 9;
  StateOptions o = options_for(2);
  o.threads = 2;
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { evaluate(b.view(), o); }, "target: expected labels in [0, 2), got 9 at index 120001"));
}

TEST(Errors, NonFiniteScores) {
  auto b = good();
  b.scores[7] = std::nan("");
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { evaluate(b.view(), options_for(3)); },
      "preds: expected finite scores (-inf allowed as a masked logit), got nan at index (2, 1)"));
  b = good();
  b.scores[3] = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { evaluate(b.view(), options_for(3)); },
      "preds: expected finite scores (-inf allowed as a masked logit), got inf at index (1, 0)"));
  b = good();
  const double ninf = -std::numeric_limits<double>::infinity();
  b.scores[0] = b.scores[1] = b.scores[2] = ninf;
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { evaluate(b.view(), options_for(3)); },
      "preds: expected at least one finite score per row, got a row of -inf at index 0"));
}

TEST(Errors, ShapesAndDtypes) {
  auto b = good();
  EXPECT_TRUE(throws_exactly<ShapeError>(
      [&] { evaluate(b.view(), options_for(4)); },
      "preds: expected scores of shape (4, 4) (N from target, C = num_classes), "
      "got (4, 3)"));
  MulticlassBatch v = b.view();
  v.scores = ArrayView::matrix(b.scores.data(), 3, 4);
  EXPECT_TRUE(throws_exactly<ShapeError>(
      [&] { evaluate(v, options_for(3)); },
      "preds: expected scores of shape (4, 3) (N from target, C = num_classes), "
      "got (3, 4)"));
  std::vector<float> ft = {0, 1, 2, 1};
  v = b.view();
  v.target = ArrayView::vector(ft.data(), 4);
  EXPECT_TRUE(throws_exactly<DTypeError>([&] { evaluate(v, options_for(3)); },
                                         "target: expected int32 or int64, got float32"));
  std::vector<std::int64_t> is(12, 0);
  v = b.view();
  v.scores = ArrayView::matrix(is.data(), 4, 3);
  EXPECT_TRUE(throws_exactly<DTypeError>([&] { evaluate(v, options_for(3)); },
                                         "preds: expected float32 or float64, got int64"));
  v = b.view();
  v.target = ArrayView::matrix(b.target.data(), 2, 2);
  EXPECT_TRUE(throws_exactly<ShapeError>([&] { evaluate(v, options_for(3)); },
                                         "target: expected shape (2,), got (2, 2)"));
}

TEST(Errors, BothOrNeitherPredictionKinds) {
  auto b = good();
  b.predicted = {0, 1, 2, 1};
  EXPECT_TRUE(throws_exactly<InvalidArgument>(
      [&] { evaluate(b.view(), options_for(3)); },
      "preds: expected exactly one of scores (N, C) and predicted labels (N,), got both"));
  b.predicted.clear();
  b.scores.clear();
  EXPECT_TRUE(throws_exactly<InvalidArgument>(
      [&] { evaluate(b.view(), options_for(3)); },
      "preds: expected exactly one of scores (N, C) and predicted labels (N,), got neither"));
}

TEST(Errors, PredictedLabelOutOfRange) {
  auto b = good();
  b.scores.clear();
  b.predicted = {0, 1, 4, 1};
  EXPECT_TRUE(
      throws_exactly<ValueRangeError>([&] { evaluate(b.view(), options_for(3)); },
                                      "preds: expected labels in [0, 3), got 4 at index 2"));
}

TEST(Errors, EmptyInput) {
  OwnedBatch b;
  b.classes = 3;
  EXPECT_TRUE(
      throws_exactly<InvalidArgument>([&] { evaluate(b.view(), options_for(3)); },
                                      "target: expected at least one sample, got an empty array"));
}

TEST(Errors, Weights) {
  auto b = good();
  b.weights = {1.0, -0.5, 1.0, 1.0};
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { evaluate(b.view(), options_for(3)); },
      "sample_weight: expected finite values >= 0, got -0.500000 at index 1"));
  b.weights = {1.0, 1.0, 1.0, std::numeric_limits<double>::infinity()};
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { evaluate(b.view(), options_for(3)); },
      "sample_weight: expected finite values >= 0, got inf at index 3"));
  b.weights = {1.0, 1.0};
  EXPECT_TRUE(throws_exactly<ShapeError>([&] { evaluate(b.view(), options_for(3)); },
                                         "sample_weight: expected shape (4,), got (2,)"));
}

TEST(Errors, Options) {
  EXPECT_TRUE(throws_exactly<InvalidArgument>([] { SufficientState s(options_for(0)); },
                                              "num_classes: expected an integer >= 1, got 0"));
  StateOptions o = options_for(3);
  o.top_k = {1, 4};
  EXPECT_TRUE(throws_exactly<InvalidArgument>(
      [&] { SufficientState s(o); },
      "top_k: expected values in [1, num_classes=3], got 4 at index 1"));
  o = options_for(3);
  o.threshold = 1.5;
  EXPECT_TRUE(throws_exactly<InvalidArgument>(
      [&] { SufficientState s(o); }, "threshold: expected a value in [0, 1], got 1.500000"));
  o = options_for(100000);
  o.confusion_matrix = true;
  EXPECT_THROW(SufficientState{o}, InvalidArgument);
}

TEST(Errors, ReadingArguments) {
  const auto s = evaluate(good().view(), options_for(3));
  Convention c;
  c.top_k = 4;
  EXPECT_TRUE(throws_exactly<InvalidArgument>(
      [&] { read(s, c); }, "top_k: expected a value in [1, num_classes=3], got 4"));
  Convention ce;
  ce.metric = Metric::cross_entropy;
  ce.class_weights = {1.0, 2.0};
  EXPECT_TRUE(throws_exactly<ShapeError>([&] { read(s, ce); },
                                         "class_weights: expected 3 values (num_classes), got 2"));
  ce.class_weights = {1.0, -2.0, 1.0};
  EXPECT_TRUE(throws_exactly<ValueRangeError>(
      [&] { read(s, ce); },
      "class_weights: expected finite values >= 0, got -2.000000 at index 1"));
  ce.class_weights.clear();
  ce.label_smoothing = 1.5;
  EXPECT_TRUE(throws_exactly<InvalidArgument>(
      [&] { read(s, ce); }, "label_smoothing: expected a value in [0, 1], got 1.500000"));
  Convention none;
  none.average = Average::none;
  EXPECT_THROW(read(s, none), InvalidArgument);
}

TEST(Errors, MergeOfDifferentOptions) {
  SufficientState a(options_for(3));
  SufficientState b(options_for(4));
  EXPECT_THROW(a.merge(b), IncompatibleError);
}

TEST(Errors, StateUnchangedAfterAFailedUpdate) {
  SufficientState s(options_for(3));
  update(s, good().view());
  const SufficientState before = s;
  auto bad = good();
  bad.target[3] = 9;
  EXPECT_THROW(update(s, bad.view()), ValueRangeError);
  EXPECT_TRUE(s == before);
}

TEST(Errors, StateSizeIsCheckedBeforeAllocating) {
  StateOptions o;
  o.num_classes = std::int64_t{1} << 32;  // a stray label of 2^32 - 1
  try {
    SufficientState s(o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("num_classes: 4294967296 classes need ", 0), 0u)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("above the limit of 1 GiB"), std::string::npos);
  }
  o.num_classes = 1000;  // well inside
  EXPECT_NO_THROW(SufficientState{o});
  LabelwiseOptions l;
  l.num_labels = std::int64_t{1} << 40;
  EXPECT_THROW(LabelwiseState{l}, InvalidArgument);
}

}  // namespace
}  // namespace metricaudit
