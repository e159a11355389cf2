// The split a logged name names: one rule for every reader (text logs, TensorBoard tags
// and folders, MLflow keys, Hugging Face keys).
#pragma once

#include <string_view>

namespace metricaudit::audit {

/// The split a metric name names: the name is cut into words at '/', '_', '-', '.' and
/// ' '; the first word that is "val", "valid", "validation" or "eval" gives "val", "test"
/// gives "test", "train" or "training" gives "train" (any case; "val_loss", "val/acc",
/// "valid_f1", "loss_val", "eval_f1", "test_acc", "train/loss"). Whole words only, so
/// "interval_loss" names none. Returns `fallback` when no word names a split.
std::string_view split_from_metric_name(std::string_view name, std::string_view fallback);

}  // namespace metricaudit::audit
