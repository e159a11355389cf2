// The catalogue: every named reading of a state that a logged "accuracy" or
// "loss" could be, with the libraries that compute it that way. The audit's
// matcher and the `explain` views read a state under all of them at once.
#pragma once

#include <string>
#include <vector>

#include "metricaudit/convention.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

enum class MetricKind { accuracy, loss };

struct Candidate {
  std::string id;           ///< stable id, e.g. "accuracy.macro.absent_zero"
  std::string description;  ///< one line for people
  std::string libraries;    ///< who computes it this way (library, version, API)
  Convention convention;
  double value = 0.0;       ///< NaN when unavailable
  std::string unavailable;  ///< why, when value is NaN because the state cannot support it
};

/// What the scores are, when the caller knows (a dump's `logits` or `probs` array).
/// `infer` reads scores that all lie in [0, 1] as probabilities.
enum class ScoresAre { infer, logits, probabilities };

/// Every reading of `kind` the catalogue knows, in a fixed order. The logits-family
/// loss is named `loss.softmax_twice` on probabilities and `loss.logits` otherwise.
std::vector<Candidate> catalogue(const SufficientState& state, MetricKind kind,
                                 ScoresAre scores = ScoresAre::infer);

/// A reading of a binary / multilabel state: the same fields as Candidate, with the
/// labelwise convention that produced the value.
struct LabelwiseCandidate {
  std::string id;  ///< stable id, e.g. "accuracy.binary.raw"
  std::string description;
  std::string libraries;
  LabelwiseConvention convention;
  double value = 0.0;       ///< NaN when unavailable
  std::string unavailable;  ///< why, when value is NaN because the state cannot support it
};

/// Every binary / multilabel reading of `kind`, in a fixed order: accuracy thresholded
/// on the raw scores, after a sigmoid, and under torchmetrics' automatic rule
/// (element-wise over labels); for L > 1 also the per-label macro mean and subset
/// accuracy. Losses: binary cross-entropy with logits (named `loss.sigmoid_twice` on
/// probabilities, `loss.bce_logits` otherwise), torch BCELoss and Keras
/// binary_crossentropy on probabilities.
std::vector<LabelwiseCandidate> catalogue(const LabelwiseState& state, MetricKind kind,
                                          ScoresAre scores = ScoresAre::infer);

}  // namespace metricaudit
