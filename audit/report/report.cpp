// The two behaviours report.hpp declares on its plain data.
#include "metricaudit/audit/report.hpp"

#include <algorithm>

namespace metricaudit::audit {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::note:
      return "note";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "warning";  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

int AuditReport::exit_status() const {
  // Notes are informational (e.g. running means): they must not fail a CI job.
  const bool actionable = std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Severity::warning || f.severity == Severity::error;
  });
  return actionable ? 1 : 0;
}

}  // namespace metricaudit::audit
