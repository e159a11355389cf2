// A dump as the core's multi-class batch: one place decides how saved arrays
// become labels and scores, for the audit and for `metricaudit explain` alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metricaudit/array_view.hpp"
#include "metricaudit/audit/dump.hpp"

namespace metricaudit::audit {

/// Views over a Dump (and over converted labels it owns). Not copyable: the views
/// point into `target_labels` / `predicted_labels`; moving keeps them valid.
struct DumpBatch {
  MulticlassBatch batch;
  std::int64_t num_classes = 0;
  /// Where num_classes came from: "option", "scores", "target" (one-hot width) or
  /// "labels" (largest label + 1: classes above it cannot be known).
  std::string num_classes_source;
  std::string inputs;           ///< "logits", "probs" or "preds"
  bool one_hot_target = false;  ///< an (N, C) target read as its argmax
  std::vector<std::string> warnings;
  std::vector<std::int64_t> target_labels, predicted_labels;  ///< converted copies, if any

  DumpBatch() = default;
  DumpBatch(const DumpBatch&) = delete;
  DumpBatch& operator=(const DumpBatch&) = delete;
  DumpBatch(DumpBatch&&) = default;
  DumpBatch& operator=(DumpBatch&&) = default;
};

/// One-hot (N, C) targets become their argmax; float labels holding whole numbers
/// become integers; anything else (soft labels, a second 1 in a row, 2.5) is refused
/// with InvalidArgument naming `name` and the first offending row. Scores of a rank
/// other than 2 are refused too: the audit reads multi-class dumps only.
DumpBatch multiclass_batch(const Dump& dump, const std::string& name,
                           std::optional<std::int64_t> num_classes);

}  // namespace metricaudit::audit
