#include "metricaudit/labelwise_state.hpp"

#include <string>

#include "detail/state_ops.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/state_options.hpp"

namespace metricaudit {

LabelwiseState::LabelwiseState(LabelwiseOptions options) : options_(options) {
  if (options_.num_labels < 1) {
    throw InvalidArgument("num_labels: expected an integer >= 1, got " +
                          std::to_string(options_.num_labels));
  }
  // Four counts per label and score reading: checked before anything is allocated.
  constexpr std::int64_t per_label = 4 * kScoreReadings * sizeof(std::int64_t);
  if (options_.num_labels > kMaxStateBytes / per_label) {
    throw InvalidArgument("num_labels: " + std::to_string(options_.num_labels) +
                          " labels exceed the limit of " +
                          std::to_string(kMaxStateBytes / per_label) + " (1 GiB of state)");
  }
  if (!(options_.threshold >= 0.0 && options_.threshold <= 1.0)) {
    throw InvalidArgument("threshold: expected a value in [0, 1], got " +
                          std::to_string(options_.threshold));
  }
  const auto l = static_cast<std::size_t>(options_.num_labels);
  for (int r = 0; r < kScoreReadings; ++r) {
    tp[r].assign(l, 0);
    fp[r].assign(l, 0);
    tn[r].assign(l, 0);
    fn[r].assign(l, 0);
  }
}

void LabelwiseState::merge(const LabelwiseState& other) {
  require_mergeable(merge_options(options_), merge_options(other.options_));
  // A state without batches holds the identity of every field (flags: false for
  // `any`, true for `all`), so it needs no special case.
  detail::add_fields(*this, other);
}

bool operator==(const LabelwiseState& a, const LabelwiseState& b) {
  return merge_options(a.options_) == merge_options(b.options_) && detail::fields_equal(a, b);
}

}  // namespace metricaudit
