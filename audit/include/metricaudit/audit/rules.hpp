// The rule table: every finding the audit can report, under a stable id, with every
// text people and tools see (name, descriptions, the finding's message and fix, level).
// It lives beside the rule logic (audit/src/rules.cpp); the logic fills a finding's
// texts from it, and the text report and SARIF's tool.driver.rules[] render it, so an
// id can never mean two things in two places. A catalogue row (catalogue.hpp) names
// the rule its reading stands for.
//
// Ids are stable: a published id is never renumbered or reused. Prefixes:
//   MA  accuracy recomputed from prediction dumps
//   ML  loss recomputed from prediction dumps
//   MP  precision, recall, F1 and balanced accuracy recomputed from prediction dumps
//   MX  any metric recomputed from dumps
//   LG  log-only rules (no dumps needed)
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit {

struct RuleInfo {
  std::string_view id;                 ///< "MA001"
  std::string_view name;               ///< "accuracy-macro-absent-zero" (kebab-case, stable)
  std::string_view short_description;  ///< one sentence, no trailing period needed by callers
  std::string_view full_description;   ///< a paragraph: what was seen and why it matters
  /// A finding's message, with {placeholders} the rule logic fills (fill()): {metric}
  /// the logged name, {C} the classes, and the facts the rule measured.
  std::string_view message;
  /// What to change in the user's framework: {C} the classes, {expected} the
  /// convention the logged name implies (generic_fix() for the rule as a whole).
  std::string_view fix;
  Severity level =
      Severity::warning;  ///< every finding's severity (SARIF defaultConfiguration.level)
};

/// Every rule, in id order (MA, ML, MP, MX, LG; numeric within a prefix).
std::span<const RuleInfo> rules();

/// The rule with this id, or nullptr.
const RuleInfo* find_rule(std::string_view id);

/// The rule with this id; throws metricaudit::InvalidArgument for an unknown id
/// (a programming error in the rule code, not bad user input).
const RuleInfo& rule(std::string_view id);

/// A value for a rule text's {key}.
struct TextValue {
  std::string_view key;
  std::string value;
};

/// `text` with every {key} replaced by its value; throws metricaudit::InvalidArgument
/// for a key without one (a programming error in the rule code).
std::string fill(std::string_view text, const std::vector<TextValue>& values);

/// The rule's fix for no finding in particular: {C} written "C", {expected} "the
/// convention its name implies" (SARIF's help text).
std::string generic_fix(const RuleInfo& rule);

}  // namespace metricaudit::audit
