// Comparing two runs: each read as the audit reads a run (logs, dumps, the matcher's
// explanations), their metrics paired by kind, split and epoch, both put under one
// common convention from their dumps, and the difference tested (docs/compare.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metricaudit/audit/audit.hpp"
#include "metricaudit/audit/compare_report.hpp"

namespace metricaudit::audit {

struct CompareOptions {
  AuditOptions a, b;  ///< how each run is read (path, dump folder, classes, metric kinds)
  /// --pair A_NAME=B_NAME: compare exactly these pairs (by default every kind and split
  /// both runs log is paired, e.g. Keras val_accuracy with Lightning val_acc).
  std::vector<std::pair<std::string, std::string>> pairs;
  double alpha = 0.05;  ///< significance level of every judged test
  /// --min-effect D: a significant difference whose (1 - alpha) interval lies within
  /// [-D, D] is judged `negligible` rather than `real` (0: off). On the metric's scale.
  double min_effect = 0.0;
  std::string convention;             ///< a catalogue id to compare under; empty: the implied one
  std::optional<std::int64_t> epoch;  ///< judge this epoch (default: the last shared one)
  bool all_epochs = false;            ///< judge every shared epoch
};

/// Runs the comparison. Throws InputError (file:line) for unreadable inputs and
/// InvalidArgument for usage errors (an unknown --pair name or --convention id, no metric
/// in common, an --epoch neither pair logged): the command exits 2 on both.
CompareReport run_compare(const CompareOptions& options);

}  // namespace metricaudit::audit
