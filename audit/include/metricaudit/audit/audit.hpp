// The audit: read the logs of a run, recompute what they report from the dumps,
// match, and collect findings. One function call on plain data per arrow of the
// data flow in ../shared/DESIGN.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit {

struct AuditOptions {
  std::filesystem::path path;                  ///< a log file or a run directory
  std::optional<std::filesystem::path> preds;  ///< dump folder (default: <run>/predictions)
  std::string log_format = "auto";
  std::optional<std::int64_t> num_classes;
  std::optional<std::int64_t> eval_size;
  std::optional<std::int64_t> batch_size;
  std::map<std::string, std::string> metric_kinds;  ///< --metric NAME=KIND overrides
};

/// Runs the whole audit. Throws InputError (file:line) or InvalidArgument on bad input.
AuditReport run_audit(const AuditOptions& options);

}  // namespace metricaudit::audit
