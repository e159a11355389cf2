// What the subcommands of the `metricaudit` command share: the common options (--format,
// --output, --color, --num-classes), writing the rendered document, --metric parsing, and
// the usage error reported like CLI11's own.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"

namespace metricaudit::audit::cli::detail {

// A command-line mistake found after parsing (e.g. a malformed --metric): reported
// like CLI11's parse errors, with the usage hint.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Common {
  std::string format = "text";
  std::string output;
  std::string color = "auto";
  std::int64_t num_classes = 0;
  CLI::Option* num_classes_option = nullptr;
};

/// Adds --num-classes, --format (one of `formats`), -o/--output and --color to `sub`.
void add_common(CLI::App& sub, Common& c, std::vector<std::string> formats);

/// Whether text output gets ANSI colour (--color, the terminal, NO_COLOR).
bool use_colour(const Common& c, const Terminal& t);

/// Writes the whole rendered document to stdout or --output FILE.
void emit(const std::string& text, const Common& c, std::ostream& out);

/// --metric NAME=KIND specs as a map; UsageError for a malformed one.
std::map<std::string, std::string> parse_metric_kinds(const std::vector<std::string>& specs);

/// --format html needs the terminal's renderer; without one (the C++ command) this throws
/// the UsageError that says the Python package draws it. Checked before any work.
void require_html_renderer(const Terminal& t);

/// The HTML page of `command` ("audit", "compare") from its JSON document.
std::string render_html(const Terminal& t, const std::string& command, const std::string& json);

}  // namespace metricaudit::audit::cli::detail
