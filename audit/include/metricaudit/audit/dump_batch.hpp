// A dump as a core batch: one place decides whether saved arrays are a multi-class,
// binary or multilabel evaluation and how they become labels and scores, for the
// audit and for `metricaudit explain` alike.
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

/// What a dump's arrays hold.
enum class DumpTask { multiclass, binary, multilabel };

/// binary: one score per sample (logits or probs of shape (N,) or (N, 1));
/// multilabel: an (N, L) target, L >= 2, of 0/1 values with some row holding zero or
/// several ones, and (N, L) scores; multiclass: everything else. A one-hot target (every
/// row exactly one 1) stays multi-class, and so do label-only dumps (preds): a
/// multilabel evaluation whose rows all happen to hold one positive cannot be told
/// from a one-hot multi-class one, and multi-class is how these dumps were always read.
DumpTask dump_task(const Dump& dump);

/// Views over a binary / multilabel Dump (and over converted targets it owns).
struct LabelwiseDumpBatch {
  LabelwiseBatch batch;
  std::int64_t num_labels = 1;  ///< L (1 for binary)
  bool multilabel = false;
  std::string inputs;                     ///< "logits" or "probs"
  std::vector<std::int64_t> target_bits;  ///< converted copy of a float target, if any

  LabelwiseDumpBatch() = default;
  LabelwiseDumpBatch(const LabelwiseDumpBatch&) = delete;
  LabelwiseDumpBatch& operator=(const LabelwiseDumpBatch&) = delete;
  LabelwiseDumpBatch(LabelwiseDumpBatch&&) = default;
  LabelwiseDumpBatch& operator=(LabelwiseDumpBatch&&) = default;
};

/// The batch of a dump for which dump_task() is binary or multilabel. A float target
/// holding 0.0 / 1.0 is converted; any other value is refused with InvalidArgument
/// naming `name` and the element (integer targets are checked by the core's pass).
LabelwiseDumpBatch labelwise_batch(const Dump& dump, const std::string& name);

}  // namespace metricaudit::audit
