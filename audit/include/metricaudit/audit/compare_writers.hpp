// Compare report writers: terminal text and the versioned JSON of docs/compare.md
// ("JSON report"). Like the audit's writers they decide nothing: every verdict, value
// and sentence comes from the CompareReport; they lay it out. HTML is rendered by the
// Python package from the JSON (metricaudit/_html.py).
#pragma once

#include <ostream>

#include "metricaudit/audit/compare_report.hpp"

namespace metricaudit::audit {

/// People on a terminal: per pair, the judged epoch's logged and common values, the
/// difference, its interval and test, the verdict and why; the runs' findings with their
/// fixes; notes; a summary line. `colour` adds ANSI escapes. Lines fit in 100 columns
/// except for unbreakable words (paths).
void write_compare_text(const CompareReport& report, std::ostream& out, bool colour = false);

/// The JSON document (schema_version CompareReport::kSchemaVersion). Non-finite numbers
/// are written as null with the value spelled out in the object's "nonfinite" member.
void write_compare_json(const CompareReport& report, std::ostream& out);

}  // namespace metricaudit::audit
