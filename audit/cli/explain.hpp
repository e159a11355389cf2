// `metricaudit explain DUMP`: one prediction dump read under every convention of the
// catalogue, so a user can see which reading gives the number their framework printed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "metricaudit/catalogue.hpp"

namespace metricaudit::audit::cli {

struct ExplainResult {
  std::string dump;  ///< the dump as named in messages (the .npz, or the .npy stem)
  std::string split;
  std::optional<std::int64_t> epoch;
  std::optional<std::int64_t> step;
  std::int64_t samples = 0;
  /// C; for a binary or multilabel dump the number of label columns L (1 for binary).
  std::int64_t num_classes = 0;
  /// Where num_classes came from: "option", "scores", "target" (one-hot width) or
  /// "labels" (largest label + 1: classes above it cannot be known); "binary" or
  /// "multilabel" for those dumps (L is the scores' width).
  std::string num_classes_source;
  std::string inputs;           ///< "logits", "probs" or "preds"
  bool one_hot_target = false;  ///< (N, C) target read as its argmax
  bool weighted = false;
  std::vector<std::string> warnings;
  std::vector<Candidate> accuracy;  ///< catalogue(state, MetricKind::accuracy)
  std::vector<Candidate> loss;      ///< catalogue(state, MetricKind::loss)
  /// A binary or multilabel dump (dump_task): its catalogue instead of the two above.
  bool labelwise = false;
  std::vector<LabelwiseCandidate> labelwise_accuracy, labelwise_loss;
};

/// Locates, loads and evaluates one dump. `dump` is a .npz file, one of the
/// "<stem>.<role>.npy" files of a dump, or the stem itself. Throws InputError for a
/// missing or malformed dump, InvalidArgument for data the core refuses.
ExplainResult explain_dump(const std::filesystem::path& dump,
                           std::optional<std::int64_t> num_classes);

void write_explain_text(const ExplainResult& result, std::ostream& out, bool colour);
/// {"schema_version": 1, "dump", "split", "epoch", "step", "samples", "num_classes",
///  "num_classes_source", "inputs", "one_hot_target", "weighted", "warnings",
///  "candidates": [{"kind", "id", "description", "libraries", "value", "unavailable"}]}
/// (docs/audit-json-schema.md, "explain").
void write_explain_json(const ExplainResult& result, std::ostream& out);

}  // namespace metricaudit::audit::cli
