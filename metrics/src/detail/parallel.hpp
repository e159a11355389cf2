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
#include <string>
#include <vector>

#include "metricaudit/error.hpp"

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

/// The first row of [begin, end) whose body throws, as a RowError; an ExactSum range error
/// becomes a ValueRangeError that names the argument and the row. `original` is what the
/// chunk threw (kept should no single row throw again).
template <typename Partial, typename Make, typename Body>
RowError locate_range_error(std::int64_t begin, std::int64_t end, Make& make, Body& body,
                            std::exception_ptr original) {
  for (std::int64_t row = begin; row < end; ++row) {
    Partial scratch = make();
    try {
      body(scratch, row, row + 1);
    } catch (const RowError& e) {
      return e;
    } catch (const ValueRangeError&) {
      return RowError{row, std::make_exception_ptr(ValueRangeError(
                               "preds: expected scores whose loss terms, times sample_weight, "
                               "stay below 2^160 in magnitude (the range of exact sums), got a "
                               "larger term at index " +
                               std::to_string(row)))};
    }
  }
  return RowError{begin, original};
}

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
      } catch (const ValueRangeError&) {
        // ExactSum refused a finite term of magnitude 2^160 or more (scores far apart,
        // a huge weight): the error path re-runs the chunk row by row to name the row.
        errors[static_cast<std::size_t>(id)] =
            locate_range_error<Partial>(begin, end, make, body, std::current_exception());
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
