// Zero and subnormal scores: the only cells a flush-to-zero cast (Keras 3 on jax, CPU)
// or Keras' argmax rule (a negative zero ranked below +0) can change. The passes report
// the rows holding one when update() is asked (its `tiny_rows`), so that the Python
// Evaluator keeps its score-cast counts without a scan of its own. The float32 row
// kernels fold the test into the sweep that loads the scores (RowResult::tiny); the
// scalar test here serves the other paths.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace metricaudit::detail {

/// |x| below the smallest normal of T: a zero (of either sign) or a subnormal. Not nan.
template <typename T>
bool is_tiny(T x) {
  return std::abs(x) < std::numeric_limits<T>::min();
}

/// Whether row[0, C) holds a zero or a subnormal.
template <typename T>
bool row_has_tiny(const T* row, std::int64_t C) {
  bool tiny = false;
  for (std::int64_t c = 0; c < C; ++c) tiny |= is_tiny(row[c]);  // no branch per score
  return tiny;
}

/// The threads' lists of rows (each ascending: a thread walks its chunks in order) as
/// one ascending list, the same whatever the thread count.
template <typename Partials>
std::vector<std::int64_t> merged_tiny_rows(const Partials& partials) {
  std::vector<std::int64_t> rows;
  for (const auto& p : partials) rows.insert(rows.end(), p.tiny_rows.begin(), p.tiny_rows.end());
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace metricaudit::detail
