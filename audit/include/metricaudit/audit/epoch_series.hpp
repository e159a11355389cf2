// Epochs of step-indexed logs. Lightning adds an "epoch" value to every call that logs
// metrics (lightning/pytorch/trainer/connectors/logger_connector/logger_connector.py,
// log_metrics: scalar_metrics.setdefault("epoch", current_epoch), then one call of each
// logger with the step), so a TensorBoard file or an MLflow run written by Lightning
// holds an "epoch" series beside the metrics, at the same steps: it gives each value its
// epoch. The readers of step-indexed logs (TensorBoard, MLflow) share this, and
// Lightning's meaning of a name's `_step` / `_epoch` suffix.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "metricaudit/audit/split_names.hpp"

namespace metricaudit::audit {

/// The epoch values of a log, by step.
class EpochsByStep {
 public:
  /// Records an "epoch" value logged at `step`; `order` places it in the log (a record's
  /// offset, a timestamp). False (nothing recorded) when the value is not a whole number
  /// >= 0, which no epoch index is.
  bool add(std::int64_t step, std::int64_t order, double epoch) {
    if (!(epoch >= 0 && epoch < 9.0e15 && epoch == std::floor(epoch))) return false;
    auto& at = by_step_[step];
    const std::pair<std::int64_t, std::int64_t> entry(order, static_cast<std::int64_t>(epoch));
    at.insert(std::upper_bound(at.begin(), at.end(), entry), entry);
    return true;
  }

  /// The epoch of a value logged at `step`, at `order`: of the epoch values logged at that
  /// step, the first at or after `order` (one logging call writes the epoch after its
  /// metrics), else the last before it; nullopt when none was logged at that step.
  std::optional<std::int64_t> at(std::int64_t step, std::int64_t order) const {
    const auto it = by_step_.find(step);
    if (it == by_step_.end()) return std::nullopt;
    const auto& values = it->second;
    const auto next =
        std::lower_bound(values.begin(), values.end(), std::pair(order, std::int64_t{-1}));
    return next != values.end() ? next->second : values.back().second;
  }

  bool empty() const { return by_step_.empty(); }

 private:
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> by_step_;
};

namespace detail {

/// Lightning's per_step reading of a logged name: "*_step" true, "*_epoch" false, else
/// true for training names (training_step logs on_step by default) and false for
/// validation/test names (on_epoch by default); lightning/pytorch/core/module.py `log`.
/// Used by every reader of a Lightning log (metrics.csv, tqdm bars, TensorBoard, MLflow).
inline bool lightning_per_step(std::string_view name, Split split) {
  if (name.ends_with("_step")) return true;
  if (name.ends_with("_epoch")) return false;
  return split == Split::train;
}

}  // namespace detail

}  // namespace metricaudit::audit
