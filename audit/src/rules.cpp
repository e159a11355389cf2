// The rule table (rules.hpp), beside the rules that raise them (dump_rules.cpp,
// log_rules.cpp): every text of a rule is here, once. Texts are written for the person
// reading the report: what the number is, why it differs from what its name suggests,
// what to change. The rule logic computes the facts that fill a finding's {placeholders};
// the report writers render the table.
#include "metricaudit/audit/rules.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "metricaudit/error.hpp"

namespace metricaudit::audit {
namespace {

constexpr std::array<RuleInfo, 19> kRules{{
    {"MA001", "accuracy-macro-absent-zero",
     "Accuracy is a per-class (macro) average that counts classes absent from the data as 0",
     "The logged accuracy equals the mean of per-class recall over all C classes, with every "
     "class that never occurs in the evaluated targets or predictions scored as 0. This is the "
     "default of torchmetrics 0.10-0.11 MulticlassAccuracy (average=\"macro\"). It is not the "
     "fraction of correct samples: when some classes are missing from a split (a validation "
     "set without rare classes, a single training batch) it is capped at (classes present)/C "
     "and can stay far below the model's real accuracy, even at 100% correct predictions.",
     "{metric} is a macro average of per-class recall over all {C} classes, with classes absent "
     "from the evaluated data counted as 0 (torchmetrics 0.10-0.11 MulticlassAccuracy's default "
     "average='macro')",
     "torchmetrics: use Accuracy(task=\"multiclass\", num_classes={C}) or "
     "MulticlassAccuracy(num_classes={C}, average=\"micro\"); if a macro average is what you "
     "want, upgrade to torchmetrics >= 1.0, which leaves absent classes out",
     Severity::warning},
    {"MA002", "accuracy-macro",
     "Accuracy is a per-class (macro or balanced) average, not the fraction of correct samples",
     "The logged accuracy equals a mean of per-class recall (classes absent from the data left "
     "out, or sklearn's balanced accuracy) rather than the fraction of correctly classified "
     "samples that the name suggests. On imbalanced data the two differ, so numbers from "
     "another framework that reports plain accuracy are not comparable with it.",
     "{metric} is a macro average of per-class recall over the classes present (torchmetrics "
     ">= 1.0 MulticlassAccuracy's default average='macro'; sklearn "
     "recall_score(average='macro') or balanced_accuracy_score)",
     "torchmetrics: use Accuracy(task=\"multiclass\", num_classes={C}) or "
     "MulticlassAccuracy(num_classes={C}, average=\"micro\")",
     Severity::warning},
    {"MA003", "accuracy-elementwise-binary",
     "Accuracy is binary accuracy over every output cell of one-hot targets",
     "The logged accuracy equals binary accuracy computed element-wise over the C outputs of "
     "each sample (score > 0.5 against the one-hot target), which is what Keras reports for "
     "metrics=[\"accuracy\"] when the loss is binary_crossentropy. With C classes a model that "
     "predicts nothing scores about (C-1)/C, so the number looks excellent from the first "
     "epoch and says little about classification accuracy.",
     "{metric} is binary accuracy taken element-wise over the {C} one-hot outputs (score > 0.5 "
     "per cell); an all-zero prediction already scores (C-1)/C = {binary_floor}",
     "Keras: compile(loss=\"categorical_crossentropy\", metrics=[\"categorical_accuracy\"]) for "
     "one-hot multi-class targets (or sparse_categorical_* for integer labels)",
     Severity::warning},
    {"MA004", "accuracy-other-convention",
     "Accuracy is explained by a convention other than the one its name implies",
     "The logged accuracy is reproduced by a convention other than plain top-1 accuracy over "
     "all samples: for example top-k accuracy, a support-weighted average, sample weights, or "
     "ignored samples. The explaining convention is named in the finding; numbers computed "
     "under different conventions are not comparable.",
     "{metric} is explained by {explained_by} ({libraries})",
     "compute the metric as {expected} if that is what you meant", Severity::warning},
    {"MA005", "binary-accuracy-on-logits",
     "Binary accuracy is thresholded at 0.5 on logits, as if they were probabilities",
     "The logged accuracy of a binary or multilabel model equals the fraction of correct "
     "decisions score > 0.5 taken on the raw logits, without a sigmoid. A logit decides "
     "positive at 0, not at 0.5, so every sample with a logit between 0 and 0.5 is counted "
     "as negative: Keras binary_accuracy on a model without a sigmoid output (from_logits=True "
     "loss) does this, and so does torchmetrics BinaryAccuracy when every logit of an update "
     "happens to lie in [0, 1], because it applies a sigmoid only when some score does not.",
     "{metric} is binary accuracy thresholded at 0.5 on the raw logits, as if they were "
     "probabilities (no sigmoid first: a logit of 0.3 counts as negative although sigmoid(0.3) "
     "= 0.57)",
     "Keras: BinaryAccuracy(threshold=0.0) for a model that outputs logits (from_logits=True "
     "loss), or end the model with a sigmoid; PyTorch: threshold torch.sigmoid(logits) > 0.5 "
     "(or logits > 0)",
     Severity::warning},
    {"ML001", "loss-softmax-twice",
     "The loss is cross-entropy applied to probabilities: softmax applied twice",
     "The logged loss equals softmax cross-entropy computed on outputs that are already "
     "probabilities: the model ends in a softmax and the loss (torch nn.CrossEntropyLoss, or "
     "Keras with from_logits=True) applies log_softmax again. The loss can never fall below "
     "ln(e + C - 1) - 1, its gradients are squashed, and training is slow or stalls while "
     "accuracy may still look reasonable.",
     "{metric} is cross-entropy computed on probabilities as if they were logits (softmax "
     "applied twice); it can never go below ln(1 + (C-1)/e) = {softmax_twice_floor}",
     "PyTorch: remove the final Softmax layer (CrossEntropyLoss applies log-softmax itself), or "
     "keep it and use NLLLoss on torch.log(probs)",
     Severity::warning},
    {"ML002", "loss-binary-onehot",
     "The loss is binary cross-entropy per output on one-hot targets",
     "The logged loss equals binary cross-entropy computed per output cell against one-hot "
     "targets and averaged over the C outputs (Keras binary_crossentropy on a multi-class "
     "problem). It is roughly categorical cross-entropy divided by C, treats the classes as "
     "independent yes/no questions, and is not comparable with a categorical loss.",
     "{metric} is binary cross-entropy taken element-wise over the {C} one-hot outputs, "
     "averaged over outputs (not categorical cross-entropy)",
     "Keras: compile(loss=\"categorical_crossentropy\") for one-hot multi-class targets "
     "(sparse_categorical_crossentropy for integer labels)",
     Severity::warning},
    {"ML003", "loss-other-convention",
     "The loss is explained by a convention other than the one its name implies",
     "The logged loss is reproduced by a cross-entropy convention other than the expected one: "
     "probability clipping (Keras clips to [1e-7, 1 - 1e-7], scikit-learn to its own epsilon), "
     "renormalisation of probability rows, class-weight normalisation (torch divides a "
     "weighted loss by the sum of the target weights) or label smoothing. The explaining "
     "convention is named in the finding.",
     "{metric} is explained by {explained_by} ({libraries})",
     "compute the metric as {expected} if that is what you meant", Severity::warning},
    {"ML004", "loss-sigmoid-twice",
     "The binary loss is cross-entropy with logits applied to probabilities: sigmoid applied "
     "twice",
     "The logged loss equals binary cross-entropy with logits computed on outputs that are "
     "already probabilities: the model ends in a sigmoid and the loss (torch "
     "nn.BCEWithLogitsLoss, or Keras binary_crossentropy with from_logits=True) applies the "
     "sigmoid again. Each label's loss can never fall below ln(1 + 1/e) = 0.3133, the "
     "gradients are squashed, and the number is not comparable with a binary cross-entropy.",
     "{metric} is binary cross-entropy with logits computed on outputs that are already "
     "probabilities (sigmoid applied twice); it can never go below ln(1 + 1/e) = "
     "{sigmoid_twice_floor} per label",
     "PyTorch: remove the final Sigmoid layer (BCEWithLogitsLoss applies it itself), or keep "
     "it and use BCELoss; Keras: binary_crossentropy with from_logits=False on a sigmoid "
     "output, or no sigmoid with from_logits=True",
     Severity::warning},
    {"MP001", "per-class-macro-absent-zero",
     "Precision, recall, F1 or balanced accuracy is a macro average that counts classes absent "
     "from the data as 0",
     "The logged value equals the mean of a per-class metric over all C classes, with every "
     "class that never occurs in the evaluated targets or predictions scored as 0: the default "
     "average=\"macro\" of torchmetrics 0.10-0.11 MulticlassPrecision, MulticlassRecall and "
     "MulticlassF1Score (and MulticlassAccuracy, when it is logged as balanced accuracy). When "
     "classes are missing from a split the value is capped at (classes present)/C, and it is "
     "not comparable with the macro average of torchmetrics >= 1.0 or scikit-learn, which "
     "leave those classes out.",
     "{metric} is the {description} ({explained_by}: {libraries}): every class missing from "
     "the evaluated data pulls it down, so it understates the model and differs from the macro "
     "average of torchmetrics >= 1.0 and sklearn, which leave such classes out",
     "torchmetrics: upgrade to torchmetrics >= 1.0, whose average=\"macro\" leaves classes "
     "absent from the data out (as sklearn's does), or pass average=\"micro\" or "
     "average=\"weighted\" if that is the number you mean",
     Severity::warning},
    {"MP002", "per-class-average",
     "Precision, recall, F1 or balanced accuracy is an average its name does not state",
     "The logged value is reproduced under another average than the one its name states or, "
     "for a bare name (\"f1\", \"val_precision\"), than the macro average over the classes "
     "present that torchmetrics >= 1.0 and scikit-learn's average=\"macro\" compute: micro "
     "(for single-label multi-class equal to accuracy), support-weighted, scikit-learn's "
     "zero_division=1 or nan, plain accuracy for a balanced accuracy, or the adjusted balanced "
     "accuracy. No average is wrong by itself, but values under different averages are not "
     "comparable; the finding names the average.",
     "{metric} is the {description} ({explained_by}: {libraries})",
     "no average is wrong by itself: name the metric for its average (e.g. \"val_f1_micro\", "
     "\"val_f1_weighted\") and compare it only with values under the same average",
     Severity::note},
    {"MP003", "per-class-on-logits",
     "Binary or multilabel precision, recall or F1 is thresholded at 0.5 on logits, as if they "
     "were probabilities",
     "The logged precision, recall or F1 of a binary or multilabel model equals the value of "
     "the decisions score > 0.5 taken on the raw logits, without a sigmoid. A logit decides "
     "positive at 0, not at 0.5, so every sample with a logit between 0 and 0.5 is counted "
     "as negative: Keras Precision, Recall and F1Score on a model without a sigmoid output "
     "(from_logits=True loss) do this, and so do torchmetrics' Binary and Multilabel metrics "
     "when every logit of an update happens to lie in [0, 1].",
     "{metric} is the {description} ({explained_by}: {libraries}), as if the logits were "
     "probabilities",
     "Keras: Precision(thresholds=0.0) or Recall(thresholds=0.0) for a model that outputs "
     "logits, or end the model with a sigmoid (F1Score takes a threshold in (0, 1] only: it "
     "needs probabilities); PyTorch: threshold torch.sigmoid(logits) > 0.5 (or logits > 0), and "
     "pass torch.sigmoid(logits) to torchmetrics",
     Severity::warning},
    {"MX001", "unexplained-value",
     "No known convention reproduces the logged value from the saved predictions",
     "Recomputed from the prediction dump, none of the conventions in the catalogue gives the "
     "logged value within its printed precision. Either the dump is not what the logged "
     "evaluation saw (another epoch or model state, dropout or augmentation active, a subset "
     "or a different order of samples), or the value was computed in a way metricaudit does "
     "not know.",
     "{metric} is explained by no convention in the catalogue",
     "check that the dump holds exactly the data and model outputs the metric was computed on; "
     "if it does, this is a real discrepancy to investigate",
     Severity::error},
    {"MX002", "distributed-padding", "Some samples were evaluated twice: distributed padding",
     "The prediction dump holds more rows than the evaluation set has samples: its sample ids "
     "repeat, or it has more rows than --eval-size. This is what "
     "torch.utils.data.DistributedSampler does with drop_last=False (the default, and what "
     "Lightning installs under DDP): it repeats the first samples so that every rank gets as "
     "many, and an evaluation that gathers or sums the ranks' results counts them twice "
     "(torchmetrics, Lightning's sync_dist; pytorch/pytorch#25162, "
     "huggingface/transformers#30767). Every metric computed from such an evaluation is off "
     "by up to P / (N + P).",
     "the {split} dumps evaluated {N} + {P} samples ({cause}): {P} sample(s) counted twice, as "
     "DistributedSampler's padding does",
     "leave the repeated samples out before computing metrics: metricaudit.torch.padding_mask("
     "sampler) with Evaluator.update(valid=...) (docs/distributed.md), or accelerate's "
     "gather_for_metrics; or evaluate with a sampler that does not pad",
     Severity::warning},
    {"LG001", "softmax-twice-floor",
     "The logged loss stays above the floor of softmax applied twice",
     "From the log alone: the loss never goes below ln(e + C - 1) - 1, the smallest value "
     "cross-entropy can take when its inputs are probabilities rather than logits, and "
     "levels off just above it. That is the signature of a softmax layer in front of a loss "
     "that applies softmax itself.",
     "{metric} never goes below {lowest}, at or above the floor ln(1 + (C-1)/e) = {floor} for "
     "C = {C} that cross-entropy reaches when softmax is applied to probabilities, while "
     "accuracy reaches {best_accuracy}: the loss is most likely computed on probabilities fed "
     "as logits.",
     "PyTorch: remove the final Softmax layer (CrossEntropyLoss applies log-softmax itself), or "
     "use NLLLoss on torch.log(probs); Keras: from_logits=False with a softmax output",
     Severity::warning},
    {"LG002", "accuracy-not-k-over-n", "A logged accuracy is not k/N for the evaluation size N",
     "From the log alone: plain accuracy over N samples is a multiple of 1/N, but this logged "
     "value is not within its printed precision of any k/N. So it is not the fraction of "
     "correct samples of an N-sample evaluation: it may be a per-class average, a weighted or "
     "running mean, or the evaluation size is not what was given.",
     "{metric} = {value} is not k/{N} for any whole k ({bad} of {total} values): with {N} "
     "evaluated samples a fraction-correct accuracy cannot take it, so it is an average of "
     "per-class values (macro or weighted), a weighted mean, or the evaluation size differs.",
     "torchmetrics: Accuracy(task=\"multiclass\") or average=\"micro\"; check that the whole "
     "evaluation set was evaluated",
     Severity::warning},
    {"LG003", "binary-accuracy-floor",
     "The logged accuracy stays near (C-1)/C, the floor of binary accuracy on one-hot targets",
     "From the log alone: the accuracy starts at or above (C-1)/C and stays there, which is "
     "what element-wise binary accuracy over C one-hot outputs gives even for a model that "
     "predicts nothing. Keras reports this for metrics=[\"accuracy\"] with a "
     "binary_crossentropy loss.",
     "every value of {metric} is at or above {floor}, the (C-1)/C floor that element-wise "
     "binary accuracy on one-hot targets scores for an all-zero prediction (C = {C}), and the "
     "lowest sits just above it: consistent with binary accuracy. Save predictions to decide.",
     "Keras: metrics=[\"categorical_accuracy\"] with loss=\"categorical_crossentropy\"",
     Severity::note},
    {"LG004", "per-step-macro-bound",
     "Per-step accuracy is capped by the classes present in each batch",
     "From the log alone: per-step (per-batch) accuracy values sit at or below (classes in a "
     "batch)/C and never reach 1, the pattern of a macro average that counts classes absent "
     "from the batch as 0 (torchmetrics 0.10-0.11 MulticlassAccuracy default). Small batches "
     "rarely contain every class, so the logged value understates accuracy.",
     "no per-step value of {metric} exceeds batch size / C = {B}/{C} = {bound}: a batch holds "
     "at most that share of the classes, so the values are a macro average over all classes "
     "with absent ones counted as 0.",
     "torchmetrics: Accuracy(task=\"multiclass\") or average=\"micro\"", Severity::warning},
    {"LG005", "running-mean", "Training metrics are running means over the epoch",
     "Keras progress bars and History report training metrics as running means over the "
     "batches of the epoch, while the weights change between batches. They do not equal the "
     "metric of the model at the end of the epoch and are not reproduced from end-of-epoch "
     "predictions; compare them with validation metrics only with that in mind.",
     "in {file} the training values ({metric}) are running means over the epoch's batches "
     "while the weights change; they are not an evaluation of the model at the end of the "
     "epoch, so they differ from a validation or test evaluation of the same model even on the "
     "same data.",
     "compare val_ metrics with val_ metrics, or evaluate the training set after the epoch "
     "(model.evaluate) for a like-for-like number",
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

std::string fill(std::string_view text, const std::vector<TextValue>& values) {
  std::string out;
  out.reserve(text.size() + 64);
  std::size_t at = 0;
  while (true) {
    const std::size_t open = text.find('{', at);
    out.append(text.substr(at, open == std::string_view::npos ? open : open - at));
    if (open == std::string_view::npos) return out;
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      throw InvalidArgument("rule text: unclosed '{' in \"" + std::string(text) + "\"");
    }
    const std::string_view key = text.substr(open + 1, close - open - 1);
    const auto v = std::find_if(values.begin(), values.end(),
                                [&](const TextValue& tv) { return tv.key == key; });
    if (v == values.end()) {
      throw InvalidArgument("rule text: no value for {" + std::string(key) + "} in \"" +
                            std::string(text) + "\"");
    }
    out += v->value;
    at = close + 1;
  }
}

std::string generic_fix(const RuleInfo& r) {
  return fill(r.fix, {{"C", "C"}, {"expected", "the convention its name implies"}});
}

}  // namespace metricaudit::audit
