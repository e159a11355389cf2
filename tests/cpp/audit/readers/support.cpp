#include "support.hpp"

namespace metricaudit::audit::testing {

std::string fixture(std::string_view name) {
  return std::string(METRICAUDIT_LOG_FIXTURES) + "/" + std::string(name);
}

LoggedRun read_string(const std::string& text, std::string_view format, std::string_view name,
                      const TextLogOptions& options) {
  std::istringstream in(text);
  return read_text_log(in, name, format, options);
}

const LoggedPoint* find_point(const LoggedRun& run, std::string_view metric,
                              std::optional<std::int64_t> epoch) {
  for (const auto& p : run.points) {
    if (run.metric(p) == metric && (!epoch || p.epoch == epoch)) return &p;
  }
  return nullptr;
}

}  // namespace metricaudit::audit::testing
