// The writers' formatting helpers.
#include <gtest/gtest.h>

#include <limits>

#include "format.hpp"

namespace metricaudit::audit::detail {
namespace {

TEST(Format, ValuesFollowThePrintedPrecision) {
  Precision p;
  p.kind = Precision::Kind::decimal;
  p.decimals = 4;
  EXPECT_EQ(format_value(0.90331491, p), "0.9033");
  p.decimals = 19;  // CSV loggers: capped for readability
  EXPECT_EQ(format_value(0.25, p), "0.2500000000");
  p.significant_digits = 5;
  EXPECT_EQ(format_value(1.2345e-4, p), "1.2345e-04");
  p.kind = Precision::Kind::float32;
  EXPECT_EQ(format_value(0.1f, p), "0.100000001");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN(), p), "nan");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity(), p), "-inf");
}

TEST(Format, Ranges) {
  EXPECT_EQ(format_ranges({}), "");
  EXPECT_EQ(format_ranges({3}), "3");
  EXPECT_EQ(format_ranges({0, 1, 2, 5, 7, 8}), "0-2, 5, 7-8");
  EXPECT_EQ(format_ranges({5, 1, 0, 2}), "0-2, 5");
  EXPECT_EQ(format_ranges({4, 9, 14, 19, 24}), "4, 9, ..., 24");
  EXPECT_EQ(format_ranges({4, 9}), "4, 9");
  EXPECT_EQ(format_ranges({1, 1, 2}), "1-2");
}

TEST(Format, WrapKeepsWordsAndWidth) {
  const auto lines = wrap("alpha beta gamma delta epsilon", 11);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "alpha beta");
  EXPECT_EQ(lines[1], "gamma delta");
  EXPECT_EQ(lines[2], "epsilon");
  EXPECT_EQ(wrap("a-very-long-unbreakable-word x", 5).front(), "a-very-long-unbreakable-word");
  EXPECT_EQ(wrap("", 10).size(), 1u);
  EXPECT_EQ(display_width("\xc3\xa9t\xc3\xa9"), 3u);  // "été"
}

TEST(Format, UriReferences) {
  EXPECT_EQ(path_to_uri_reference("runs/a/metrics.csv"), "runs/a/metrics.csv");
  EXPECT_EQ(path_to_uri_reference("my runs/50%.log"), "my%20runs/50%25.log");
  EXPECT_EQ(path_to_uri_reference("C:x"), "C%3Ax");
  EXPECT_EQ(path_to_uri_reference("/abs/path"), "file:///abs/path");
  EXPECT_EQ(path_to_uri_reference("a\\b"), "a/b");
}

}  // namespace
}  // namespace metricaudit::audit::detail
