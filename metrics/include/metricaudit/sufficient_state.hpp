// SufficientState: everything one pass over a multi-class evaluation needs to
// keep so that every convention of the catalogue can be read from it, in O(C)
// memory. States merge by addition (counts are integers, sums are ExactSum), so
// batches, threads and machines combine the same way, in any order, bit for bit.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "metricaudit/exact_sum.hpp"
#include "metricaudit/state_options.hpp"
#include "metricaudit/vocabulary.hpp"

namespace metricaudit {

/// Loss sums of one family: per target class (so class weights are a reading),
/// plus the label-smoothing total.
struct LossSums {
  bool enabled = false;             ///< requested in StateOptions::losses
  bool available = false;           ///< enabled and computed for every sample so far
  std::vector<ExactSum> by_class;   ///< sum over samples with target c of w_n * l_n
  ExactSum smoothing;               ///< sum over samples of w_n * sum_c(-log p_nc)
  std::int64_t infinite_terms = 0;  ///< samples whose loss is +inf (e.g. -inf logit at the target)
  std::int64_t infinite_smoothing =
      0;  ///< samples whose smoothing term is +inf (a -inf logit anywhere)
  /// StateOptions::smoothing_columns (logits family only): per class column c,
  /// sum over samples of w_n * -log p_nc, and the samples where that term is +inf
  /// (z_nc = -inf). Empty otherwise.
  std::vector<ExactSum> smoothing_by_column;
  std::vector<std::int64_t> infinite_by_column;
};

class SufficientState {
 public:
  explicit SufficientState(StateOptions options);

  const StateOptions& options() const { return options_; }
  std::int64_t num_classes() const { return options_.num_classes; }

  /// Adds another state of the same options (exact; any order gives the same bits).
  /// IncompatibleError when the options differ.
  void merge(const SufficientState& other);
  /// Allocates the weighted sums, seeding them with weight 1 per sample seen so far
  /// (the passes call this when the first weighted batch arrives).
  void promote_to_weighted();
  friend bool operator==(const SufficientState& a, const SufficientState& b);

  // ---- totals -------------------------------------------------------------
  std::int64_t samples = 0;             ///< samples counted (ignored ones excluded)
  std::int64_t ignored = 0;             ///< samples dropped by ignore_index
  std::int64_t batches = 0;             ///< update calls that contributed
  bool has_scores = false;              ///< scores seen (false: predicted labels only)
  bool mixed_inputs = false;            ///< some batches had scores and some had labels only
  bool weighted = false;                ///< a sample_weight was given for some batch
  bool scores_in_unit_interval = true;  ///< every score seen lies in [0, 1]

  // ---- per class (size C) -------------------------------------------------
  std::vector<std::int64_t> tp;         ///< argmax == target == c
  std::vector<std::int64_t> predicted;  ///< argmax == c
  std::vector<std::int64_t> support;    ///< target == c

  /// Sample-weighted versions (allocated once a weighted batch arrives; an
  /// unweighted batch contributes weight 1 per sample).
  std::vector<ExactSum> w_tp, w_predicted, w_support;
  ExactSum w_total;

  /// rank_histogram[rule][r]: samples whose target ranks r-th (0 = top) under the tie rule.
  std::array<std::vector<std::int64_t>, kTieRules> rank_histogram;
  /// Per requested k (options().top_k order), under TieRule::torch_topk (at k = 1:
  /// the first-index argmax): hits by target class, and misses by the class
  /// predicted first.
  std::vector<std::vector<std::int64_t>> topk_hits_by_class;
  std::vector<std::vector<std::int64_t>> topk_misses_by_predicted;
  /// Per requested k, when StateOptions::topk_sets: rows whose k predicted classes
  /// (torch.topk's set; at k = 1 the argmax) include c. Empty vectors otherwise.
  std::vector<std::vector<std::int64_t>> topk_set_by_class;
  /// Per requested k: rows whose target tied with other classes across the k
  /// boundary. Where it is 0, torch_topk and index_order agree on every row.
  std::vector<std::int64_t> topk_boundary_ties;
  /// Weighted micro top-k hits per requested k (torch_topk rule).
  std::vector<ExactSum> w_topk_hits;
  /// Weighted micro top-k hits per tie rule with a rank histogram and requested k:
  /// [rule][j]. Keras in_top_k (optimistic) and sklearn top_k_accuracy_score
  /// (high_index_first) take sample weights; the histograms count samples only.
  std::array<std::vector<ExactSum>, kTieRules> w_topk_hits_by_rule;

  /// Element-wise binary reading (score > threshold) against one-hot targets:
  /// correct cells, out of samples * C cells.
  std::int64_t elementwise_correct = 0;
  ExactSum w_elementwise_correct;  ///< weighted: sum of w_n * correct cells of row n

  std::array<LossSums, kLossFamilies> losses;

  /// Dense confusion matrix, row = target, column = argmax; empty unless requested.
  std::vector<std::int64_t> confusion;

 private:
  StateOptions options_;
};

}  // namespace metricaudit
