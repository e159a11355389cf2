// The named profiles. Each entry cites the file its rules were read from; the
// golden-vector tests (tests/golden) check them against the libraries' output.
#include "metricaudit/profiles.hpp"

#include <array>
#include <string>

#include "metricaudit/error.hpp"

namespace metricaudit {
namespace {

// Designated fields, in Profile's order; each row cites where its rules were read. A
// library's later (or earlier) version, and the default, state only what differs.

// torchmetrics >= 1.0: macro weights classes with tp + fp + fn == 0 by 0 at top_k = 1
// and classes with tp + fn == 0 at top_k > 1 (>= 1.3.2) -- except F1, whose
// _fbeta_reduce does not pass top_k on and so keeps the tp + fp + fn rule
// (src/torchmetrics/functional/classification/f_beta.py; tests/golden/FINDINGS.md).
// src/torchmetrics/utilities/compute.py, _adjust_weights_safe_divide (v1.x). At
// top_k > 1 every class of the top-k set is a predicted positive (select_topk,
// src/torchmetrics/utilities/data.py; checked on 1.5.2), as in 0.9 - 0.11.
// Binary / multilabel: sigmoid when a score leaves [0, 1] (_binary_stat_scores_format);
// Multilabel* default to average="macro". torchmetrics has no cross-entropy: its users
// log torch's, BCEWithLogitsLoss by default.
constexpr Profile kTorchmetrics1 = {
    .name = "torchmetrics-1",
    .library = "torchmetrics 1.0 - 1.6.0 (MulticlassAccuracy)",
    .source = "src/torchmetrics/utilities/compute.py@v1.x (_adjust_weights_safe_divide)",
    .default_average = Average::macro,
    .score_average = Average::macro,
    .absent = Absent::exclude_unseen,
    .absent_top_k = Absent::exclude_no_support,
    .f1_absent_top_k = Absent::exclude_unseen,
    .zero_division = ZeroDivision::zero,
    .ties = TieRule::torch_topk,
    .topk_predicted = TopKPredicted::whole_set,
    .loss = LossFamily::logits,
    .weight_norm = ClassWeightNorm::target_weight_sum,
    .target_form = TargetForm::index,
    .score_cast = ScoreCast::as_given,
    .reading = ScoreReading::torchmetrics_auto,
    .multilabel = MultilabelAccuracy::labelwise,
    .labelwise_average = Average::macro,
    .binary_loss = BinaryLossFamily::torch_logits};

// torchmetrics 0.10.0 - 0.11.4: MulticlassAccuracy defaults to average="macro" and
// averages over all C classes; an absent class scores 0 (_safe_divide 0/0 -> 0).
// src/torchmetrics/functional/classification/stat_scores.py, _reduce_stat_scores (v0.11.4).
constexpr Profile kTorchmetrics011 = [] {
  Profile p = kTorchmetrics1;
  p.name = "torchmetrics-0.11";
  p.library = "torchmetrics 0.10.0 - 0.11.4 (MulticlassAccuracy)";
  p.source = "src/torchmetrics/functional/classification/stat_scores.py@v0.11.4";
  p.absent = p.absent_top_k = p.f1_absent_top_k = Absent::zero;
  return p;
}();

// torchmetrics <= 0.9: legacy `Accuracy` defaults to average="micro"; its macro
// leaves out classes with tp + fp + fn == 0.
// src/torchmetrics/functional/classification/accuracy.py (v0.9.3). Binary /
// multilabel defaults unverified (legacy Accuracy: element-wise, average="micro").
constexpr Profile kTorchmetrics09 = [] {
  Profile p = kTorchmetrics1;
  p.name = "torchmetrics-0.9";
  p.library = "torchmetrics <= 0.9.3 (legacy Accuracy)";
  p.source = "src/torchmetrics/functional/classification/accuracy.py@v0.9.3";
  p.default_average = p.labelwise_average = Average::micro;
  p.absent = p.absent_top_k = p.f1_absent_top_k = Absent::exclude_unseen;
  return p;
}();

// torchmetrics >= 1.6.1: as 1.x, except that at top_k > 1 a sample predicts the target
// on a hit and its top-1 class otherwise (_refine_preds_oh), so precision and F1 at
// k count one predicted class per sample.
// src/torchmetrics/functional/classification/stat_scores.py@v1.6.1. Not checked
// against the library here (1.6 needs torch >= 2.0; tests/golden/FINDINGS.md).
constexpr Profile kTorchmetrics16 = [] {
  Profile p = kTorchmetrics1;
  p.name = "torchmetrics-1.6";
  p.library = "torchmetrics >= 1.6.1 (MulticlassAccuracy)";
  p.source = "src/torchmetrics/functional/classification/stat_scores.py@v1.6.1 (_refine_preds_oh)";
  p.topk_predicted = TopKPredicted::top1_on_miss;
  return p;
}();

// scikit-learn: accuracy_score is micro; precision_score, recall_score and f1_score
// default to average="binary" (pos_label=1); recall_score(average="macro") averages
// over the union of labels in y_true and y_pred; top_k_accuracy_score ranks with a
// stable argsort reversed (ties: highest index first); log_loss (>= 1.5) clips to
// [eps, 1 - eps] of the dtype without renormalising, (N,) scores being class 1's
// probability. Binary / multilabel: thresholds the scores as given; accuracy_score on
// multilabel indicators is subset accuracy.
// sklearn/metrics/_classification.py, sklearn/metrics/_ranking.py (1.5 - 1.9).
constexpr Profile kSklearn = {.name = "sklearn",
                              .library = "scikit-learn >= 1.5",
                              .source = "sklearn/metrics/_classification.py, _ranking.py",
                              .default_average = Average::micro,
                              .score_average = Average::binary,
                              .absent = Absent::exclude_unseen,
                              .absent_top_k = Absent::exclude_unseen,
                              .f1_absent_top_k = Absent::exclude_unseen,
                              .zero_division = ZeroDivision::zero,
                              .ties = TieRule::high_index_first,
                              .topk_predicted = TopKPredicted::top1_on_miss,
                              .loss = LossFamily::sklearn_probabilities,
                              .weight_norm = ClassWeightNorm::target_weight_sum,
                              .target_form = TargetForm::index,
                              .score_cast = ScoreCast::as_given,
                              .reading = ScoreReading::raw,
                              .multilabel = MultilabelAccuracy::subset,
                              .labelwise_average = Average::binary,
                              .binary_loss = BinaryLossFamily::sklearn_probabilities};

// scikit-learn <= 1.1: log_loss clips to [1e-15, 1 - 1e-15] and renormalises rows.
constexpr Profile kSklearn11 = [] {
  Profile p = kSklearn;
  p.name = "sklearn-1.1";
  p.library = "scikit-learn <= 1.1";
  p.source = "sklearn/metrics/_classification.py@1.1 (log_loss)";
  p.loss = LossFamily::sklearn_legacy_probabilities;
  p.binary_loss = BinaryLossFamily::sklearn_legacy_probabilities;
  return p;
}();

// Keras 3: (sparse_)categorical_accuracy is micro (argmax, sample-weighted mean);
// top_k_categorical_accuracy uses in_top_k (ties at the boundary count as hits, at
// k = 1 too); losses default to from_logits=False: renormalise, clip to
// [1e-7, 1 - 1e-7] in float32; reduction "sum_over_batch_size" divides by the sample
// count; cross-entropy multiplies a one-hot target (sparse targets are one-hot
// first). "accuracy" on a 2-D target is CategoricalAccuracy (compile_utils.py); on
// the jax backend everything runs in float32 with subnormals flushed.
// keras/src/metrics/accuracy_metrics.py, keras/src/losses/losses.py,
// keras/src/backend/jax/nn.py, keras/src/trainers/compile_utils.py.
constexpr Profile kKeras = {
    .name = "keras",
    .library = "Keras 3, jax backend (and tf.keras 2.x)",
    .source = "keras/src/metrics/accuracy_metrics.py, keras/src/losses/losses.py",
    .default_average = Average::micro,
    .score_average = Average::macro,
    .absent = Absent::exclude_unseen,
    .absent_top_k = Absent::exclude_unseen,
    .f1_absent_top_k = Absent::exclude_unseen,
    .zero_division = ZeroDivision::zero,
    .ties = TieRule::optimistic,
    .topk_predicted = TopKPredicted::top1_on_miss,
    .loss = LossFamily::keras_probabilities,
    .weight_norm = ClassWeightNorm::sample_count,
    .target_form = TargetForm::one_hot,
    .score_cast = ScoreCast::float32_flush_subnormals,
    .reading = ScoreReading::raw,
    .multilabel = MultilabelAccuracy::categorical,
    .labelwise_average = Average::micro,
    .binary_loss = BinaryLossFamily::keras_probabilities};

// torch.nn: CrossEntropyLoss on logits; a class-weighted mean divides by the sum of
// the target classes' weights; binary cross-entropy is BCEWithLogitsLoss (BCELoss:
// loss="torch_probabilities"). aten/src/ATen/native/LossNLL.cpp, torch/nn/modules/loss.py.
constexpr Profile kTorchNn = [] {
  Profile p = kKeras;  // micro accuracy, macro scores, classes seen: as Keras, but torch's
  p.name = "torch.nn";
  p.library = "PyTorch torch.nn.CrossEntropyLoss";
  p.source = "aten/src/ATen/native/LossNLL.cpp";
  p.ties = TieRule::torch_topk;
  p.loss = LossFamily::logits;
  p.weight_norm = ClassWeightNorm::target_weight_sum;
  p.target_form = TargetForm::index;
  p.score_cast = ScoreCast::as_given;
  p.multilabel = MultilabelAccuracy::labelwise;
  p.binary_loss = BinaryLossFamily::torch_logits;
  return p;
}();

// What applies when no profile is named: torch.nn's, with ties by class index (micro
// accuracy, macro precision / recall / F1 over the classes seen, zero_division 0,
// cross-entropy on logits with torch's weight normalisation; binary scores thresholded
// as given, multilabel accuracy element-wise, binary cross-entropy on logits).
constexpr Profile kDefault = [] {
  Profile p = kTorchNn;
  p.name = "default";
  p.library = "metricaudit's defaults (no profile named)";
  p.source = "metrics/src/profiles.cpp";
  p.ties = TieRule::index_order;
  return p;
}();

constexpr std::array<Profile, 9> kProfiles = {kTorchmetrics09, kTorchmetrics011, kTorchmetrics1,
                                              kTorchmetrics16, kSklearn,         kSklearn11,
                                              kKeras,          kTorchNn,         kDefault};

}  // namespace

std::span<const Profile> profiles() {
  return kProfiles;
}

const Profile& default_profile() {
  return kProfiles.back();
}

const Profile& find_profile(std::string_view name) {
  for (const auto& p : kProfiles) {
    if (p.name == name) return p;
  }
  std::string known;
  for (const auto& p : kProfiles) {
    if (!known.empty()) known += ", ";
    known += p.name;
  }
  throw InvalidArgument("profile: unknown name '" + std::string(name) + "'; expected one of " +
                        known);
}

Convention resolve(const Profile& profile, Metric metric, const ConventionOverrides& o) {
  Convention c;
  c.metric = metric;
  const bool classification = metric == Metric::accuracy || metric == Metric::precision ||
                              metric == Metric::recall || metric == Metric::f1;
  // Accuracy has the library's accuracy default; precision, recall and F1 its own
  // (torchmetrics: macro; sklearn: binary).
  const Average class_default =
      metric == Metric::accuracy ? profile.default_average : profile.score_average;
  // Only the classification metrics average over classes; the others read as micro
  // whatever was asked, so that average="none" never asks them for per-class values.
  c.average = classification ? o.average.value_or(class_default) : Average::micro;
  c.top_k = o.top_k.value_or(1);
  const Absent top_k_rule = metric == Metric::f1 ? profile.f1_absent_top_k : profile.absent_top_k;
  c.absent = o.absent.value_or(c.top_k > 1 ? top_k_rule : profile.absent);
  c.zero_division = o.zero_division.value_or(profile.zero_division);
  // A profile's tie rule is that of its top-k API, which an explicit top_k calls, at
  // k = 1 too (Keras' in_top_k counts a tie as a hit; sklearn's top_k_accuracy_score
  // ranks ties highest index first). Without top_k, accuracy is every library's
  // first-index argmax (sklearn users pass np.argmax labels to accuracy_score, Keras
  // categorical_accuracy is an argmax). torch_topk at k = 1 is that argmax too
  // (torchmetrics takes argmax at top_k = 1), read as index_order.
  c.ties = o.ties.value_or(o.top_k ? profile.ties : TieRule::index_order);
  if (c.top_k == 1 && c.ties == TieRule::torch_topk) c.ties = TieRule::index_order;
  c.topk_predicted = o.topk_predicted.value_or(profile.topk_predicted);
  c.adjusted = o.adjusted.value_or(false);
  c.loss = o.loss.value_or(profile.loss);
  c.weight_norm = o.weight_norm.value_or(profile.weight_norm);
  c.class_weights = o.class_weights.value_or(std::vector<double>{});
  c.label_smoothing = o.label_smoothing.value_or(0.0);
  c.reduction = o.reduction.value_or(Reduction::mean);
  c.target_form = o.target_form.value_or(profile.target_form);
  return c;
}

LabelwiseConvention resolve(const Profile& profile, LabelwiseMetric metric,
                            const LabelwiseOverrides& o) {
  LabelwiseConvention c;
  c.metric = metric;
  c.reading = o.reading.value_or(profile.reading);
  c.loss = o.loss.value_or(profile.binary_loss);
  c.reduction = o.reduction.value_or(Reduction::mean);
  c.average = o.average.value_or(profile.labelwise_average);
  // torchmetrics (_adjust_weights_safe_divide with multilabel=True) and sklearn (labels =
  // every column) average over all labels.
  c.absent = o.absent.value_or(Absent::zero);
  c.zero_division = o.zero_division.value_or(profile.zero_division);
  if (metric == LabelwiseMetric::subset_accuracy ||
      metric == LabelwiseMetric::binary_cross_entropy) {
    c.average = Average::micro;  // one number per evaluation, never per label
  }
  if (metric == LabelwiseMetric::accuracy) {
    if (c.average == Average::binary) c.average = Average::micro;  // no positive class
    switch (o.multilabel.value_or(profile.multilabel)) {
      case MultilabelAccuracy::subset:
        c.metric = LabelwiseMetric::subset_accuracy;
        c.average = Average::micro;
        break;
      case MultilabelAccuracy::elementwise:
      // On a LabelwiseState, categorical is Keras' binary_accuracy: its one-label case;
      // more labels are read from a multi-class state of the target's argmax instead.
      case MultilabelAccuracy::categorical:
        c.average = Average::micro;
        break;
      case MultilabelAccuracy::labelwise:
        break;
    }
  }
  return c;
}

}  // namespace metricaudit
