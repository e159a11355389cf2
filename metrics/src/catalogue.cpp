// The catalogue of readings a logged "accuracy" or "loss" could be. The order is
// fixed (the audit reports the first explaining candidate first), and each
// entry says which libraries compute it that way.
#include "metricaudit/catalogue.hpp"

#include <cmath>
#include <limits>
#include <string_view>

#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit {
namespace {

// A catalogue row read from the state: its id derived from the convention, a reading
// the state cannot support kept as NaN with the reason. Multi-class and labelwise alike.
template <typename State, typename Conv>
CandidateOf<Conv> make(const State& state, bool probabilities, const char* rule,
                       std::string description, std::string libraries, Conv convention) {
  CandidateOf<Conv> c{reading_id(convention, probabilities),
                      rule,
                      std::move(description),
                      std::move(libraries),
                      std::move(convention),
                      std::numeric_limits<double>::quiet_NaN(),
                      {}};
  try {
    c.value = read(state, c.convention);
  } catch (const Error& e) {
    c.unavailable = e.what();
  }
  return c;
}

bool read_as_probabilities(bool scores_in_unit_interval, ScoresAre scores) {
  return scores == ScoresAre::probabilities ||
         (scores == ScoresAre::infer && scores_in_unit_interval);
}

Convention accuracy(Average average, Absent absent = Absent::exclude_unseen) {
  Convention c;
  c.metric = Metric::accuracy;
  c.average = average;
  c.absent = absent;
  return c;
}

Convention loss(LossFamily family, ClassWeightNorm norm) {
  Convention c;
  c.metric = Metric::cross_entropy;
  c.loss = family;
  c.weight_norm = norm;
  return c;
}

// Rows whose id does not depend on what the scores are.
constexpr bool kAnyScores = false;

void accuracy_candidates(const SufficientState& s, std::vector<Candidate>& out) {
  out.push_back(
      make(s, kAnyScores, "MA004", "fraction of samples whose top-1 class is the target",
           "torchmetrics Accuracy(task='multiclass') and MulticlassAccuracy(average='micro'); "
           "torchmetrics <= 0.9 Accuracy; sklearn accuracy_score; Keras accuracy, "
           "categorical_accuracy, sparse_categorical_accuracy",
           accuracy(Average::micro)));
  out.push_back(
      make(s, kAnyScores, "MA001",
           "mean per-class recall over all C classes; classes absent from the data score 0",
           "torchmetrics 0.10-0.11 MulticlassAccuracy (default average='macro')",
           accuracy(Average::macro, Absent::zero)));
  out.push_back(
      make(s, kAnyScores, "MA002",
           "mean per-class recall over the classes seen in target or predictions",
           "torchmetrics >= 1.0 MulticlassAccuracy (default average='macro'); torchmetrics "
           "<= 0.9 Accuracy(average='macro'); sklearn recall_score(average='macro')",
           accuracy(Average::macro, Absent::exclude_unseen)));
  Convention balanced;
  balanced.metric = Metric::balanced_accuracy;
  out.push_back(make(s, kAnyScores, "MA002",
                     "mean per-class recall over the classes present in the target",
                     "sklearn balanced_accuracy_score", balanced));
  out.push_back(
      make(s, kAnyScores, "MA004",
           "support-weighted mean of per-class recall (equals micro unless samples are ignored)",
           "torchmetrics MulticlassAccuracy(average='weighted'); sklearn "
           "recall_score(average='weighted')",
           accuracy(Average::weighted)));
  Convention elementwise;
  elementwise.metric = Metric::elementwise_binary_accuracy;
  out.push_back(
      make(s, kAnyScores, "MA003",
           "binary accuracy per output cell (score > threshold) against one-hot targets",
           "Keras binary_accuracy: metrics=['accuracy'] with loss='binary_crossentropy' on "
           "one-hot targets (Keras 2.2-2.3, tf.keras v1 path)",
           elementwise));
  for (int k : {2, 3, 5}) {
    if (k > s.num_classes()) break;
    Convention c = accuracy(Average::micro);
    c.top_k = k;
    out.push_back(
        make(s, kAnyScores, "MA004",
             "target among the " + std::to_string(k) + " highest scores (ties by class index)",
             "torchmetrics MulticlassAccuracy(top_k=" + std::to_string(k) +
                 ", average='micro'); Keras top_k_categorical_accuracy(k=" + std::to_string(k) +
                 ") (ties count as hits)",
             c));
  }
}

void loss_candidates(const SufficientState& s, ScoresAre scores, std::vector<Candidate>& out) {
  const bool probabilities = read_as_probabilities(s.scores_in_unit_interval, scores);
  const Convention on_logits = loss(LossFamily::logits, ClassWeightNorm::target_weight_sum);
  if (probabilities) {
    out.push_back(make(
        s, probabilities, "ML001",
        "cross-entropy that applies softmax to scores that are already probabilities",
        "torch.nn.CrossEntropyLoss (or Keras from_logits=True) after a softmax layer", on_logits));
  } else {
    out.push_back(make(s, probabilities, "ML003",
                       "softmax cross-entropy on logits: logsumexp(z) - z_y",
                       "torch.nn.CrossEntropyLoss; torch.nn.functional.cross_entropy; Keras "
                       "CategoricalCrossentropy(from_logits=True)",
                       on_logits));
  }
  out.push_back(make(s, probabilities, "ML003",
                     "cross-entropy on probabilities renormalised and clipped to [1e-7, 1 - 1e-7]",
                     "Keras categorical_crossentropy / sparse_categorical_crossentropy "
                     "(from_logits=False, the default)",
                     loss(LossFamily::keras_probabilities, ClassWeightNorm::sample_count)));
  out.push_back(make(s, probabilities, "ML003",
                     "log loss on probabilities clipped to [eps, 1 - eps] of the dtype",
                     "sklearn log_loss (>= 1.5)",
                     loss(LossFamily::sklearn_probabilities, ClassWeightNorm::target_weight_sum)));
  out.push_back(
      make(s, probabilities, "ML003",
           "log loss on probabilities clipped to [1e-15, 1 - 1e-15] and renormalised",
           "sklearn log_loss (<= 1.1)",
           loss(LossFamily::sklearn_legacy_probabilities, ClassWeightNorm::target_weight_sum)));
  out.push_back(
      make(s, probabilities, "ML002",
           "binary cross-entropy per output cell against one-hot targets, mean over cells",
           "Keras binary_crossentropy on one-hot multi-class targets",
           loss(LossFamily::keras_binary_onehot, ClassWeightNorm::sample_count)));
}

// ---- precision, recall, F1, balanced accuracy ------------------------------------
// Sources: torchmetrics src/torchmetrics/functional/classification/{precision_recall,
// f_beta}.py (Multiclass{Precision,Recall,F1Score}, default average="macro"; 0.10-0.11
// average over all C classes, >= 1.0 leave classes with tp + fp + fn == 0 out:
// utilities/compute.py _adjust_weights_safe_divide); sklearn
// sklearn/metrics/_classification.py (precision_recall_fscore_support: labels = the
// union of y_true and y_pred, zero_division "warn" = 0, 1 or np.nan, which _nanaverage
// leaves out; balanced_accuracy_score). tests/golden/FINDINGS.md items 1-5.

// The metric of a precision, recall or F1 kind.
Metric per_class_metric(MetricKind kind) {
  return kind == MetricKind::precision ? Metric::precision
         : kind == MetricKind::recall  ? Metric::recall
                                       : Metric::f1;
}

// How rows name a metric: its word, the class name torchmetrics (after Multiclass,
// Binary or Multilabel) and Keras give it, and sklearn's function.
struct Names {
  const char* word;
  const char* cls;
  const char* sklearn;
};

Names names_of(Metric m) {
  switch (m) {
    case Metric::precision:
      return {"precision", "Precision", "precision_score"};
    case Metric::recall:
      return {"recall", "Recall", "recall_score"};
    default:
      return {"F1", "F1Score", "f1_score"};
  }
}

Convention per_class(Metric m, Average average, Absent absent = Absent::exclude_unseen,
                     ZeroDivision zd = ZeroDivision::zero) {
  Convention c = accuracy(average, absent);
  c.metric = m;
  c.zero_division = zd;
  return c;
}

// A precision, recall, F1 or balanced accuracy whose average is not what its name (or
// the usual reading of a bare name) implies is a note, MP002: no average is wrong by
// itself. Counting absent classes as 0 is a warning, MP001, as for accuracy.
const char* per_class_rule(const Convention& c) {
  return c.average == Average::macro && c.absent == Absent::zero ? "MP001" : "MP002";
}

void per_class_candidates(const SufficientState& s, Metric m, std::vector<Candidate>& out) {
  const Names n = names_of(m);
  const std::string word = n.word, tm = std::string("Multiclass") + n.cls, sk = n.sklearn;
  auto add = [&](std::string description, std::string libraries, Convention c) {
    const char* rule = per_class_rule(c);
    out.push_back(make(s, kAnyScores, rule, std::move(description), std::move(libraries), c));
  };
  add(word + " of all samples pooled (micro average; equals accuracy: one class per sample)",
      "torchmetrics " + tm + "(average='micro'); sklearn " + sk + "(average='micro')",
      per_class(m, Average::micro));
  add("mean of per-class " + word + " over all C classes; classes absent from the data score 0",
      "torchmetrics 0.10-0.11 " + tm + " (default average='macro')",
      per_class(m, Average::macro, Absent::zero));
  add("mean of per-class " + word + " over the classes seen in target or predictions",
      "torchmetrics >= 1.0 " + tm + " (default average='macro'); sklearn " + sk +
          "(average='macro')",
      per_class(m, Average::macro));
  if (m != Metric::f1) {
    // F1's denominator 2 tp + fp + fn is 0 only for a class that is not seen, which a
    // macro over the classes seen leaves out: zero_division never changes it.
    const std::string empty =
        m == Metric::precision ? "a class never predicted" : "a class with no target";
    add("mean of per-class " + word + " over the classes seen, " + empty + " scoring 1",
        "sklearn " + sk + "(average='macro', zero_division=1)",
        per_class(m, Average::macro, Absent::exclude_unseen, ZeroDivision::one));
    add("mean of per-class " + word + " over the classes seen, " + empty + " left out",
        "sklearn " + sk + "(average='macro', zero_division=np.nan)",
        per_class(m, Average::macro, Absent::exclude_unseen, ZeroDivision::nan));
  }
  add("support-weighted mean of per-class " + word,
      "torchmetrics " + tm + "(average='weighted'); sklearn " + sk + "(average='weighted')",
      per_class(m, Average::weighted));
  if (m == Metric::precision) {
    // Recall needs no such row: a class with no target has weight 0.
    add("support-weighted mean of per-class precision, a class never predicted scoring 1",
        "sklearn precision_score(average='weighted', zero_division=1)",
        per_class(m, Average::weighted, Absent::exclude_unseen, ZeroDivision::one));
  }
}

// A logged balanced accuracy: sklearn's (plain and adjusted), or one of the accuracy
// averages it is taken for (the accuracy catalogue's rows, under the MP rules).
void balanced_candidates(const SufficientState& s, std::vector<Candidate>& out) {
  std::vector<Candidate> accuracy_rows;
  accuracy_candidates(s, accuracy_rows);
  for (Candidate& c : accuracy_rows) {
    const Convention& v = c.convention;
    const bool balanced = v.metric == Metric::balanced_accuracy;
    const bool averaged =
        v.metric == Metric::accuracy && v.top_k == 1 && v.average != Average::weighted;
    if (!balanced && !averaged) continue;
    c.rule = per_class_rule(v);
    out.push_back(std::move(c));
    if (balanced) {
      Convention adjusted = v;
      adjusted.adjusted = true;
      out.push_back(make(s, kAnyScores, "MP002",
                         "balanced accuracy rescaled so that chance scores 0: (s - 1/K) / (1 - "
                         "1/K), K the classes present",
                         "sklearn balanced_accuracy_score(adjusted=True)", adjusted));
    }
  }
}

// ---- binary and multilabel --------------------------------------------------------
// Sources: torchmetrics src/torchmetrics/functional/classification/stat_scores.py
// (_binary_stat_scores_format / _multilabel_stat_scores_format: sigmoid when any element
// is outside [0, 1], then `> threshold`), accuracy.py (BinaryAccuracy, MultilabelAccuracy,
// default average="macro"), exact_match.py (MultilabelExactMatch); Keras
// keras/src/metrics/accuracy_metrics.py (binary_accuracy: y_pred > threshold, no sigmoid)
// and keras/src/backend/*/nn.py (binary_crossentropy: clip to [epsilon, 1 - epsilon]);
// torch aten/src/ATen/native/Loss.cpp (binary_cross_entropy: log clamped at -100;
// binary_cross_entropy_with_logits); sklearn sklearn/metrics/_classification.py
// (accuracy_score on multilabel indicators is subset accuracy).

LabelwiseConvention labelwise_reading(LabelwiseMetric metric, Average average,
                                      ScoreReading reading) {
  LabelwiseConvention c;
  c.metric = metric;
  c.average = average;
  c.reading = reading;
  return c;
}

void labelwise_accuracy_candidates(const LabelwiseState& s, std::vector<LabelwiseCandidate>& out) {
  const bool multilabel = s.num_labels() > 1;
  const std::string over = multilabel ? " per label cell" : "";
  // Raw first: when the raw and the torchmetrics readings coincide (every score in
  // [0, 1]), the raw reading is the one a finding names.
  out.push_back(
      make(s, kAnyScores, "MA005", "score > threshold on the scores as given (no sigmoid)" + over,
           "Keras binary_accuracy / BinaryAccuracy (threshold 0.5, never a sigmoid); "
           "sklearn accuracy_score(y, scores > 0.5); torchmetrics when every score "
           "lies in [0, 1]",
           labelwise_reading(LabelwiseMetric::accuracy, Average::micro, ScoreReading::raw)));
  out.push_back(
      make(s, kAnyScores, "MA004", "sigmoid, then > threshold" + over,
           "torchmetrics BinaryAccuracy / MultilabelAccuracy(average='micro') on "
           "logits; Keras BinaryAccuracy(threshold=0.0) on logits (x > 0: the same decision "
           "but for logits within float32 rounding of 0)",
           labelwise_reading(LabelwiseMetric::accuracy, Average::micro, ScoreReading::sigmoid)));
  out.push_back(make(s, kAnyScores, "MA004",
                     "sigmoid only when some score of the update lies outside [0, 1], then > "
                     "threshold" +
                         over,
                     multilabel ? "torchmetrics MultilabelAccuracy(average='micro')"
                                : "torchmetrics BinaryAccuracy; Accuracy(task='binary')",
                     labelwise_reading(LabelwiseMetric::accuracy, Average::micro,
                                       ScoreReading::torchmetrics_auto)));
  if (!multilabel) return;  // one label: macro and subset equal the element-wise value
  out.push_back(make(s, kAnyScores, "MA004",
                     "plain mean over labels of per-label accuracy (equals the element-wise "
                     "value without sample weights)",
                     "torchmetrics MultilabelAccuracy (default average='macro')",
                     labelwise_reading(LabelwiseMetric::accuracy, Average::macro,
                                       ScoreReading::torchmetrics_auto)));
  out.push_back(make(
      s, kAnyScores, "MA004", "fraction of samples whose every label is right, scores > threshold",
      "sklearn accuracy_score(Y, scores > 0.5) on multilabel indicators",
      labelwise_reading(LabelwiseMetric::subset_accuracy, Average::micro, ScoreReading::raw)));
  out.push_back(make(
      s, kAnyScores, "MA004",
      "fraction of samples whose every label is right, sigmoid then > threshold",
      "sklearn accuracy_score(Y, sigmoid(logits) > 0.5)",
      labelwise_reading(LabelwiseMetric::subset_accuracy, Average::micro, ScoreReading::sigmoid)));
  out.push_back(make(s, kAnyScores, "MA004",
                     "fraction of samples whose every label is right, torchmetrics' sigmoid rule",
                     "torchmetrics MultilabelExactMatch",
                     labelwise_reading(LabelwiseMetric::subset_accuracy, Average::micro,
                                       ScoreReading::torchmetrics_auto)));
}

// Precision, recall and F1 of label cells. Keras' Precision and Recall threshold the
// scores as given (thresholds=0.5, keras/src/metrics/confusion_metrics.py); torchmetrics'
// Binary* / Multilabel* apply its sigmoid rule (default average="macro" over all labels:
// functional/classification/precision_recall.py, f_beta.py; utilities/compute.py gives
// every label a weight); sklearn's *_score on indicators averages over every label.
// The raw reading of logits stands for MP003 (on probabilities it is the model's own
// decision); any other average or reading for MP002.
void labelwise_per_class_candidates(const LabelwiseState& s, Metric metric, ScoresAre scores,
                                    std::vector<LabelwiseCandidate>& out) {
  const bool multilabel = s.num_labels() > 1;
  const LabelwiseMetric m = metric == Metric::precision ? LabelwiseMetric::precision
                            : metric == Metric::recall  ? LabelwiseMetric::recall
                                                        : LabelwiseMetric::f1;
  const Names n = names_of(metric);
  const std::string word = n.word, sk = n.sklearn, keras = n.cls;
  const std::string tm = (multilabel ? "Multilabel" : "Binary") + keras;
  const std::string cells = multilabel ? " of every label cell pooled" : "";
  const bool probabilities = read_as_probabilities(s.scores_in_unit_interval, scores);
  auto add = [&](const char* rule, std::string description, std::string libraries, Average average,
                 ScoreReading reading, ZeroDivision zd = ZeroDivision::zero) {
    LabelwiseConvention c = labelwise_reading(m, average, reading);
    c.zero_division = zd;
    out.push_back(make(s, kAnyScores, rule, std::move(description), std::move(libraries), c));
  };
  add(probabilities ? "MP002" : "MP003",
      word + cells + " of the decisions score > threshold on the scores as given (no sigmoid)",
      "Keras " + keras + " (threshold 0.5 on the scores, never a sigmoid); sklearn " + sk +
          "(y, scores > 0.5" + (multilabel ? ", average='micro')" : ")") +
          "; torchmetrics when every score lies in [0, 1]",
      Average::micro, ScoreReading::raw);
  add("MP002", word + cells + " of the decisions sigmoid(score) > threshold",
      "torchmetrics " + tm + (multilabel ? "(average='micro')" : "") + " on logits; Keras " +
          keras + "(threshold 0.0) on logits; sklearn " + sk + "(y, sigmoid(logits) > 0.5" +
          (multilabel ? ", average='micro')" : ")"),
      Average::micro, ScoreReading::sigmoid);
  add("MP002",
      word + cells +
          " of torchmetrics' decisions: a sigmoid only when some score lies outside [0, 1], then "
          "> threshold",
      "torchmetrics " + tm + (multilabel ? "(average='micro')" : ""), Average::micro,
      ScoreReading::torchmetrics_auto);
  if (!multilabel) return;  // one label: every average is that label's value
  // The per-label averages, on the model's decisions (sigmoid on logits).
  const ScoreReading natural = probabilities ? ScoreReading::raw : ScoreReading::sigmoid;
  add("MP002", "mean of per-label " + word + " over all L labels, an empty label scoring 0",
      "torchmetrics " + tm + " (default average='macro'); sklearn " + sk + "(average='macro')",
      Average::macro, natural);
  if (m != LabelwiseMetric::f1) {
    const std::string empty =
        m == LabelwiseMetric::precision ? "a label never predicted" : "a label with no positive";
    add("MP002", "mean of per-label " + word + ", " + empty + " scoring 1",
        "sklearn " + sk + "(average='macro', zero_division=1)", Average::macro, natural,
        ZeroDivision::one);
    add("MP002", "mean of per-label " + word + ", " + empty + " left out",
        "sklearn " + sk + "(average='macro', zero_division=np.nan)", Average::macro, natural,
        ZeroDivision::nan);
  }
  add("MP002", "support-weighted mean of per-label " + word,
      "torchmetrics " + tm + "(average='weighted'); sklearn " + sk + "(average='weighted')",
      Average::weighted, natural);
}

LabelwiseConvention binary_loss(BinaryLossFamily family) {
  LabelwiseConvention c;
  c.metric = LabelwiseMetric::binary_cross_entropy;
  c.loss = family;
  return c;
}

void labelwise_loss_candidates(const LabelwiseState& s, ScoresAre scores,
                               std::vector<LabelwiseCandidate>& out) {
  const bool probabilities = read_as_probabilities(s.scores_in_unit_interval, scores);
  if (probabilities) {
    out.push_back(make(s, probabilities, "ML004",
                       "binary cross-entropy with logits on scores that are already probabilities "
                       "(sigmoid applied twice)",
                       "torch.nn.BCEWithLogitsLoss after a sigmoid layer; Keras "
                       "binary_crossentropy(from_logits=True) on a sigmoid output",
                       binary_loss(BinaryLossFamily::torch_logits)));
  } else {
    out.push_back(make(s, probabilities, "ML003",
                       "binary cross-entropy on logits: max(x, 0) - x y + log(1 + exp(-|x|))",
                       "torch.nn.BCEWithLogitsLoss; "
                       "torch.nn.functional.binary_cross_entropy_with_logits; Keras "
                       "BinaryCrossentropy(from_logits=True)",
                       binary_loss(BinaryLossFamily::torch_logits)));
  }
  out.push_back(make(s, probabilities, "ML003",
                     "binary cross-entropy on probabilities clipped to [1e-7, 1 - 1e-7]",
                     "Keras binary_crossentropy / BinaryCrossentropy (from_logits=False, the "
                     "default)",
                     binary_loss(BinaryLossFamily::keras_probabilities)));
  out.push_back(make(s, probabilities, "ML003",
                     "binary cross-entropy on probabilities, each log clamped at -100",
                     "torch.nn.BCELoss; torch.nn.functional.binary_cross_entropy",
                     binary_loss(BinaryLossFamily::torch_probabilities)));
}

}  // namespace

const char* kind_name(MetricKind kind) {
  switch (kind) {
    case MetricKind::accuracy:
      return to_name(Metric::accuracy);
    case MetricKind::loss:
      return "loss";
    case MetricKind::balanced_accuracy:
      return to_name(Metric::balanced_accuracy);
    default:
      return to_name(per_class_metric(kind));
  }
}

std::string reading_id(const Convention& c, bool on_probabilities) {
  const bool twice =
      on_probabilities && c.metric == Metric::cross_entropy && c.loss == LossFamily::logits;
  // "loss.logits[.suffixes]" -> "loss.softmax_twice[.suffixes]"
  return twice ? "loss.softmax_twice" + c.id().substr(std::string_view("loss.logits").size())
               : c.id();
}

std::string reading_id(const LabelwiseConvention& c, bool on_probabilities) {
  const bool twice = on_probabilities && c.metric == LabelwiseMetric::binary_cross_entropy &&
                     c.loss == BinaryLossFamily::torch_logits;
  return twice ? "loss.sigmoid_twice" + c.id().substr(std::string_view("loss.bce_logits").size())
               : c.id();
}

std::vector<LabelwiseCandidate> catalogue(const LabelwiseState& state, MetricKind kind,
                                          ScoresAre scores) {
  std::vector<LabelwiseCandidate> out;
  if (kind == MetricKind::accuracy) {
    labelwise_accuracy_candidates(state, out);
  } else if (kind == MetricKind::loss) {
    labelwise_loss_candidates(state, scores, out);
  } else if (kind != MetricKind::balanced_accuracy) {  // not read for labelwise states
    labelwise_per_class_candidates(state, per_class_metric(kind), scores, out);
  }
  return out;
}

std::vector<Candidate> catalogue(const SufficientState& state, MetricKind kind, ScoresAre scores) {
  std::vector<Candidate> out;
  if (kind == MetricKind::accuracy) {
    accuracy_candidates(state, out);
  } else if (kind == MetricKind::loss) {
    loss_candidates(state, scores, out);
  } else if (kind == MetricKind::balanced_accuracy) {
    balanced_candidates(state, out);
  } else {
    per_class_candidates(state, per_class_metric(kind), out);
  }
  return out;
}

}  // namespace metricaudit
