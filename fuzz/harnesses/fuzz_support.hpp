// Shared by the libFuzzer harnesses: the invariants every successful read must keep.
// A harness catches only the exception its API documents for bad input (InputError for
// readers, InvalidArgument and its subclasses for the core); anything else escapes and
// libFuzzer reports it as a crash, as it does for ASan/UBSan reports, leaks, allocations
// over -malloc_limit_mb and inputs slower than -timeout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "metricaudit/audit/logged_series.hpp"

namespace metricaudit::fuzz {

[[noreturn]] inline void violated(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n  %.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) violated(what, detail);
}

/// What every reader promises of a LoggedRun it returns.
inline void check_run(const audit::LoggedRun& run, std::string_view file, bool text) {
  check(run.file == file, "LoggedRun::file is the name given");
  check(run.metric_files.empty(), "a one-file log keeps no per-metric files");
  for (const audit::LoggedPoint& p : run.points) {
    check(p.metric_id < run.metrics.size(), "LoggedPoint::metric_id indexes the run's names");
    check(run.file_of(p) == file, "a point's file is the name given");
    check(p.split == audit::Split::train || p.split == audit::Split::val ||
              p.split == audit::Split::test,
          "LoggedPoint::split is train, val or test");
    check(!run.metric(p).empty() || !text, "a text log's point has a metric name");
    check(p.offset >= 0, "LoggedPoint::offset >= 0");
    if (text) {
      check(p.line >= 1, "a text log's point has a 1-based line");
      check(p.precision.decimals >= 0, "decimals >= 0");
    } else {
      check(p.line == 0, "a binary log's point has line 0");
    }
  }
}

/// The input as text (the readers take bytes, any bytes).
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace metricaudit::fuzz
