// The log-format registry: one row per format, and what reads it.
#include "metricaudit/audit/log_formats.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "support.hpp"

namespace metricaudit::audit {
namespace {

TEST(LogFormats, EveryRowIsComplete) {
  std::set<std::string_view> names;
  for (const LogFormat& row : log_formats()) {
    const LogFormat* f = &row;
    EXPECT_FALSE(f->name.empty());
    EXPECT_TRUE(names.insert(f->name).second) << "two rows named " << f->name;
    EXPECT_NE(f->sniff, nullptr) << f->name;
    EXPECT_NE(f->read, nullptr) << f->name;
    EXPECT_FALSE(f->looks_like.empty()) << f->name;
    EXPECT_FALSE(f->called.empty()) << f->name;
    EXPECT_GE(f->rank, 0) << f->name;
    EXPECT_EQ(find_log_format(f->name), f);
  }
  EXPECT_EQ(find_log_format("auto"), nullptr);
  EXPECT_EQ(find_log_format("yaml"), nullptr);
}

TEST(LogFormats, NamesAndDescriptionsComeFromTheRows) {
  std::string joined;
  for (const LogFormat& f : log_formats()) {
    joined += (joined.empty() ? "" : ", ") + std::string(f.name);
  }
  EXPECT_EQ(log_format_names(), joined);
  // Two rows that look alike (both CSV loggers) are named once.
  const std::string looks = log_format_looks();
  EXPECT_EQ(looks.find("a CSV header"), looks.rfind("a CSV header"));
  EXPECT_NE(looks.find(" or "), std::string::npos);
}

TEST(LogFormats, TextRowsReadThroughReadTextLog) {
  // Each text row reads its own fixture through read_text_log and names itself.
  const std::pair<const char*, const char*> fixtures[] = {
      {"keras-progress", "keras2_progress.log"},
      {"keras-csv", "keras_csvlogger.csv"},
      {"lightning-csv", "lightning_metrics.csv"},
      {"tqdm", "lightning_tqdm.log"},
      {"jsonl", "metrics.jsonl"}};
  for (const auto& [format, file] : fixtures) {
    const std::string path = testing::fixture(file);
    EXPECT_EQ(detect_log_format(path), format);
    const LoggedRun run = read_text_log(path, format);
    EXPECT_EQ(run.format, format);
    EXPECT_FALSE(run.points.empty()) << format;
    const std::vector<LoggedRun> runs = read_log(path);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].format, format);
    EXPECT_EQ(runs[0].file, path);
    EXPECT_EQ(runs[0].points.size(), run.points.size());
  }
}

TEST(LogFormats, EarliestEvidenceWinsThenPrecedence) {
  // A CSV header on the first line beats a Keras bar on a later one.
  EXPECT_EQ(detect_log_format("epoch,loss\n1875/1875 [====] - 5s - loss: 0.1\n", "x"), "keras-csv");
  // A Keras header before a tqdm bar, and the other way round.
  EXPECT_EQ(detect_log_format("Epoch 1/2\nEpoch 0: 100%|##| 5/5 [00:01<00:00]\n", "x"),
            "keras-progress");
  EXPECT_EQ(detect_log_format("Epoch 0: 100%|##| 5/5 [00:01<00:00]\nEpoch 1/2\n", "x"), "tqdm");
  // A "tfevents" name wins over any content.
  EXPECT_EQ(detect_log_format("{\"epoch\": 0}\n", "events.out.tfevents.1"), "tensorboard");
}

TEST(LogFormats, ReadLogRefusesUnknownFormats) {
  EXPECT_THROW(read_log(testing::fixture("metrics.jsonl"), "yaml"), InvalidArgument);
}

}  // namespace
}  // namespace metricaudit::audit
