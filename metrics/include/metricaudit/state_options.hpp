// What one pass over a batch accumulates. Everything a reading can vary
// without touching the data (average, absent-class rule, tie rule for top-k,
// class weights, reductions) is decided later, when the state is read; only the
// choices that select samples or cost work per element are fixed here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metricaudit/vocabulary.hpp"

namespace metricaudit {

/// The largest state a SufficientState or LabelwiseState may need (1 GiB, counted with
/// the weighted sums): num_classes (num_labels) above what fits is refused before
/// anything is allocated.
inline constexpr std::int64_t kMaxStateBytes = std::int64_t{1} << 30;

struct StateOptions {
  /// C, the number of classes (the width of the score matrix). Must be >= 1, and the
  /// state must fit in kMaxStateBytes.
  std::int64_t num_classes = 0;
  /// k values whose per-class top-k hits are kept (for macro top-k), each in [1, C].
  /// Empty means {1, 5} with 5 dropped when C < 5. Micro top-k is available for
  /// every k from the rank histograms regardless.
  std::vector<int> top_k;
  /// Samples whose target equals this are dropped (torchmetrics / torch.nn rule).
  std::optional<std::int64_t> ignore_index;
  /// Threshold of the element-wise binary reading of multi-class scores (Keras
  /// binary_accuracy on one-hot targets): a column counts as positive when score > threshold.
  double threshold = 0.5;
  /// Which loss families to accumulate. Probability families are computed only
  /// when every score of every batch lies in [0, 1]; otherwise they read as unavailable.
  std::vector<LossFamily> losses = {
      LossFamily::logits, LossFamily::keras_probabilities, LossFamily::sklearn_probabilities,
      LossFamily::sklearn_legacy_probabilities, LossFamily::keras_binary_onehot};
  /// Also accumulate the label-smoothing term sum_c -log p_c for each family (C logs per row).
  bool smoothing_terms = true;
  /// Also keep the label-smoothing term per class column, sum_n w_n (-log p_nc), of the
  /// logits family, so that label smoothing combines with class weights as
  /// torch.nn.CrossEntropyLoss(weight=w, label_smoothing=e) does (it weights column c by
  /// w_c). C exact additions per row (CPU only).
  bool smoothing_columns = false;
  /// Keep a dense C x C confusion matrix (refused above 2^26 cells).
  bool confusion_matrix = false;
  /// Also count, per requested k, how often each class is among a row's k predicted
  /// classes (torch.topk's selection): what torchmetrics <= 1.6.0 counts as predicted
  /// positives at top_k > 1, so that its precision and F1 at k can be read
  /// (TopKPredicted::whole_set). Costs a selection over the row per k > 1 (CPU only).
  bool topk_sets = false;
  /// Threads for the pass; 0 = OpenMP's default. Results do not depend on it.
  int threads = 0;
};

/// Options as (name, value text) pairs, in a fixed order.
using OptionTexts = std::vector<std::pair<std::string, std::string>>;

/// The options two states must share to merge (all but `threads`), as text: merge compares
/// them, and so do the distributed helpers (metricaudit::mpi::allreduce, metricaudit.torch),
/// which name the first that differs. Loss families by their names (vocabulary.hpp).
OptionTexts merge_options(const StateOptions& options);

/// "name: a vs b" for the first option that differs; empty when none does.
std::string first_difference(const OptionTexts& a, const OptionTexts& b);

/// What merge checks first: IncompatibleError naming the first option that differs.
void require_mergeable(const OptionTexts& mine, const OptionTexts& other);

}  // namespace metricaudit
