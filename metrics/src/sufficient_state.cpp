#include "metricaudit/sufficient_state.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "detail/state_ops.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit {
namespace {

// Above this a dense confusion matrix is refused: 2^26 int64 cells = 512 MiB.
constexpr std::int64_t kMaxConfusionCells = std::int64_t{1} << 26;

// Bytes per class of a state with these options once sample weights arrive (the
// largest it grows to): counts, rank histograms, per-k counts, weighted sums, loss sums.
std::int64_t bytes_per_class(const StateOptions& o) {
  constexpr std::int64_t count = sizeof(std::int64_t), exact = sizeof(ExactSum);
  const auto ks = static_cast<std::int64_t>(o.top_k.empty() ? 2 : o.top_k.size());
  std::int64_t bytes = 3 * count + kTieRules * count + ks * 2 * count + 3 * exact;
  if (o.topk_sets) bytes += ks * count;
  bytes += static_cast<std::int64_t>(o.losses.size()) * exact;
  if (o.smoothing_columns) bytes += exact + count;
  return bytes;
}

// num_classes is checked against the state's size before anything is allocated: a
// stray label (2^32 - 1) or a typo (10^8) must give an error naming the argument, not
// std::bad_alloc or a process killed for memory. docs/conventions.md states the limit.
void check_state_size(const StateOptions& o) {
  const std::int64_t per_class = bytes_per_class(o);
  if (o.num_classes <= kMaxStateBytes / per_class) return;
  const double gib = static_cast<double>(o.num_classes) * static_cast<double>(per_class) /
                     static_cast<double>(std::int64_t{1} << 30);
  char size[32];
  std::snprintf(size, sizeof size, "%.3g", gib);
  throw InvalidArgument("num_classes: " + std::to_string(o.num_classes) + " classes need " + size +
                        " GiB of state (" + std::to_string(per_class) +
                        " bytes per class with these options), above the limit of 1 GiB (at most " +
                        std::to_string(kMaxStateBytes / per_class) +
                        " classes); check the labels, or accumulate fewer loss families");
}

StateOptions resolve(StateOptions o) {
  if (o.num_classes < 1) {
    throw InvalidArgument("num_classes: expected an integer >= 1, got " +
                          std::to_string(o.num_classes));
  }
  check_state_size(o);
  if (o.top_k.empty()) {
    o.top_k = {1};
    if (o.num_classes >= 5) o.top_k.push_back(5);
  }
  for (std::size_t i = 0; i < o.top_k.size(); ++i) {
    const int k = o.top_k[i];
    if (k < 1 || k > o.num_classes) {
      throw InvalidArgument(
          "top_k: expected values in [1, num_classes=" + std::to_string(o.num_classes) + "], got " +
          std::to_string(k) + " at index " + std::to_string(i));
    }
  }
  if (!(o.threshold >= 0.0 && o.threshold <= 1.0)) {
    throw InvalidArgument("threshold: expected a value in [0, 1], got " +
                          std::to_string(o.threshold));
  }
  if (o.confusion_matrix && o.num_classes > kMaxConfusionCells / o.num_classes) {
    throw InvalidArgument("confusion_matrix: C x C = " + std::to_string(o.num_classes) +
                          "^2 cells exceeds the limit of 2^26; read per-class counts instead");
  }
  if (o.threads < 0) {
    throw InvalidArgument("threads: expected >= 0, got " + std::to_string(o.threads));
  }
  return o;
}

}  // namespace

SufficientState::SufficientState(StateOptions options) : options_(resolve(std::move(options))) {
  const auto c = static_cast<std::size_t>(options_.num_classes);
  tp.assign(c, 0);
  predicted.assign(c, 0);
  support.assign(c, 0);
  for (auto& h : rank_histogram) h.assign(c, 0);
  topk_hits_by_class.assign(options_.top_k.size(), std::vector<std::int64_t>(c, 0));
  topk_misses_by_predicted.assign(options_.top_k.size(), std::vector<std::int64_t>(c, 0));
  topk_boundary_ties.assign(options_.top_k.size(), 0);
  topk_set_by_class.assign(options_.top_k.size(),
                           std::vector<std::int64_t>(options_.topk_sets ? c : 0, 0));
  for (LossFamily f : options_.losses) {
    auto& l = losses[static_cast<int>(f)];
    l.enabled = true;
    l.available = true;
    l.by_class.assign(c, ExactSum{});
    if (options_.smoothing_columns && f == LossFamily::logits) {
      l.smoothing_by_column.assign(c, ExactSum{});
      l.infinite_by_column.assign(c, 0);
    }
  }
  if (options_.confusion_matrix) confusion.assign(c * c, 0);
}

void SufficientState::promote_to_weighted() {
  if (weighted) return;
  weighted = true;
  auto seed = [](std::vector<ExactSum>& into, const std::vector<std::int64_t>& counts) {
    into.assign(counts.size(), ExactSum{});
    for (std::size_t i = 0; i < counts.size(); ++i) into[i].add(static_cast<double>(counts[i]));
  };
  seed(w_tp, tp);
  seed(w_predicted, predicted);
  seed(w_support, support);
  w_total = ExactSum{};
  w_total.add(static_cast<double>(samples));
  w_topk_hits.assign(options_.top_k.size(), ExactSum{});
  for (std::size_t j = 0; j < options_.top_k.size(); ++j) {
    std::int64_t hits = 0;
    for (auto h : topk_hits_by_class[j]) hits += h;
    w_topk_hits[j].add(static_cast<double>(hits));
  }
  for (int r = 0; r < kTieRules; ++r) {
    w_topk_hits_by_rule[r].assign(options_.top_k.size(), ExactSum{});
    for (std::size_t j = 0; j < options_.top_k.size(); ++j) {
      std::int64_t hits = 0;
      for (int rank = 0; rank < options_.top_k[j]; ++rank) {
        hits += rank_histogram[r][static_cast<std::size_t>(rank)];
      }
      if (options_.top_k[j] == 1) {
        // Rows given as labels have no rank: at k = 1 they hit when the label is right
        // (label_rows), i.e. the true positives that no scored row's rank accounts for
        // (a scored row is a true positive exactly when its index_order rank is 0).
        std::int64_t all_tp = 0;
        for (auto t : tp) all_tp += t;
        hits += all_tp - rank_histogram[static_cast<int>(TieRule::index_order)][0];
      }
      w_topk_hits_by_rule[r][j].add(static_cast<double>(hits));
    }
  }
  w_elementwise_correct = ExactSum{};
  w_elementwise_correct.add(static_cast<double>(elementwise_correct));
}

void SufficientState::merge(const SufficientState& other) {
  require_mergeable(merge_options(options_), merge_options(other.options_));
  if (other.batches == 0) return;
  if (batches == 0) {
    *this = other;
    return;
  }
  if (other.weighted && !weighted) promote_to_weighted();
  const SufficientState* rhs = &other;
  SufficientState promoted(options_);
  if (weighted && !other.weighted) {
    promoted = other;
    promoted.promote_to_weighted();
    rhs = &promoted;
  }
  mixed_inputs = mixed_inputs || detail::inputs_mixed(int{has_scores} + int{rhs->has_scores}, 2);
  detail::add_fields(*this, *rhs);
}

bool operator==(const SufficientState& a, const SufficientState& b) {
  return merge_options(a.options_) == merge_options(b.options_) && a.weighted == b.weighted &&
         detail::fields_equal(a, b);
}

}  // namespace metricaudit
