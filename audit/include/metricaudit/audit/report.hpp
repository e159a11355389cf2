// What an audit decides: per logged point, the value under every convention the
// metric's kind admits and those that explain it; and findings, each under a
// stable rule id. Report writers (text, JSON, SARIF) render this and decide
// nothing (../shared/DESIGN.md: "report writers never decide verdicts").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metricaudit/audit/logged_series.hpp"

namespace metricaudit::audit {

enum class Severity { note, warning, error };
std::string_view severity_name(Severity s);  ///< "note", "warning", "error"

/// One convention's value for a logged point.
struct CandidateValue {
  std::string id;         ///< catalogue id, e.g. "accuracy.macro.absent_zero"
  std::string libraries;  ///< who computes it this way
  double value = 0.0;
  double distance = 0.0;  ///< |value - logged|
  bool explains = false;  ///< distance <= the point's tolerance
  /// The rule its catalogue row stands for (Candidate::rule): what a finding says when
  /// this convention, not the implied one, explains the value; and the row's description.
  /// Neither is written by the writers (the findings' texts use them).
  std::string rule = {};
  std::string description = {};
};

/// A logged point recomputed from its dump.
struct PointResult {
  LoggedPoint point;
  std::string metric;  ///< its name as logged (LoggedRun::metric)
  std::string file;    ///< the file it was read from (LoggedRun::file_of)
  std::string kind;    ///< "accuracy", "loss", "precision", "recall", "f1", "balanced_accuracy"
  std::string dump;    ///< the dump file it was recomputed from
  std::int64_t num_classes = 0;  ///< C of that dump
  double tolerance = 0.0;
  std::string expected_id;                 ///< the convention the metric's name implies
  std::optional<double> expected;          ///< its value
  std::vector<CandidateValue> candidates;  ///< catalogue order; unavailable ones left out
  std::vector<std::string> explained_by;   ///< ids of the candidates that explain the value
};

/// Per-class recall of one evaluation (tp / support; 0 for a class with no support,
/// as torchmetrics counts it) and the support of each class.
struct PerClassRecall {
  std::string dump;
  std::vector<double> recall;
  std::vector<std::int64_t> support;
};

struct Finding {
  std::string rule;  ///< stable id, e.g. "MA001"
  std::string name;  ///< stable short name, e.g. "accuracy-macro-absent-zero"
  Severity severity = Severity::warning;
  std::string metric;  ///< the logged name
  std::string split;
  std::vector<std::int64_t> epochs;  ///< epochs (0-based) the finding covers
  std::vector<std::int64_t> steps;   ///< steps, for per-step values
  std::optional<double> logged;      ///< a representative logged value (the last one)
  std::string explained_by;          ///< the convention that explains it (catalogue id)
  std::string expected_convention;   ///< the convention the name implies
  std::optional<double> expected;    ///< its value at the representative point
  std::string message;               ///< one paragraph for people
  std::string fix;                   ///< what to change in the user's framework
  std::string file;                  ///< where the representative value was logged
  std::int64_t line = 0;             ///< 1-based line, 0 for binary logs
  std::int64_t offset = 0;           ///< byte offset, for binary logs
  /// A finding about a macro average: each class's recall (and support) in the dump of
  /// the representative point, which the macro mean averages (the HTML report's bars).
  std::optional<PerClassRecall> per_class = {};
};

struct AuditReport {
  static constexpr int kSchemaVersion = 1;
  std::string tool_version;
  std::vector<std::string> logs;         ///< log files read, with their formats
  std::vector<std::string> log_formats;  ///< parallel to logs
  std::string predictions;               ///< the dump folder, or empty
  std::vector<PointResult> points;
  std::vector<Finding> findings;
  std::vector<std::string> warnings;   ///< tolerated input problems
  std::vector<std::string> undecided;  ///< logged metrics the audit could not check, and why

  /// 1 when a finding of severity warning or error exists, else 0 (notes do not count).
  int exit_status() const;
};

}  // namespace metricaudit::audit
