// Shared test helpers for the text log readers.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "metricaudit/audit/text_log_readers.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit::testing {

/// Path of a fixture in tests/data/logs.
std::string fixture(std::string_view name);

/// Reads in-memory text as if it were the file `name`.
LoggedRun read_string(const std::string& text, std::string_view format,
                      std::string_view name = "mem.log", const TextLogOptions& options = {});

/// The message of the InputError `f` throws; fails the test when it throws nothing or
/// something else.
template <class F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected InputError, nothing thrown";
  return {};
}

/// The first point with that metric name and epoch (any epoch when nullopt).
const LoggedPoint* find_point(const LoggedRun& run, std::string_view metric,
                              std::optional<std::int64_t> epoch);

}  // namespace metricaudit::audit::testing
