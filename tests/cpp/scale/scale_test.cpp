// Scale limits of the core and the text readers, measured:
//
// - CountsStayExactPastTwoToThe31: 513 update() calls over one reused (2^22, 2) float32
//   buffer, 2^31 + 2^22 rows in all, never more than 48 MB of input in memory; every
//   count (samples, per-class tp/predicted/support, the three rank histograms, top-k hits,
//   the element-wise count) equals 513 x the count of one buffer.
//   Loss families are off so a row costs a few nanoseconds (~15 s on 2 cores, release).
// - HundredThousandClasses: C = 100,000 with every loss family and top-5; the peak RSS
//   growth of building the state and one update is O(C) (measured against a 1 GiB bound;
//   a C x C int64 matrix alone would be 80 GB), and the confusion matrix is refused.
// - LogStreamedInBoundedMemory: a Keras progress capture synthesised on the fly by a
//   std::streambuf (never stored) is read through read_text_log's istream overload; its
//   peak RSS growth stays under 64 MiB. 1 GiB in CI (~2-4 s); METRICAUDIT_SCALE_LOG_BYTES
//   sets the size (10737418240 for the 10 GB run by hand).
//
// Peak RSS is VmHWM from /proc/self/status, reset first through /proc/self/clear_refs
// ("5"), so each test measures its own peak.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <istream>
#include <numeric>
#include <streambuf>
#include <string>
#include <vector>

#include "metricaudit/audit/text_log_readers.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit {
namespace {

std::int64_t status_kib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::atoll(line.c_str() + std::strlen(key));
  }
  return -1;
}

// Resets the peak RSS to the current RSS (Linux >= 4.0); returns the current RSS in KiB.
std::int64_t reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
  return status_kib("VmRSS:");
}

std::int64_t peak_rss_kib() {
  return status_kib("VmHWM:");
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(Scale, CountsStayExactPastTwoToThe31) {
  constexpr std::int64_t kRows = std::int64_t{1} << 22;
  constexpr std::int64_t kBatches = 513;  // 2^31 + 2^22 rows
  constexpr std::int64_t kC = 2;
  std::vector<std::int32_t> target(kRows);
  std::vector<float> scores(kRows * kC);
  for (std::int64_t i = 0; i < kRows; ++i) {
    // A cheap deterministic pattern with ties (rows where i % 7 == 3 tie at 0.5).
    const auto y = static_cast<std::int32_t>((i * 2654435761u >> 7) & 1);
    target[i] = y;
    const float a = static_cast<float>(i % 5) / 4.0f;
    scores[i * kC] = i % 7 == 3 ? 0.5f : a;
    scores[i * kC + 1] = i % 7 == 3 ? 0.5f : 1.0f - a;
  }
  StateOptions o;
  o.num_classes = kC;
  o.losses = {};  // no transcendental work: this test is about the counts
  o.smoothing_terms = false;
  const MulticlassBatch batch{
      ArrayView::vector(target.data(), kRows), ArrayView::matrix(scores.data(), kRows, kC), {}, {}};
  const SufficientState one = evaluate(batch, o);

  SufficientState all(o);
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t b = 0; b < kBatches; ++b) update(all, batch);
  const double took = seconds_since(start);
  std::printf("[ scale ] %lld rows in %lld updates: %.1f s (%.2f ns/row)\n",
              static_cast<long long>(kRows * kBatches), static_cast<long long>(kBatches), took,
              took * 1e9 / static_cast<double>(kRows * kBatches));

  const std::int64_t total = kRows * kBatches;
  ASSERT_GT(total, std::int64_t{1} << 31);
  EXPECT_EQ(all.samples, total);
  EXPECT_EQ(all.batches, kBatches);
  for (std::size_t c = 0; c < static_cast<std::size_t>(kC); ++c) {
    EXPECT_EQ(all.tp[c], kBatches * one.tp[c]);
    EXPECT_EQ(all.predicted[c], kBatches * one.predicted[c]);
    EXPECT_EQ(all.support[c], kBatches * one.support[c]);
    for (int r = 0; r < kTieRules; ++r) {
      EXPECT_EQ(all.rank_histogram[r][c], kBatches * one.rank_histogram[r][c]);
    }
    EXPECT_EQ(all.topk_hits_by_class[0][c], kBatches * one.topk_hits_by_class[0][c]);
  }
  EXPECT_EQ(std::accumulate(all.support.begin(), all.support.end(), std::int64_t{0}), total);
  EXPECT_EQ(all.elementwise_correct, kBatches * one.elementwise_correct);
  EXPECT_GT(all.elementwise_correct, std::int64_t{1} << 31);
  // The reading is the exact ratio of the exact counts, rounded once.
  const double expected = static_cast<double>(one.tp[0] + one.tp[1]) / static_cast<double>(kRows);
  bool found = false;
  for (const Candidate& c : catalogue(all, MetricKind::accuracy)) {
    if (c.id == "accuracy.micro") {
      EXPECT_DOUBLE_EQ(c.value, expected);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Scale, HundredThousandClassesWithoutQuadraticMemory) {
  constexpr std::int64_t kC = 100'000;
  constexpr std::int64_t kRows = 32;
  std::vector<std::int64_t> target(kRows);
  std::vector<float> scores(kRows * kC);
  for (std::int64_t i = 0; i < kRows; ++i) {
    target[i] = (i * 7919) % kC;
    for (std::int64_t c = 0; c < kC; ++c) {
      scores[i * kC + c] = static_cast<float>((c * 31 + i) % 1000) / 1000.0f;
    }
  }
  const std::int64_t before = reset_peak_rss();
  StateOptions o;
  o.num_classes = kC;  // every loss family, smoothing terms, top-1 and top-5
  SufficientState s(o);
  update(s, MulticlassBatch{ArrayView::vector(target.data(), kRows),
                            ArrayView::matrix(scores.data(), kRows, kC),
                            {},
                            {}});
  const std::int64_t growth_kib = peak_rss_kib() - before;
  std::printf("[ scale ] C = %lld: peak RSS growth %.1f MiB (state + one update)\n",
              static_cast<long long>(kC), static_cast<double>(growth_kib) / 1024.0);
  EXPECT_EQ(s.samples, kRows);
  EXPECT_LT(growth_kib, 1024 * 1024) << "C x C memory? growth " << growth_kib << " KiB";
  EXPECT_FALSE(catalogue(s, MetricKind::accuracy).empty());

  StateOptions with_matrix = o;
  with_matrix.confusion_matrix = true;
  try {
    SufficientState refused(with_matrix);
    FAIL() << "a 100,000^2 confusion matrix was allocated";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "confusion_matrix: C x C = 100000^2 cells exceeds the limit of 2^26; read "
                 "per-class counts instead");
  }
}

// A Keras 3 progress capture of `bytes` bytes, made as it is read: epochs of many
// intermediate "\r" redraws (which the reader passes over) ended by a final bar.
class SyntheticKerasLog : public std::streambuf {
 public:
  explicit SyntheticKerasLog(std::uint64_t bytes) : total_(bytes) {
    std::string redraw =
        "   5000/100000 [=======>......................] - ETA: 1:23 - accuracy: 0.7012 - "
        "loss: 0.5123\r";
    while (block_.size() + redraw.size() <= (std::size_t{1} << 20)) block_ += redraw;
  }
  std::uint64_t produced() const { return produced_; }
  std::int64_t epochs() const { return epoch_; }

 protected:
  int_type underflow() override {
    if (produced_ >= total_) return traits_type::eof();
    // Each epoch: header, blocks of redraws, final bar. 64 MiB of redraws per epoch.
    if (in_epoch_ == 0) {
      ++epoch_;
      current_ = "Epoch " + std::to_string(epoch_) + "/100000\n";
      in_epoch_ = 1;
    } else if (in_epoch_ <= 64 && produced_ + block_.size() + 256 < total_) {
      current_ = block_;
      ++in_epoch_;
    } else {
      current_ =
          "100000/100000 [==============================] - 5s 1ms/step - accuracy: 0.7500 - "
          "loss: 0.5000 - val_accuracy: 0.8125 - val_loss: 0.4375\n";
      in_epoch_ = 0;
    }
    produced_ += current_.size();
    setg(current_.data(), current_.data(), current_.data() + current_.size());
    return traits_type::to_int_type(current_[0]);
  }

 private:
  std::uint64_t total_;
  std::uint64_t produced_ = 0;
  std::string block_;
  std::string current_;
  int in_epoch_ = 0;
  std::int64_t epoch_ = 0;
};

TEST(Scale, LogStreamedInBoundedMemory) {
  std::uint64_t bytes = std::uint64_t{1} << 30;
  if (const char* env = std::getenv("METRICAUDIT_SCALE_LOG_BYTES")) {
    bytes = std::strtoull(env, nullptr, 10);
  }
  const std::int64_t before = reset_peak_rss();
  SyntheticKerasLog log(bytes);
  std::istream in(&log);
  const auto start = std::chrono::steady_clock::now();
  const audit::LoggedRun run = audit::read_text_log(in, "synthetic.log", "keras-progress");
  const double took = seconds_since(start);
  const std::int64_t growth_kib = peak_rss_kib() - before;
  std::printf(
      "[ scale ] %.2f GB Keras log: %.1f s (%.0f MB/s), %zu points, peak RSS growth "
      "%.1f MiB\n",
      static_cast<double>(log.produced()) / 1e9, took,
      static_cast<double>(log.produced()) / 1e6 / took, run.points.size(),
      static_cast<double>(growth_kib) / 1024.0);
  EXPECT_GE(log.produced(), bytes);
  // Four metrics per final bar; the intermediate redraws leave nothing behind.
  EXPECT_EQ(static_cast<std::int64_t>(run.points.size()), 4 * log.epochs());
  EXPECT_LT(growth_kib, 64 * 1024) << "the reader's memory grew with the log";
}

}  // namespace
}  // namespace metricaudit
