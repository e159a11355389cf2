// Fixed-chunk parallel loop over rows with thread-private partial results and a
// deterministic "first error" rule: each thread walks its chunks in ascending
// order and stops at its first error; the error with the lowest row index wins,
// so the message is the same whatever the thread count.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <vector>

namespace metricaudit::detail {

/// Rows per chunk: about 256 KiB of scores, at least 64 rows.
inline std::int64_t chunk_rows(std::int64_t cols, std::int64_t element_size) {
  const std::int64_t bytes = std::max<std::int64_t>(1, cols * element_size);
  return std::max<std::int64_t>(64, (std::int64_t{1} << 18) / bytes);
}

/// Runs body(partial, begin, end) over [0, n) in chunks. make() builds one partial
/// per thread. Returns the partials in thread order. Rethrows the error of the
/// lowest row (bodies throw a RowError carrying the row).
struct RowError {
  std::int64_t row;
  std::exception_ptr error;
};

template <typename Partial, typename Make, typename Body>
std::vector<Partial> parallel_rows(std::int64_t n, std::int64_t chunk, int threads, Make make,
                                   Body body) {
  const std::int64_t chunks = (n + chunk - 1) / chunk;
  int t = threads > 0 ? threads : omp_get_max_threads();
  t = static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(t, chunks)));
  std::vector<Partial> partials;
  partials.reserve(static_cast<std::size_t>(t));
  for (int i = 0; i < t; ++i) partials.push_back(make());
  std::vector<RowError> errors(static_cast<std::size_t>(t),
                               RowError{std::numeric_limits<std::int64_t>::max(), nullptr});
#pragma omp parallel num_threads(t)
  {
    const int id = omp_get_thread_num();
    auto& mine = partials[static_cast<std::size_t>(id)];
    for (std::int64_t c = id; c < chunks; c += t) {
      const std::int64_t begin = c * chunk;
      const std::int64_t end = std::min(n, begin + chunk);
      try {
        body(mine, begin, end);
      } catch (const RowError& e) {
        errors[static_cast<std::size_t>(id)] = e;
        break;
      } catch (...) {
        errors[static_cast<std::size_t>(id)] = RowError{begin, std::current_exception()};
        break;
      }
    }
  }
  const auto first =
      std::min_element(errors.begin(), errors.end(),
                       [](const RowError& a, const RowError& b) { return a.row < b.row; });
  if (first->error) std::rethrow_exception(first->error);
  return partials;
}

}  // namespace metricaudit::detail
