// RepeatedEpochs (internal.hpp): which epochs of a series hold several values.
#include <algorithm>

#include "internal.hpp"

namespace metricaudit::audit::detail {

RepeatedEpochs::RepeatedEpochs(const LoggedRun& run) {
  for (const auto& p : run.points) twice_[{p.metric_id, p.split}].push_back(p.epoch.value_or(-1));
  for (auto& [series, epochs] : twice_) {
    std::sort(epochs.begin(), epochs.end());
    std::vector<std::int64_t> twice;
    for (std::size_t i = 1; i < epochs.size(); ++i) {
      if (epochs[i] == epochs[i - 1] && (twice.empty() || twice.back() != epochs[i])) {
        twice.push_back(epochs[i]);
      }
    }
    epochs = std::move(twice);
  }
}

bool RepeatedEpochs::contains(const LoggedPoint& p) const {
  const auto it = twice_.find({p.metric_id, p.split});
  return it != twice_.end() &&
         std::binary_search(it->second.begin(), it->second.end(), p.epoch.value_or(-1));
}

}  // namespace metricaudit::audit::detail
