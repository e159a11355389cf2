// The named profiles. Each entry cites the file its rules were read from; the
// golden-vector tests (tests/golden) check them against the libraries' output.
#include "metricaudit/profiles.hpp"

#include <array>
#include <string>

#include "metricaudit/error.hpp"

namespace metricaudit {
namespace {

constexpr std::array<Profile, 9> kProfiles = {{
    // torchmetrics <= 0.9: legacy `Accuracy` defaults to average="micro"; its macro
    // leaves out classes with tp + fp + fn == 0.
    // src/torchmetrics/functional/classification/accuracy.py (v0.9.3).
    {"torchmetrics-0.9", "torchmetrics <= 0.9.3 (legacy Accuracy)",
     "src/torchmetrics/functional/classification/accuracy.py@v0.9.3", Average::micro,
     Absent::exclude_unseen, Absent::exclude_unseen, Absent::exclude_unseen, ZeroDivision::zero,
     TieRule::torch_topk, TopKPredicted::whole_set, LossFamily::logits,
     ClassWeightNorm::target_weight_sum,
     // Binary / multilabel: legacy Accuracy is element-wise (average="micro") (unverified).
     ScoreReading::torchmetrics_auto, MultilabelAccuracy::labelwise, Average::micro,
     BinaryLossFamily::torch_logits},
    // torchmetrics 0.10.0 - 0.11.4: MulticlassAccuracy defaults to average="macro" and
    // averages over all C classes; an absent class scores 0 (_safe_divide 0/0 -> 0).
    // src/torchmetrics/functional/classification/stat_scores.py, _reduce_stat_scores (v0.11.4).
    {"torchmetrics-0.11", "torchmetrics 0.10.0 - 0.11.4 (MulticlassAccuracy)",
     "src/torchmetrics/functional/classification/stat_scores.py@v0.11.4", Average::macro,
     Absent::zero, Absent::zero, Absent::zero, ZeroDivision::zero, TieRule::torch_topk,
     TopKPredicted::whole_set, LossFamily::logits, ClassWeightNorm::target_weight_sum,
     // Binary / multilabel: sigmoid when a score leaves [0, 1] (_binary_stat_scores_format);
     // Multilabel* default to average="macro".
     ScoreReading::torchmetrics_auto, MultilabelAccuracy::labelwise, Average::macro,
     BinaryLossFamily::torch_logits},
    // torchmetrics >= 1.0: macro weights classes with tp + fp + fn == 0 by 0 at top_k = 1
    // and classes with tp + fn == 0 at top_k > 1 (>= 1.3.2) -- except F1, whose
    // _fbeta_reduce does not pass top_k on and so keeps the tp + fp + fn rule
    // (src/torchmetrics/functional/classification/f_beta.py; tests/golden/FINDINGS.md).
    // src/torchmetrics/utilities/compute.py, _adjust_weights_safe_divide (v1.x). At
    // top_k > 1 every class of the top-k set is a predicted positive (select_topk,
    // src/torchmetrics/utilities/data.py; checked on 1.5.2), as in 0.9 - 0.11.
    {"torchmetrics-1", "torchmetrics 1.0 - 1.6.0 (MulticlassAccuracy)",
     "src/torchmetrics/utilities/compute.py@v1.x (_adjust_weights_safe_divide)", Average::macro,
     Absent::exclude_unseen, Absent::exclude_no_support, Absent::exclude_unseen, ZeroDivision::zero,
     TieRule::torch_topk, TopKPredicted::whole_set, LossFamily::logits,
     ClassWeightNorm::target_weight_sum, ScoreReading::torchmetrics_auto,
     MultilabelAccuracy::labelwise, Average::macro, BinaryLossFamily::torch_logits},
    // torchmetrics >= 1.6.1: as 1.x, except that at top_k > 1 a sample predicts the target
    // on a hit and its top-1 class otherwise (_refine_preds_oh), so precision and F1 at
    // k count one predicted class per sample.
    // src/torchmetrics/functional/classification/stat_scores.py@v1.6.1. Not checked
    // against the library here (1.6 needs torch >= 2.0; tests/golden/FINDINGS.md).
    {"torchmetrics-1.6", "torchmetrics >= 1.6.1 (MulticlassAccuracy)",
     "src/torchmetrics/functional/classification/stat_scores.py@v1.6.1 (_refine_preds_oh)",
     Average::macro, Absent::exclude_unseen, Absent::exclude_no_support, Absent::exclude_unseen,
     ZeroDivision::zero, TieRule::torch_topk, TopKPredicted::top1_on_miss, LossFamily::logits,
     ClassWeightNorm::target_weight_sum, ScoreReading::torchmetrics_auto,
     MultilabelAccuracy::labelwise, Average::macro, BinaryLossFamily::torch_logits},
    // scikit-learn: accuracy_score is micro; recall_score(average="macro") averages over
    // the union of labels in y_true and y_pred; top_k_accuracy_score ranks with a stable
    // argsort reversed (ties: highest index first); log_loss (>= 1.5) clips to
    // [eps, 1 - eps] of the dtype without renormalising.
    // sklearn/metrics/_classification.py, sklearn/metrics/_ranking.py (1.5 - 1.9).
    {"sklearn", "scikit-learn >= 1.5", "sklearn/metrics/_classification.py, _ranking.py",
     Average::micro, Absent::exclude_unseen, Absent::exclude_unseen, Absent::exclude_unseen,
     ZeroDivision::zero, TieRule::high_index_first, TopKPredicted::top1_on_miss,
     LossFamily::sklearn_probabilities, ClassWeightNorm::target_weight_sum,
     // Binary / multilabel: thresholds the scores as given; accuracy_score on multilabel
     // indicators is subset accuracy.
     ScoreReading::raw, MultilabelAccuracy::subset, Average::micro, BinaryLossFamily::torch_logits},
    // scikit-learn <= 1.1: log_loss clips to [1e-15, 1 - 1e-15] and renormalises rows.
    {"sklearn-1.1", "scikit-learn <= 1.1", "sklearn/metrics/_classification.py@1.1 (log_loss)",
     Average::micro, Absent::exclude_unseen, Absent::exclude_unseen, Absent::exclude_unseen,
     ZeroDivision::zero, TieRule::high_index_first, TopKPredicted::top1_on_miss,
     LossFamily::sklearn_legacy_probabilities, ClassWeightNorm::target_weight_sum,
     ScoreReading::raw, MultilabelAccuracy::subset, Average::micro, BinaryLossFamily::torch_logits},
    // Keras 3: (sparse_)categorical_accuracy is micro (argmax, sample-weighted mean);
    // top_k_categorical_accuracy uses in_top_k (ties at the boundary count as hits);
    // losses default to from_logits=False: renormalise, clip to [1e-7, 1 - 1e-7];
    // reduction "sum_over_batch_size" divides by the sample count.
    // keras/src/metrics/accuracy_metrics.py, keras/src/losses/losses.py, keras/src/backend/*/nn.py.
    {"keras", "Keras 3 (and tf.keras 2.x)",
     "keras/src/metrics/accuracy_metrics.py, keras/src/losses/losses.py", Average::micro,
     Absent::exclude_unseen, Absent::exclude_unseen, Absent::exclude_unseen, ZeroDivision::zero,
     TieRule::optimistic, TopKPredicted::top1_on_miss, LossFamily::keras_probabilities,
     ClassWeightNorm::sample_count,
     // Binary / multilabel: binary_accuracy thresholds the scores as given, element-wise;
     // binary_crossentropy reads probabilities (from_logits=False).
     ScoreReading::raw, MultilabelAccuracy::labelwise, Average::micro,
     BinaryLossFamily::keras_probabilities},
    // torch.nn: CrossEntropyLoss on logits; a class-weighted mean divides by the sum of
    // the target classes' weights. aten/src/ATen/native/LossNLL.cpp, torch/nn/modules/loss.py.
    {"torch.nn", "PyTorch torch.nn.CrossEntropyLoss", "aten/src/ATen/native/LossNLL.cpp",
     Average::micro, Absent::exclude_unseen, Absent::exclude_unseen, Absent::exclude_unseen,
     ZeroDivision::zero, TieRule::torch_topk, TopKPredicted::top1_on_miss, LossFamily::logits,
     ClassWeightNorm::target_weight_sum, ScoreReading::raw, MultilabelAccuracy::labelwise,
     Average::micro, BinaryLossFamily::torch_logits},
    // What applies when no profile is named: micro accuracy, macro over the classes seen,
    // zero_division 0, ties by class index, cross-entropy on logits with torch's weight
    // normalisation; binary scores thresholded as given, multilabel accuracy element-wise,
    // binary cross-entropy on logits (BCEWithLogitsLoss).
    {"default", "metricaudit's defaults (no profile named)", "metrics/src/profiles.cpp",
     Average::micro, Absent::exclude_unseen, Absent::exclude_unseen, Absent::exclude_unseen,
     ZeroDivision::zero, TieRule::index_order, TopKPredicted::top1_on_miss, LossFamily::logits,
     ClassWeightNorm::target_weight_sum, ScoreReading::raw, MultilabelAccuracy::labelwise,
     Average::micro, BinaryLossFamily::torch_logits},
}};

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
  // torchmetrics' Multiclass{Precision,Recall,F1Score} default to macro like its
  // accuracy; for the others an explicit average is the usual call, and macro the
  // only multi-class reading that differs from accuracy.
  const Average class_default =
      metric == Metric::accuracy ? profile.default_average : Average::macro;
  // Only the classification metrics average over classes; the others read as micro
  // whatever was asked, so that average="none" never asks them for per-class values.
  c.average = classification ? o.average.value_or(class_default) : Average::micro;
  c.top_k = o.top_k.value_or(1);
  const Absent top_k_rule = metric == Metric::f1 ? profile.f1_absent_top_k : profile.absent_top_k;
  c.absent = o.absent.value_or(c.top_k > 1 ? top_k_rule : profile.absent);
  c.zero_division = o.zero_division.value_or(profile.zero_division);
  // A profile's tie rule is that of its top-k API; at k = 1 every library takes
  // the first-index argmax (sklearn users pass np.argmax labels to accuracy_score,
  // Keras categorical_accuracy uses argmax), so ties default to index order there.
  c.ties = o.ties.value_or(c.top_k > 1 ? profile.ties : TieRule::index_order);
  c.topk_predicted = o.topk_predicted.value_or(profile.topk_predicted);
  c.adjusted = o.adjusted.value_or(false);
  c.loss = o.loss.value_or(profile.loss);
  c.weight_norm = o.weight_norm.value_or(profile.weight_norm);
  c.class_weights = o.class_weights.value_or(std::vector<double>{});
  c.label_smoothing = o.label_smoothing.value_or(0.0);
  c.reduction = o.reduction.value_or(Reduction::mean);
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
    switch (o.multilabel.value_or(profile.multilabel)) {
      case MultilabelAccuracy::subset:
        c.metric = LabelwiseMetric::subset_accuracy;
        c.average = Average::micro;
        break;
      case MultilabelAccuracy::elementwise:
        c.average = Average::micro;
        break;
      case MultilabelAccuracy::labelwise:
        break;
    }
  }
  return c;
}

}  // namespace metricaudit
