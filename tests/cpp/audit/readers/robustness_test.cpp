// Never hang, never crash: every prefix of every fixture, and deterministic random bytes,
// either read or throw InputError (and the message names the file and a line).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::fixture;

const std::vector<std::string> kFormats = {"keras-progress", "keras-csv", "lightning-csv", "tqdm",
                                           "jsonl"};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reads `text` in `format`; an InputError must start with "name:<digits>: ".
void read_or_input_error(const std::string& text, const std::string& format) {
  try {
    (void)testing::read_string(text, format, "fuzz.log");
  } catch (const InputError& e) {
    const std::string msg = e.what();
    ASSERT_EQ(msg.rfind("fuzz.log:", 0), 0u) << msg;
    std::size_t i = 9;
    while (i < msg.size() && msg[i] >= '0' && msg[i] <= '9') ++i;
    ASSERT_GT(i, 9u) << msg;
    ASSERT_EQ(msg.substr(i, 2), ": ") << msg;
  }
}

TEST(Robustness, EveryPrefixOfEveryFixtureInEveryFormat) {
  for (const char* name :
       {"keras2_progress.log", "keras3_progress.log", "keras_csvlogger.csv",
        "lightning_metrics.csv", "lightning_tqdm.log", "metrics.jsonl", "keras_csv_badutf8.csv"}) {
    const std::string text = slurp(fixture(name));
    ASSERT_FALSE(text.empty()) << name;
    for (std::size_t n = 0; n <= text.size(); n += 3) {
      for (const auto& format : kFormats) read_or_input_error(text.substr(0, n), format);
    }
  }
}

TEST(Robustness, RandomBytes) {
  std::mt19937 rng(12345);
  // Bytes biased towards the characters the parsers branch on.
  const std::string alphabet = "0123456789.-e: /,;\t\r\n\b[]{}\"=|%Epochval_NA\x1b\xE2\x94\x81\xff";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> len(0, 300);
  for (int trial = 0; trial < 400; ++trial) {
    std::string text;
    const std::size_t n = len(rng);
    for (std::size_t i = 0; i < n; ++i) text.push_back(alphabet[pick(rng)]);
    for (const auto& format : kFormats) read_or_input_error(text, format);
    try {
      (void)detect_log_format(text, "fuzz.log");
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.log", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace metricaudit::audit
