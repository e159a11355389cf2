// Multi-megabyte generated logs: every point against what was written (value as strtod
// reads the text, name, split, epoch/step, line and byte offset). These cover what the
// small fixtures cannot: lines straddling the reader's 1 MiB blocks, the point vector
// reserved from the first MiB's rate, the same file through a stream that cannot seek,
// and the JSON lines fast path beside nlohmann's (escaped keys, NaN, nesting).
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "csv.hpp"
#include "numbers.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::read_string;

// A stream over a string that cannot seek (tellg gives -1), as a pipe would be.
class PipeBuf : public std::streambuf {
 public:
  explicit PipeBuf(const std::string& text) : text_(text) {}

 protected:
  int_type underflow() override {
    if (at_ >= text_.size()) return traits_type::eof();
    // Small, odd-sized chunks, so records straddle many refills.
    const std::size_t n = std::min<std::size_t>(4093, text_.size() - at_);
    char* p = const_cast<char*>(text_.data() + at_);
    setg(p, p, p + n);
    at_ += n;
    return traits_type::to_int_type(*p);
  }

 private:
  const std::string& text_;
  std::size_t at_ = 0;
};

LoggedRun read_unseekable(const std::string& text, std::string_view format) {
  PipeBuf buf(text);
  std::istream in(&buf);
  return read_text_log(in, "mem.log", format);
}

struct Expected {
  std::string metric;
  std::string split;
  std::optional<std::int64_t> epoch;
  std::optional<std::int64_t> step;
  std::string text;  // the value as written
  std::int64_t line = 0;
  std::int64_t offset = 0;
};

void expect_points(const LoggedRun& run, const std::vector<Expected>& want) {
  ASSERT_EQ(run.points.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const LoggedPoint& p = run.points[i];
    const Expected& w = want[i];
    SCOPED_TRACE("point " + std::to_string(i) + " '" + w.text + "' line " + std::to_string(w.line));
    ASSERT_EQ(run.metric(p), w.metric);
    ASSERT_EQ(split_name(p.split), w.split);
    ASSERT_EQ(p.epoch, w.epoch);
    ASSERT_EQ(p.step, w.step);
    const double v = std::strtod(w.text.c_str(), nullptr);  // glibc: correctly rounded
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(p.value));
    } else {
      ASSERT_EQ(std::memcmp(&p.value, &v, sizeof v), 0) << p.value << " vs " << v;
    }
    ASSERT_EQ(run.file_of(p), "mem.log");
    ASSERT_EQ(p.line, w.line);
    ASSERT_EQ(p.offset, w.offset);
  }
}

// A logged value in one of the forms Keras, Lightning and json.dumps print.
std::string value_text(std::mt19937_64& rng) {
  char buf[64];
  const double x = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  switch (rng() % 8) {
    case 0:
      std::snprintf(buf, sizeof buf, "%.4f", x);  // Keras progress-bar style
      break;
    case 1:
      std::snprintf(buf, sizeof buf, "%.17g", x);  // repr of a float64
      break;
    case 2:
      std::snprintf(buf, sizeof buf, "%.4e", x * 1e-3);  // Keras's small values
      break;
    case 3:
      std::snprintf(buf, sizeof buf, "0.%016llu",  // 16 digits, some above 2^53
                    static_cast<unsigned long long>(rng() % 10000000000000000ULL));
      break;
    case 4:
      std::snprintf(buf, sizeof buf, "%.9g", x * 1e6);
      break;
    case 5:
      std::snprintf(buf, sizeof buf, "%.22f", x);  // more digits than the fast path takes
      break;
    case 6:
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(rng() % 100000));
      break;
    default:
      std::snprintf(buf, sizeof buf, "%.6e", x * 1e30);
      break;
  }
  return buf;
}

TEST(LargeInputs, KerasCsvEveryPoint) {
  std::mt19937_64 rng(11);
  const char* names[] = {"accuracy", "loss", "val_accuracy", "val_loss"};
  std::string text = "epoch,accuracy,loss,val_accuracy,val_loss\r\n";
  std::vector<Expected> want;
  std::int64_t line = 2;
  for (std::int64_t e = 0; text.size() < (std::size_t{5} << 20); ++e, ++line) {
    const auto offset = static_cast<std::int64_t>(text.size());
    text += std::to_string(e);
    for (int c = 0; c < 4; ++c) {
      text += ',';
      if (c == 3 && e % 97 == 5) {
        text += "NA";
        continue;
      }
      const std::string v = value_text(rng);
      text += v;
      want.push_back({names[c], c >= 2 ? "val" : "train", e, std::nullopt, v, line, offset});
    }
    text += "\r\n";
  }
  const LoggedRun run = read_string(text, "keras-csv");
  expect_points(run, want);
  for (const LoggedPoint& p : run.points) ASSERT_EQ(p.running_mean, p.split == Split::train);
  EXPECT_TRUE(run.warnings.empty());
  expect_points(read_unseekable(text, "keras-csv"), want);
}

TEST(LargeInputs, LightningCsvSparseRowsEveryPoint) {
  std::mt19937_64 rng(12);
  // A quoted header cell with a doubled quote, as Python's csv writes a name holding one.
  const std::vector<std::string> names = {"train_acc_step", "train_loss_epoch", "val/acc",
                                          "lr-Adam", "a\"b"};
  std::string text = "epoch,step,train_acc_step,train_loss_epoch,val/acc,lr-Adam,\"a\"\"b\"\n";
  std::vector<Expected> want;
  std::int64_t line = 2;
  for (std::int64_t step = 0; text.size() < (std::size_t{4} << 20); ++step, ++line) {
    const auto offset = static_cast<std::int64_t>(text.size());
    const std::int64_t epoch = step / 1000;
    std::optional<std::int64_t> e = epoch;
    std::optional<std::int64_t> s = step;
    if (step % 89 == 3) {
      e.reset();
      text += ',';
    } else {
      text += std::to_string(epoch) + ',';
    }
    if (step % 101 == 7) {
      s.reset();
    } else {
      text += step % 3 == 0 ? std::to_string(step) + ".0" : std::to_string(step);
    }
    for (std::size_t c = 0; c < names.size(); ++c) {
      text += ',';
      const auto pick = rng() % 4;
      if (pick == 0) continue;  // this call did not log that name
      const std::string v = value_text(rng);
      text += pick == 1 ? "\"" + v + "\"" : v;
      const std::string split = names[c].starts_with("val") ? "val" : "train";
      want.push_back({names[c], split, e, s, v, line, offset});
    }
    text += '\n';
  }
  const LoggedRun run = read_string(text, "lightning-csv");
  expect_points(run, want);
  for (const LoggedPoint& p : run.points)
    ASSERT_EQ(p.per_step, run.metric(p) != "train_loss_epoch" && p.split == Split::train)
        << run.metric(p);
  expect_points(read_unseekable(text, "lightning-csv"), want);
}

TEST(LargeInputs, JsonLinesFastPathAndFallbackEveryPoint) {
  std::mt19937_64 rng(13);
  std::string text;
  std::vector<Expected> want;
  std::int64_t line = 1;
  for (std::int64_t step = 0; text.size() < (std::size_t{4} << 20); ++step, ++line) {
    const auto offset = static_cast<std::int64_t>(text.size());
    const std::int64_t epoch = step / 500;
    std::string l = "{\"epoch\": " + std::to_string(epoch) + ", \"step\": " + std::to_string(step);
    const std::string loss = value_text(rng);
    const std::string acc = value_text(rng);
    const std::string inner = value_text(rng);
    l += ", \"loss\": " + loss;
    switch (step % 5) {
      case 0:  // plain: the fast path
        l += ", \"val_acc\": " + acc;
        want.push_back({"loss", "train", epoch, step, loss, line, offset});
        want.push_back({"val_acc", "val", epoch, step, acc, line, offset});
        break;
      case 1:  // an escaped key: nlohmann's path
        l += ", \"val\\u005facc\": " + acc;
        want.push_back({"loss", "train", epoch, step, loss, line, offset});
        want.push_back({"val_acc", "val", epoch, step, acc, line, offset});
        break;
      case 2:  // nesting, a skipped array, strings and literals
        l += ", \"test\": {\"acc\": " + acc + ", \"cm\": [[1, 2], [3, 4]]}, \"note\": \"x\"" +
             ", \"ok\": true, \"none\": null";
        want.push_back({"loss", "train", epoch, step, loss, line, offset});
        want.push_back({"test/acc", "test", epoch, step, acc, line, offset});
        break;
      case 3:  // bare NaN: the rewritten line
        l += ", \"val_acc\": NaN";
        want.push_back({"loss", "train", epoch, step, loss, line, offset});
        want.push_back({"val_acc", "val", epoch, step, "nan", line, offset});
        break;
      default:  // a split key naming the split of unprefixed names, after them
        l += ", \"acc\": " + inner + ", \"split\": \"validation\"";
        want.push_back({"loss", "val", epoch, step, loss, line, offset});
        want.push_back({"acc", "val", epoch, step, inner, line, offset});
        break;
    }
    l += "}\n";
    text += l;
  }
  const LoggedRun run = read_string(text, "jsonl");
  expect_points(run, want);
  EXPECT_TRUE(run.warnings.empty());
  expect_points(read_unseekable(text, "jsonl"), want);
}

// The exact fast path of parse_number against from_chars on many printed forms.
TEST(LargeInputs, ParseNumberMatchesFromChars) {
  std::mt19937_64 rng(14);
  std::vector<std::string> texts = {"9007199254740992",
                                    "9007199254740993",
                                    "9007199254740993.0",
                                    "0.9007199254740993",
                                    "1e22",
                                    "1e23",
                                    "123456789e-22",
                                    "1234567890123456789",
                                    "0.0000000000000000000001",
                                    "-0.0",
                                    "5e-324"};
  for (int k = 0; k < 200000; ++k) {
    texts.push_back(value_text(rng));
    char buf[64];
    std::snprintf(
        buf, sizeof buf, "%llu.%llue%d", static_cast<unsigned long long>(rng() % 100000000000ULL),
        static_cast<unsigned long long>(rng() % 100000000ULL), static_cast<int>(rng() % 60) - 30);
    texts.emplace_back(buf);
  }
  for (const std::string& t : texts) {
    const auto parsed = detail::parse_number(t);
    ASSERT_TRUE(parsed) << t;
    double ref = 0.0;
    const auto res = std::from_chars(t.data(), t.data() + t.size(), ref);
    ASSERT_EQ(res.ptr, t.data() + t.size()) << t;
    if (res.ec != std::errc()) continue;  // out of range: not the fast path's
    ASSERT_EQ(std::memcmp(&parsed->value, &ref, sizeof ref), 0) << t;
  }
}

TEST(LargeInputs, SplitCsvManyDoubledQuotes) {
  // More unescaped cells than the splitter keeps inline, in a buffer that grows.
  std::string line;
  std::vector<std::string> expected;
  for (int c = 0; c < 40; ++c) {
    const std::string cell =
        std::string(static_cast<std::size_t>(c * 3), 'x') + "\"q\"" + std::to_string(c);
    expected.push_back(c % 2 == 0 ? cell : std::to_string(c));
    if (c > 0) line += ',';
    if (c % 2 == 0) {
      line += "\"";
      for (char ch : cell) line += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      line += "\"";
    } else {
      line += std::to_string(c);
    }
  }
  std::vector<std::string_view> cells;
  std::string unescaped;
  ASSERT_EQ(detail::split_csv(line, ',', cells, unescaped, "f", 1), expected.size());
  for (std::size_t c = 0; c < expected.size(); ++c) EXPECT_EQ(cells[c], expected[c]) << c;
  std::vector<std::string> owned;
  ASSERT_EQ(detail::split_csv(line, ',', owned, "f", 1), expected.size());
  for (std::size_t c = 0; c < expected.size(); ++c) EXPECT_EQ(owned[c], expected[c]) << c;
}

}  // namespace
}  // namespace metricaudit::audit
