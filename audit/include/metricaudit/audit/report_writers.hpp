// Report writers: render an AuditReport as terminal text, JSON or SARIF 2.1.0.
// They decide nothing (../shared/DESIGN.md): every verdict, value and text comes
// from the report; the writers only lay it out. Each writes the whole document to
// `out` and leaves error handling of the stream to the caller.
#pragma once

#include <ostream>
#include <string_view>

#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit {

/// The SARIF schema URI written to `$schema`.
inline constexpr std::string_view kSarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

/// People on a terminal: per-metric tables of logged vs recomputed values, the
/// findings with their fixes, warnings, what could not be checked, and a summary.
/// `colour` adds ANSI escapes (the command passes isatty(stdout) && !NO_COLOR).
/// `points_table` false leaves out the per-metric tables (`audit --summary`): a long
/// run's table is hundreds of lines, the findings a handful.
/// Lines fit in 100 columns except for unbreakable words (long paths).
void write_text(const AuditReport& report, std::ostream& out, bool colour = false,
                bool points_table = true);

/// The versioned JSON document described in docs/audit-json-schema.md and
/// docs/audit-report.schema.json. Non-finite numbers are written as null, with the
/// value spelled out in the enclosing object's "nonfinite" member.
void write_json(const AuditReport& report, std::ostream& out);

/// SARIF 2.1.0 for code-scanning tools: one run, every rule of rules() in
/// tool.driver.rules, one result per finding located at the logged value.
void write_sarif(const AuditReport& report, std::ostream& out);

}  // namespace metricaudit::audit
