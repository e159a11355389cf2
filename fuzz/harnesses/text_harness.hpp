// One text reader over the fuzz input, through the istream overload the command uses.
// A small max_line_bytes lets inputs of fuzzing size reach the over-long-line path.
#pragma once

#include <optional>
#include <sstream>
#include <string>

#include "fuzz_support.hpp"
#include "metricaudit/audit/text_log_readers.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::fuzz {

/// The run read, after the checks every text reader's run passes; nullopt when the
/// reader refused the input with an InputError.
inline std::optional<audit::LoggedRun> read_text(const std::uint8_t* data, std::size_t size,
                                                 const char* format, bool keep_redraws = false) {
  audit::TextLogOptions options;
  options.keep_redraws = keep_redraws;
  options.max_line_bytes = 4096;
  options.max_warnings = 3;
  std::istringstream in{std::string(as_text(data, size))};
  try {
    audit::LoggedRun run = audit::read_text_log(in, "fuzz.log", format, options);
    check(run.format == format, "LoggedRun::format is the format read");
    check_run(run, "fuzz.log", true);
    check(run.warnings.size() <= options.max_warnings + 1, "warnings are capped");
    return run;
  } catch (const InputError&) {
    // The documented answer to malformed input.
  }
  return std::nullopt;
}

}  // namespace metricaudit::fuzz
