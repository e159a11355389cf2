// The rule table: every finding the audit can report, under a stable id, with the
// metadata people and tools see (name, descriptions, default fix, default level).
// One table serves the rule logic (audit/src/), the text report and SARIF's
// tool.driver.rules[], so an id can never mean two things in two places.
//
// Ids are stable: a published id is never renumbered or reused. Prefixes:
//   MA  accuracy recomputed from prediction dumps
//   ML  loss recomputed from prediction dumps
//   MX  any metric recomputed from dumps
//   LG  log-only rules (no dumps needed)
#pragma once

#include <span>
#include <string_view>

#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit {

struct RuleInfo {
  std::string_view id;                 ///< "MA001"
  std::string_view name;               ///< "accuracy-macro-absent-zero" (kebab-case, stable)
  std::string_view short_description;  ///< one sentence, no trailing period needed by callers
  std::string_view full_description;   ///< a paragraph: what was seen and why it matters
  std::string_view default_fix;        ///< what to change in the user's framework
  Severity level = Severity::warning;  ///< default severity (SARIF defaultConfiguration.level)
};

/// Every rule, in id order (MA, ML, MX, LG; numeric within a prefix).
std::span<const RuleInfo> rules();

/// The rule with this id, or nullptr.
const RuleInfo* find_rule(std::string_view id);

/// The rule with this id; throws metricaudit::InvalidArgument for an unknown id
/// (a programming error in the rule code, not bad user input).
const RuleInfo& rule(std::string_view id);

}  // namespace metricaudit::audit
