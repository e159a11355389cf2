// RepeatedEpochs (internal.hpp): which epochs of a series hold several values.
#include <cstddef>
#include <tuple>
#include <vector>

#include "internal.hpp"

namespace metricaudit::audit::detail {

RepeatedEpochs::RepeatedEpochs(const LoggedRun& run) {
  // Counted per (series, epoch), not listed per point: memory follows the epochs, so a
  // dense log's millions of step values cost nothing here.
  using Key = std::tuple<MetricId, Split, std::int64_t>;
  std::map<Key, bool> seen;  // true: seen twice
  // Each series' last entry: its values come epoch after epoch, so most points find their
  // (series, epoch) there without a search.
  std::vector<std::map<Key, bool>::iterator> last(run.metrics.size() * 3, seen.end());
  for (const auto& p : run.points) {
    const Key key{p.metric_id, p.split, p.epoch.value_or(-1)};
    auto& at = last[std::size_t{p.metric_id} * 3 + static_cast<std::size_t>(p.split)];
    if (at != seen.end() && at->first == key) {
      at->second = true;
      continue;
    }
    const auto [it, fresh] = seen.try_emplace(key, false);
    if (!fresh) it->second = true;
    at = it;
  }
  for (const auto& [key, twice] : seen) {
    if (twice) twice_.insert(key);
  }
}

bool RepeatedEpochs::contains(const LoggedPoint& p) const {
  return twice_.count({p.metric_id, p.split, p.epoch.value_or(-1)}) != 0;
}

}  // namespace metricaudit::audit::detail
