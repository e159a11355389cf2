// The splits a logged value or a dump belongs to, and the split a logged name names: one
// rule for every reader (text logs, TensorBoard tags and folders, MLflow keys, Hugging
// Face keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace metricaudit::audit {

/// Which data a logged value was computed on.
enum class Split : std::uint8_t { train, val, test };

/// The split's name as reports and dump file names write it: "train", "val", "test".
constexpr std::string_view split_name(Split s) {
  switch (s) {
    case Split::val:
      return "val";
    case Split::test:
      return "test";
    case Split::train:
      break;
  }
  return "train";
}

/// The split a metric name names, or nullopt when it names none: the name is cut into words at '/',
/// '_', '-', '.' and ' '; the first word that is "val", "valid", "validation" or "eval" gives val,
/// "test" gives test, "train" or "training" gives train (any case; "val_loss", "val/acc",
/// "valid_f1", "loss_val", "eval_f1", "test_acc", "train/loss"). Whole words only, so
/// "interval_loss" names none.
std::optional<Split> split_named_by(std::string_view name);

/// split_named_by(name), or `fallback` when the name names no split.
inline Split split_from_metric_name(std::string_view name, Split fallback) {
  return split_named_by(name).value_or(fallback);
}

}  // namespace metricaudit::audit
