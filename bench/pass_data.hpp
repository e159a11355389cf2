// The benchmark's N x C logits, shared by bench_pass (Google Benchmark) and
// pass_profile (one pass, for callgrind): generated in memory from a seeded hash,
// never read from disk, so every program and every run sees the same bytes.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "metricaudit/sufficient_state.hpp"

namespace metricaudit::bench {

constexpr std::int64_t kMaxBatchBytes = std::int64_t{1} << 30;

inline std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Logit-like scores: the sum of two uniforms in [-4, 4), plus 3 at the target for
// about 70% of rows, so argmax is right most of the time as in a trained model.
template <typename T>
struct Data {
  std::int64_t rows = 0, cols = 0, repeats = 1;
  std::vector<T> scores;
  std::vector<std::int64_t> target;
  Data(std::int64_t n, std::int64_t c) : cols(c) {
    const std::int64_t row_bytes = c * static_cast<std::int64_t>(sizeof(T));
    rows = std::min<std::int64_t>(n, std::max<std::int64_t>(1, kMaxBatchBytes / row_bytes));
    while (n % rows != 0) --rows;
    repeats = n / rows;
    scores.resize(static_cast<std::size_t>(rows * c));
    target.resize(static_cast<std::size_t>(rows));
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < rows; ++i) {
      std::uint64_t s = static_cast<std::uint64_t>(i) * 0x2545F4914F6CDD1DULL + 1;
      const auto y = static_cast<std::int64_t>(splitmix(s) % static_cast<std::uint64_t>(c));
      target[static_cast<std::size_t>(i)] = y;
      const bool boost = splitmix(s) % 10 < 7;
      T* row = scores.data() + i * c;
      for (std::int64_t j = 0; j < c; ++j) {
        const std::uint64_t r = splitmix(s);
        const double u = static_cast<double>(r >> 40) / double(1 << 24) +
                         static_cast<double>((r >> 16) & 0xFFFFFF) / double(1 << 24);
        row[j] = static_cast<T>(4.0 * (u - 1.0));
      }
      if (boost) row[y] = static_cast<T>(static_cast<double>(row[y]) + 3.0);
    }
  }
  metricaudit::MulticlassBatch batch() const {
    metricaudit::MulticlassBatch b;
    b.target = metricaudit::ArrayView::vector(target.data(), rows);
    b.scores = metricaudit::ArrayView::matrix(scores.data(), rows, cols);
    return b;
  }
};

}  // namespace metricaudit::bench
