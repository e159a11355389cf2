// torch.topk's choice among tied scores, reproduced. Shared by the CPU pass and
// the GPU backend's host-side fix-up of rows whose target ties across the k
// boundary. Implementation detail: not part of the stable API.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace metricaudit::detail {

/// torch.topk(row, k, largest=True) on CPU: calls visit(index) for each of the k
/// classes it keeps, in the order it leaves them (not sorted: callers count).
/// aten/src/ATen/native/TopKImpl.h (topk_impl_loop): (value, index) pairs,
/// values compared only (in the accumulation type: double for float),
/// std::partial_sort when k * 64 <= C, else std::nth_element at k - 1. Running the
/// same libstdc++ calls leaves the same elements in front (checked against torch
/// 1.13 on tie-heavy rows: tests/golden/FINDINGS.md). Scores must hold no NaN.
template <typename T, typename Visit>
void torch_topk_visit(const T* row, std::int64_t classes, std::int64_t k, Visit&& visit) {
  thread_local std::vector<std::pair<double, std::int64_t>> queue;
  queue.resize(static_cast<std::size_t>(classes));
  for (std::int64_t c = 0; c < classes; ++c) {
    queue[static_cast<std::size_t>(c)] = {static_cast<double>(row[c]), c};
  }
  auto greater = [](const auto& x, const auto& y) { return x.first > y.first; };
  if (k * 64 <= classes) {
    std::partial_sort(queue.begin(), queue.begin() + k, queue.end(), greater);
  } else {
    std::nth_element(queue.begin(), queue.begin() + (k - 1), queue.end(), greater);
  }
  for (std::int64_t i = 0; i < k; ++i) visit(queue[static_cast<std::size_t>(i)].second);
}

/// Whether torch.topk(row, k) on CPU keeps class `target` (torch_topk_visit).
template <typename T>
bool torch_topk_contains(const T* row, std::int64_t classes, std::int64_t k, std::int64_t target) {
  bool found = false;
  torch_topk_visit(row, classes, k, [&](std::int64_t c) { found = found || c == target; });
  return found;
}

}  // namespace metricaudit::detail
