// The catalogue: every named reading of a state that a logged "accuracy" or
// "loss" could be, with the libraries that compute it that way. The audit's
// matcher and the `explain` views read a state under all of them at once.
//
// Each row is a convention (its id derived from it: reading_id), a description, the
// libraries, and the audit rule the reading stands for when it, and not the reading
// the logged name implies, explains a logged value. The audit looks rows up; it
// compares no ids of its own.
#pragma once

#include <string>
#include <vector>

#include "metricaudit/convention.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/sufficient_state.hpp"

namespace metricaudit {

/// What a logged metric is, as far as the catalogue reads it: which readings it could be.
enum class MetricKind { accuracy, loss, precision, recall, f1, balanced_accuracy };

/// "accuracy", "loss", "precision", "recall", "f1", "balanced_accuracy".
const char* kind_name(MetricKind kind);

/// One reading of a state: a catalogue row with its value.
template <typename Conv>
struct CandidateOf {
  std::string id;           ///< reading_id(convention), e.g. "accuracy.macro.absent_zero"
  std::string rule;         ///< audit rule id this reading stands for, e.g. "MA001"
  std::string description;  ///< one line for people
  std::string libraries;    ///< who computes it this way (library, version, API)
  Conv convention;
  double value = 0.0;       ///< NaN when unavailable
  std::string unavailable;  ///< why, when value is NaN because the state cannot support it
};

/// A reading of a multi-class state.
using Candidate = CandidateOf<Convention>;
/// A reading of a binary / multilabel state.
using LabelwiseCandidate = CandidateOf<LabelwiseConvention>;

/// What the scores are, when the caller knows (a dump's `logits` or `probs` array).
/// `infer` reads scores that all lie in [0, 1] as probabilities.
enum class ScoresAre { infer, logits, probabilities };

/// A reading's catalogue id: the convention's id, except that a loss on logits read
/// on scores that are probabilities is named for what it then computes:
/// `loss.softmax_twice` (multi-class), `loss.sigmoid_twice` (binary / multilabel).
std::string reading_id(const Convention& convention, bool on_probabilities);
std::string reading_id(const LabelwiseConvention& convention, bool on_probabilities);

/// Every reading of `kind` the catalogue knows, in a fixed order. The logits-family
/// loss is named `loss.softmax_twice` on probabilities and `loss.logits` otherwise.
/// Precision, recall and F1: micro, macro (absent classes as 0, or left out), weighted,
/// and sklearn's zero_division=1 / nan where they change the value; balanced accuracy:
/// sklearn's (plain and adjusted) and the accuracy averages it is confused with.
std::vector<Candidate> catalogue(const SufficientState& state, MetricKind kind,
                                 ScoresAre scores = ScoresAre::infer);

/// Every binary / multilabel reading of `kind`, in a fixed order: accuracy thresholded
/// on the raw scores, after a sigmoid, and under torchmetrics' automatic rule
/// (element-wise over labels); for L > 1 also the per-label macro mean and subset
/// accuracy. Losses: binary cross-entropy with logits (named `loss.sigmoid_twice` on
/// probabilities, `loss.bce_logits` otherwise), torch BCELoss and Keras
/// binary_crossentropy on probabilities. Precision, recall, F1 and balanced accuracy: none
/// yet (an empty list).
std::vector<LabelwiseCandidate> catalogue(const LabelwiseState& state, MetricKind kind,
                                          ScoresAre scores = ScoresAre::infer);

}  // namespace metricaudit
