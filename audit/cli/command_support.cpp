// The pieces the subcommands share (command_support.hpp).
#include "command_support.hpp"

#include <fstream>
#include <limits>

#include "metricaudit/error.hpp"

namespace metricaudit::audit::cli::detail {

void add_common(CLI::App& sub, Common& c, std::vector<std::string> formats) {
  c.num_classes_option =
      sub.add_option("--num-classes", c.num_classes,
                     "number of classes C (default: from the scores' width)")
          ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
  sub.add_option("--format", c.format, "output format")
      ->check(CLI::IsMember(std::move(formats)))
      ->capture_default_str();
  sub.add_option("-o,--output", c.output, "write the report to FILE instead of stdout");
  sub.add_option("--color", c.color,
                 "ANSI colour in text output: auto (on a terminal, unless NO_COLOR is set), "
                 "always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

bool use_colour(const Common& c, const Terminal& t) {
  if (c.format != "text" || c.color == "never") return false;
  if (c.color == "always") return true;
  return c.output.empty() && t.stdout_is_tty && !t.no_color;
}

// The whole document is rendered first, so an error never leaves half a report in
// --output FILE.
void emit(const std::string& text, const Common& c, std::ostream& out) {
  if (c.output.empty()) {
    out << text << std::flush;
    return;
  }
  std::ofstream file(c.output, std::ios::binary | std::ios::trunc);
  if (!file) throw InputError(c.output + ": cannot open for writing");
  file << text;
  file.close();
  if (!file) throw InputError(c.output + ": write failed");
}

std::map<std::string, std::string> parse_metric_kinds(const std::vector<std::string>& specs) {
  std::map<std::string, std::string> kinds;
  for (const std::string& spec : specs) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      throw UsageError("--metric: expected NAME=KIND (e.g. val_acc=accuracy), got '" + spec + "'");
    }
    kinds[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  return kinds;
}

void require_html_renderer(const Terminal& t) {
  if (!t.html) {
    throw UsageError(
        "--format html: the HTML report is drawn by the Python package, whose metricaudit "
        "command (pip install metricaudit) renders it from this command's --format json; this "
        "build writes the other formats");
  }
}

std::string render_html(const Terminal& t, const std::string& command, const std::string& json) {
  require_html_renderer(t);
  return t.html(command, json);
}

}  // namespace metricaudit::audit::cli::detail
