// LoggedRun's name table (logged_series.hpp). Defined in the binary readers, the library
// every reader links.
#include "metricaudit/audit/logged_series.hpp"

#include <cstddef>

namespace metricaudit::audit {

MetricId LoggedRun::metric_id(std::string_view metric_name) {
  for (std::size_t i = 0; i < metrics.size(); ++i)
    if (metrics[i] == metric_name) return static_cast<MetricId>(i);
  metrics.emplace_back(metric_name);
  return static_cast<MetricId>(metrics.size() - 1);
}

}  // namespace metricaudit::audit
