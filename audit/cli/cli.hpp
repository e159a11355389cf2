// The `metricaudit` command as a library function, so tests run it in-process with
// their own streams and terminal settings; audit/main.cpp only forwards to it.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace metricaudit::audit::cli {

/// What the command may know about where it writes (main.cpp fills it from isatty
/// and the environment; tests fill it by hand).
struct Terminal {
  bool stdout_is_tty = false;  ///< colour by default only on a terminal
  bool stderr_is_tty = false;  ///< progress lines only on a terminal
  bool no_color = false;       ///< NO_COLOR is set and not empty (https://no-color.org)
  /// Draws the HTML report of `command` ("audit" or "compare") from its JSON document.
  /// The Python package sets it (metricaudit/_html.py); empty, --format html is refused
  /// with exit status 2.
  std::function<std::string(const std::string& command, const std::string& json)> html;
};

/// Runs `metricaudit argv[1..]`. Returns the exit status: 0 no findings (or --help,
/// --version), 1 findings of severity warning or error, 2 usage or input error (the
/// message, "metricaudit: error: ...", goes to `err`).
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        const Terminal& terminal);

/// The version string the command reports.
const char* version();

}  // namespace metricaudit::audit::cli
