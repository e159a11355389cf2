// Per-class recall for findings about a macro average: what the macro mean averaged,
// read from the dump of the finding's representative point (the HTML report draws it).
#pragma once

#include <vector>

#include "internal.hpp"

namespace metricaudit::audit::detail {

/// Classes above which no per-class recall is kept (a report with 100,000 bars helps no
/// one, and the JSON would grow by megabytes).
inline constexpr std::int64_t kPerClassMaxClasses = 1000;

/// Sets Finding::per_class on every finding whose explaining convention is a macro
/// average of a multi-class dump's per-class values.
void attach_per_class(std::vector<Finding>& findings, const std::vector<PointResult>& points,
                      const std::vector<Recomputed>& dumps);

}  // namespace metricaudit::audit::detail
