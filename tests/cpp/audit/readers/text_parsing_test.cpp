// The shared helpers: number parsing with printed precision, split naming, record
// splitting, CSV cells, UTF-8 validation, ANSI stripping.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "csv.hpp"
#include "numbers.hpp"
#include "record_reader.hpp"
#include "support.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit {
namespace {

using detail::parse_number;

TEST(ParseNumber, CountsDecimalsAsPrinted) {
  auto n = parse_number("0.9858");
  ASSERT_TRUE(n);
  EXPECT_DOUBLE_EQ(n->value, 0.9858);
  EXPECT_EQ(n->precision.kind, Precision::Kind::decimal);
  EXPECT_EQ(n->precision.decimals, 4);
  EXPECT_EQ(n->precision.significant_digits, 0);

  n = parse_number("0.9385166764259338");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->precision.decimals, 16);
  EXPECT_EQ(n->value, 0.9385166764259338);

  n = parse_number("3");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->value, 3.0);
  EXPECT_EQ(n->precision.decimals, 0);

  n = parse_number("-0.50");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->value, -0.5);
  EXPECT_EQ(n->precision.decimals, 2);

  n = parse_number("+.5");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->value, 0.5);
  EXPECT_EQ(n->precision.decimals, 1);
}

TEST(ParseNumber, ExponentFormSetsSignificantDigits) {
  // Keras prints "%.4e" below 1e-3: 5 mantissa digits, resolution 1e-8.
  auto n = parse_number("1.2345e-04");
  ASSERT_TRUE(n);
  EXPECT_DOUBLE_EQ(n->value, 1.2345e-4);
  EXPECT_EQ(n->precision.significant_digits, 5);
  EXPECT_EQ(n->precision.decimals, 8);

  // Python repr and tqdm's '.3g' with '-0' removed.
  n = parse_number("1e-5");
  ASSERT_TRUE(n);
  EXPECT_DOUBLE_EQ(n->value, 1e-5);
  EXPECT_EQ(n->precision.significant_digits, 1);
  EXPECT_EQ(n->precision.decimals, 5);

  n = parse_number("0.0000e+00");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->value, 0.0);
  EXPECT_EQ(n->precision.significant_digits, 5);
  EXPECT_EQ(n->precision.decimals, 4);

  n = parse_number("2.5E+03");
  ASSERT_TRUE(n);
  EXPECT_DOUBLE_EQ(n->value, 2500.0);
  EXPECT_EQ(n->precision.significant_digits, 2);
  EXPECT_EQ(n->precision.decimals, 0);  // clamped: resolution 100 is coarser than 1
}

TEST(ParseNumber, NonFinite) {
  auto n = parse_number("nan");
  ASSERT_TRUE(n);
  EXPECT_TRUE(std::isnan(n->value));
  n = parse_number("-Infinity");
  ASSERT_TRUE(n);
  EXPECT_TRUE(std::isinf(n->value));
  EXPECT_LT(n->value, 0.0);
  n = parse_number("inf");
  ASSERT_TRUE(n);
  EXPECT_GT(n->value, 0.0);
}

TEST(ParseNumber, RejectsLeftovers) {
  for (const char* bad : {"", "-", ".", "0.98x", "abc", "1e", "1e+", "1.2.3", " 1", "1 ", "0x10",
                          "--1", "nanx", "1,5"}) {
    EXPECT_FALSE(parse_number(bad)) << bad;
  }
}

TEST(ParseInteger, AcceptsIntegralFloats) {
  EXPECT_EQ(detail::parse_integer("42"), 42);
  EXPECT_EQ(detail::parse_integer("3.0"), 3);
  EXPECT_FALSE(detail::parse_integer("3.5"));
  EXPECT_FALSE(detail::parse_integer("x"));
  EXPECT_FALSE(detail::parse_integer(""));
}

TEST(SplitFromMetricName, PrefixesSuffixesAndWords) {
  EXPECT_EQ(split_from_metric_name("val_accuracy", Split::train), Split::val);
  EXPECT_EQ(split_from_metric_name("val/acc", Split::train), Split::val);
  EXPECT_EQ(split_from_metric_name("valid_f1", Split::train), Split::val);
  EXPECT_EQ(split_from_metric_name("validation_loss", Split::train), Split::val);
  EXPECT_EQ(split_from_metric_name("loss_val", Split::train), Split::val);
  EXPECT_EQ(split_from_metric_name("eval_loss", Split::train), Split::val);
  EXPECT_EQ(split_from_metric_name("test_acc", Split::train), Split::test);
  EXPECT_EQ(split_from_metric_name("train/loss", Split::val), Split::train);
  EXPECT_EQ(split_from_metric_name("train_acc_step", Split::val), Split::train);
  EXPECT_EQ(split_from_metric_name("metrics/val_acc", Split::train), Split::val);
  EXPECT_EQ(split_from_metric_name("Val_Loss", Split::train), Split::val);
  // Whole words only.
  EXPECT_EQ(split_from_metric_name("interval_loss", Split::train), Split::train);
  EXPECT_EQ(split_from_metric_name("value", Split::test), Split::test);
  EXPECT_EQ(split_from_metric_name("accuracy", Split::train), Split::train);
  EXPECT_EQ(split_from_metric_name("loss", Split::test), Split::test);
}

std::vector<detail::Record> records(const std::string& text, std::string_view delims,
                                    std::vector<std::string>* texts) {
  std::istringstream in(text);
  detail::RecordReader reader(in, "f", delims, std::size_t{64} << 20);
  std::vector<detail::Record> out;
  detail::Record r;
  while (reader.next(r)) {
    out.push_back(r);
    texts->emplace_back(r.text);
  }
  return out;
}

TEST(RecordReader, LinesOffsetsAndLastLineWithoutNewline) {
  std::vector<std::string> t;
  const auto r = records("ab\n\ncd\nef", "\n", &t);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(t, (std::vector<std::string>{"ab", "", "cd", "ef"}));
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[2].line, 3);
  EXPECT_EQ(r[2].offset, 4);
  EXPECT_EQ(r[3].line, 4);
  EXPECT_EQ(r[3].offset, 7);
  EXPECT_EQ(r[3].end, 0);
  EXPECT_EQ(r[0].end, '\n');
}

TEST(RecordReader, RedrawDelimitersCollapseAndKeepLineNumbers) {
  std::vector<std::string> t;
  const auto r = records("a\b\b\b\rbb\rccc\nd\r\ne", "\n\r\b", &t);
  EXPECT_EQ(t, (std::vector<std::string>{"a", "bb", "ccc", "d", "", "e"}));
  EXPECT_EQ(r[1].line, 1);
  EXPECT_EQ(r[1].offset, 5);
  EXPECT_EQ(r[2].line, 1);
  EXPECT_EQ(r[3].line, 2);
  EXPECT_EQ(r[5].line, 3);
}

TEST(RecordReader, LinesLongerThanTheBufferBlock) {
  // A 3 MiB line spans several 1 MiB refills.
  std::string big(3u << 20, 'x');
  std::vector<std::string> t;
  const auto r = records("head\n" + big + "\ntail\n", "\n", &t);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(t[1].size(), big.size());
  EXPECT_EQ(r[2].line, 3);
  EXPECT_EQ(r[2].offset, static_cast<std::int64_t>(5 + big.size() + 1));
}

TEST(RecordReader, OverlongLineIsAnInputError) {
  std::istringstream in("ok\n" + std::string(5000, 'y') + "\n");
  detail::RecordReader reader(in, "big.log", "\n", 1000);
  detail::Record r;
  ASSERT_TRUE(reader.next(r));
  const std::string msg = testing::input_error([&] { reader.next(r); });
  EXPECT_EQ(msg.rfind("big.log:2: line longer than 1000 bytes", 0), 0u) << msg;
}

TEST(SplitCsv, QuotingAsPythonWritesIt) {
  std::vector<std::string> cells;
  ASSERT_EQ(detail::split_csv("1,\"\"\"[0.1, 0.2]\"\"\",,x", ',', cells, "f", 1), 4u);
  EXPECT_EQ(cells[0], "1");
  EXPECT_EQ(cells[1], "\"[0.1, 0.2]\"");
  EXPECT_EQ(cells[2], "");
  EXPECT_EQ(cells[3], "x");
  ASSERT_EQ(detail::split_csv("a\tb", '\t', cells, "f", 1), 2u);
  EXPECT_EQ(cells[1], "b");
  ASSERT_EQ(detail::split_csv("", ',', cells, "f", 1), 1u);
  ASSERT_EQ(detail::split_csv("a,", ',', cells, "f", 1), 2u);

  std::string msg = testing::input_error([&] { detail::split_csv("a,\"b", ',', cells, "f", 7); });
  EXPECT_EQ(msg.rfind("f:7: unterminated quoted CSV field in column 2", 0), 0u) << msg;
  msg = testing::input_error([&] { detail::split_csv("\"a\"b,c", ',', cells, "f", 8); });
  EXPECT_EQ(msg.rfind("f:8: unexpected 'b' after the quoted field", 0), 0u) << msg;
}

TEST(ValidUtf8, AcceptsUtf8RejectsOthers) {
  std::size_t bad = 0;
  EXPECT_TRUE(detail::valid_utf8("plain ascii, long enough for the fast path", &bad));
  EXPECT_TRUE(detail::valid_utf8("bar ━━━ █ µs", &bad));
  EXPECT_FALSE(detail::valid_utf8("abc\xff", &bad));
  EXPECT_EQ(bad, 3u);
  EXPECT_FALSE(detail::valid_utf8("ab\xe2\x94", &bad));  // truncated sequence
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(detail::valid_utf8("\xc0\xaf", &bad));      // overlong '/'
  EXPECT_FALSE(detail::valid_utf8("\xed\xa0\x80", &bad));  // surrogate
}

TEST(StripAnsi, RemovesCsiSequences) {
  std::string scratch;
  EXPECT_EQ(detail::strip_ansi("\x1b[1m1875/1875\x1b[0m \x1b[32mX\x1b[0m\x1b[A", scratch),
            "1875/1875 X");
  EXPECT_EQ(detail::strip_ansi("no escapes", scratch), "no escapes");
  EXPECT_EQ(detail::strip_ansi("cut \x1b[3", scratch), "cut ");
}

TEST(WarningSink, CapsAndCounts) {
  std::vector<std::string> out;
  detail::WarningSink sink(out, "f.log", 2);
  sink.add(1, "one");
  sink.add(2, "two");
  sink.add(3, "three");
  sink.add(4, "four");
  sink.finish();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "f.log:1: one");
  EXPECT_EQ(out[2], "f.log: ... and 2 more warnings");
}

}  // namespace
}  // namespace metricaudit::audit
