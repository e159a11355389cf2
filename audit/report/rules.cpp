// The rule table (rules.hpp). Texts are written for the person reading the report:
// what the number is, why it differs from what its name suggests, what to change.
// The rule logic lives in audit/src/; this file only names and describes.
#include "metricaudit/audit/rules.hpp"

#include <array>
#include <string>

#include "metricaudit/error.hpp"

namespace metricaudit::audit {
namespace {

// Shared fix texts: several rules have the same remedy, and saying it the same way
// everywhere makes the report easier to act on.
constexpr std::string_view kFixMacroToMicro =
    "torchmetrics: for the fraction of correctly classified samples use "
    "Accuracy(task=\"multiclass\", num_classes=C) or MulticlassAccuracy(num_classes=C, "
    "average=\"micro\"). If a per-class average is what you want, say so in the metric's name "
    "(e.g. \"val_macro_recall\") and prefer torchmetrics >= 1.0, which leaves classes absent "
    "from the data out of the average instead of counting them as 0.";

constexpr std::string_view kFixSoftmaxTwice =
    "torch: remove the final nn.Softmax from the model, because nn.CrossEntropyLoss applies "
    "log_softmax itself and expects raw logits; if the model must output probabilities, end "
    "it with nn.LogSoftmax and use nn.NLLLoss instead. Keras: use a softmax output with "
    "from_logits=False, or no softmax with from_logits=True, never both.";

constexpr std::string_view kFixKerasBinaryOnOneHot =
    "Keras: for one-hot multi-class targets compile with loss=\"categorical_crossentropy\" and "
    "metrics=[keras.metrics.CategoricalAccuracy()] (integer labels: "
    "\"sparse_categorical_crossentropy\" and SparseCategoricalAccuracy()). Name the metric "
    "object instead of the string \"accuracy\", which Keras resolves from the loss. Keep "
    "binary_crossentropy and BinaryAccuracy for multi-label problems only.";

constexpr std::array<RuleInfo, 15> kRules{{
    {"MA001", "accuracy-macro-absent-zero",
     "Accuracy is a per-class (macro) average that counts classes absent from the data as 0",
     "The logged accuracy equals the mean of per-class recall over all C classes, with every "
     "class that never occurs in the evaluated targets or predictions scored as 0. This is the "
     "default of torchmetrics 0.10-0.11 MulticlassAccuracy (average=\"macro\"). It is not the "
     "fraction of correct samples: when some classes are missing from a split (a validation "
     "set without rare classes, a single training batch) it is capped at (classes present)/C "
     "and can stay far below the model's real accuracy, even at 100% correct predictions.",
     kFixMacroToMicro, Severity::warning},
    {"MA002", "accuracy-macro",
     "Accuracy is a per-class (macro or balanced) average, not the fraction of correct samples",
     "The logged accuracy equals a mean of per-class recall (classes absent from the data left "
     "out, or sklearn's balanced accuracy) rather than the fraction of correctly classified "
     "samples that the name suggests. On imbalanced data the two differ, so numbers from "
     "another framework that reports plain accuracy are not comparable with it.",
     "torchmetrics: use Accuracy(task=\"multiclass\", num_classes=C) or "
     "MulticlassAccuracy(num_classes=C, average=\"micro\"); sklearn: accuracy_score rather than "
     "balanced_accuracy_score or recall_score(average=\"macro\"). If the per-class average is "
     "intended, name the metric for it (\"balanced_acc\", \"macro_recall\").",
     Severity::warning},
    {"MA003", "accuracy-elementwise-binary",
     "Accuracy is binary accuracy over every output cell of one-hot targets",
     "The logged accuracy equals binary accuracy computed element-wise over the C outputs of "
     "each sample (score > 0.5 against the one-hot target), which is what Keras reports for "
     "metrics=[\"accuracy\"] when the loss is binary_crossentropy. With C classes a model that "
     "predicts nothing scores about (C-1)/C, so the number looks excellent from the first "
     "epoch and says little about classification accuracy.",
     kFixKerasBinaryOnOneHot, Severity::warning},
    {"MA004", "accuracy-other-convention",
     "Accuracy is explained by a convention other than the one its name implies",
     "The logged accuracy is reproduced by a convention other than plain top-1 accuracy over "
     "all samples: for example top-k accuracy, a support-weighted average, sample weights, or "
     "ignored samples. The explaining convention is named in the finding; numbers computed "
     "under different conventions are not comparable.",
     "Check the metric object's arguments (top_k, average, ignore_index, sample weights) and "
     "either configure it for the convention you meant or name the metric for what it "
     "computes (e.g. \"val_top5_acc\").",
     Severity::warning},
    {"MA005", "binary-accuracy-on-logits",
     "Binary accuracy is thresholded at 0.5 on logits, as if they were probabilities",
     "The logged accuracy of a binary or multilabel model equals the fraction of correct "
     "decisions score > 0.5 taken on the raw logits, without a sigmoid. A logit decides "
     "positive at 0, not at 0.5, so every sample with a logit between 0 and 0.5 is counted "
     "as negative: Keras binary_accuracy on a model without a sigmoid output (from_logits=True "
     "loss) does this, and so does torchmetrics BinaryAccuracy when every logit of an update "
     "happens to lie in [0, 1], because it applies a sigmoid only when some score does not.",
     "Keras: BinaryAccuracy(threshold=0.0) when the model outputs logits, or end the model with "
     "a sigmoid and use from_logits=False. PyTorch / torchmetrics: pass torch.sigmoid(logits) "
     "(or compare logits > 0).",
     Severity::warning},
    {"ML001", "loss-softmax-twice",
     "The loss is cross-entropy applied to probabilities: softmax applied twice",
     "The logged loss equals softmax cross-entropy computed on outputs that are already "
     "probabilities: the model ends in a softmax and the loss (torch nn.CrossEntropyLoss, or "
     "Keras with from_logits=True) applies log_softmax again. The loss can never fall below "
     "ln(e + C - 1) - 1, its gradients are squashed, and training is slow or stalls while "
     "accuracy may still look reasonable.",
     kFixSoftmaxTwice, Severity::warning},
    {"ML002", "loss-binary-onehot",
     "The loss is binary cross-entropy per output on one-hot targets",
     "The logged loss equals binary cross-entropy computed per output cell against one-hot "
     "targets and averaged over the C outputs (Keras binary_crossentropy on a multi-class "
     "problem). It is roughly categorical cross-entropy divided by C, treats the classes as "
     "independent yes/no questions, and is not comparable with a categorical loss.",
     kFixKerasBinaryOnOneHot, Severity::warning},
    {"ML003", "loss-other-convention",
     "The loss is explained by a convention other than the one its name implies",
     "The logged loss is reproduced by a cross-entropy convention other than the expected one: "
     "probability clipping (Keras clips to [1e-7, 1 - 1e-7], scikit-learn to its own epsilon), "
     "renormalisation of probability rows, class-weight normalisation (torch divides a "
     "weighted loss by the sum of the target weights) or label smoothing. The explaining "
     "convention is named in the finding.",
     "Compare like with like: configure the reference implementation with the same clipping, "
     "weighting and smoothing (e.g. torch CrossEntropyLoss(weight=..., label_smoothing=...), "
     "Keras CategoricalCrossentropy(label_smoothing=...)) or compute both numbers with one "
     "library before concluding that the models differ.",
     Severity::warning},
    {"ML004", "loss-sigmoid-twice",
     "The binary loss is cross-entropy with logits applied to probabilities: sigmoid applied "
     "twice",
     "The logged loss equals binary cross-entropy with logits computed on outputs that are "
     "already probabilities: the model ends in a sigmoid and the loss (torch "
     "nn.BCEWithLogitsLoss, or Keras binary_crossentropy with from_logits=True) applies the "
     "sigmoid again. Each label's loss can never fall below ln(1 + 1/e) = 0.3133, the "
     "gradients are squashed, and the number is not comparable with a binary cross-entropy.",
     "torch: remove the final nn.Sigmoid from the model, because nn.BCEWithLogitsLoss applies "
     "it itself; if the model must output probabilities, use nn.BCELoss instead. Keras: use a "
     "sigmoid output with from_logits=False, or no sigmoid with from_logits=True, never both.",
     Severity::warning},
    {"MX001", "unexplained-value",
     "No known convention reproduces the logged value from the saved predictions",
     "Recomputed from the prediction dump, none of the conventions in the catalogue gives the "
     "logged value within its printed precision. Either the dump is not what the logged "
     "evaluation saw (another epoch or model state, dropout or augmentation active, a subset "
     "or a different order of samples), or the value was computed in a way metricaudit does "
     "not know.",
     "Check that the dump was saved from the same model state and the same samples as the "
     "logged evaluation (model.eval() / training=False, no augmentation, the full evaluation "
     "set, the same epoch). If the metric's kind was guessed from its name wrongly, pass "
     "--metric NAME=KIND.",
     Severity::error},
    {"LG001", "softmax-twice-floor",
     "The logged loss stays above the floor of softmax applied twice",
     "From the log alone: the loss never goes below ln(e + C - 1) - 1, the smallest value "
     "cross-entropy can take when its inputs are probabilities rather than logits, and "
     "levels off just above it. That is the signature of a softmax layer in front of a loss "
     "that applies softmax itself.",
     kFixSoftmaxTwice, Severity::warning},
    {"LG002", "accuracy-not-k-over-n", "A logged accuracy is not k/N for the evaluation size N",
     "From the log alone: plain accuracy over N samples is a multiple of 1/N, but this logged "
     "value is not within its printed precision of any k/N. So it is not the fraction of "
     "correct samples of an N-sample evaluation: it may be a per-class average, a weighted or "
     "running mean, or the evaluation size is not what was given.",
     "Check --eval-size (and --batch-size for per-step values). If N is right, the metric "
     "averages something other than samples: for plain accuracy use torchmetrics "
     "Accuracy(task=\"multiclass\") or average=\"micro\", or Keras CategoricalAccuracy / "
     "SparseCategoricalAccuracy.",
     Severity::warning},
    {"LG003", "binary-accuracy-floor",
     "The logged accuracy stays near (C-1)/C, the floor of binary accuracy on one-hot targets",
     "From the log alone: the accuracy starts at or above (C-1)/C and stays there, which is "
     "what element-wise binary accuracy over C one-hot outputs gives even for a model that "
     "predicts nothing. Keras reports this for metrics=[\"accuracy\"] with a "
     "binary_crossentropy loss.",
     kFixKerasBinaryOnOneHot, Severity::warning},
    {"LG004", "per-step-macro-bound",
     "Per-step accuracy is capped by the classes present in each batch",
     "From the log alone: per-step (per-batch) accuracy values sit at or below (classes in a "
     "batch)/C and never reach 1, the pattern of a macro average that counts classes absent "
     "from the batch as 0 (torchmetrics 0.10-0.11 MulticlassAccuracy default). Small batches "
     "rarely contain every class, so the logged value understates accuracy.",
     kFixMacroToMicro, Severity::warning},
    {"LG005", "running-mean", "Training metrics are running means over the epoch",
     "Keras progress bars and History report training metrics as running means over the "
     "batches of the epoch, while the weights change between batches. They do not equal the "
     "metric of the model at the end of the epoch and are not reproduced from end-of-epoch "
     "predictions; compare them with validation metrics only with that in mind.",
     "To compare training metrics across frameworks, evaluate the model on the training set "
     "after the epoch (model.evaluate(x_train, y_train) or a callback) instead of reading "
     "the progress bar.",
     Severity::note},
}};

}  // namespace

std::span<const RuleInfo> rules() {
  return kRules;
}

const RuleInfo* find_rule(std::string_view id) {
  for (const RuleInfo& r : kRules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const RuleInfo& rule(std::string_view id) {
  if (const RuleInfo* r = find_rule(id)) return *r;
  throw InvalidArgument("unknown rule id '" + std::string(id) + "'");
}

}  // namespace metricaudit::audit
