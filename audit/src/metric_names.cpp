// Which metric a logged name is. Keras, Lightning and TensorBoard names are
// free text; these are the spellings the libraries and their users write.
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <vector>

#include "internal.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool strip_prefix(std::string& s, std::string_view p) {
  if (s.size() > p.size() && s.compare(0, p.size(), p) == 0) {
    s.erase(0, p.size());
    return true;
  }
  return false;
}

bool strip_suffix(std::string& s, std::string_view p) {
  if (s.size() > p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0) {
    s.erase(s.size() - p.size());
    return true;
  }
  return false;
}

// Split markers (Keras "val_", Lightning "val/" or "val_", TensorBoard "val/", Hugging
// Face "eval_"), Lightning's "_step" / "_epoch" suffixes and the words Keras' TensorBoard
// callback adds ("epoch_loss", "batch_loss", "evaluation_loss_vs_iterations").
std::string base_name(const std::string& name) {
  std::string s = lower(name);
  // "eval_": a Hugging Face Trainer's evaluation metrics (eval_accuracy, eval_loss).
  for (std::string_view p :
       {"validation_", "validation/", "valid_", "valid/", "val_", "val/", "eval_", "eval/", "test_",
        "test/", "train_", "train/", "training/", "epoch_", "batch_", "evaluation_"}) {
    if (strip_prefix(s, p)) break;
  }
  for (std::string_view p :
       {"_step", "_epoch", "/step", "/epoch", "_val", "_train", "_test", "_vs_iterations"}) {
    if (strip_suffix(s, p)) break;
  }
  return s;
}

// "top5", "top_5", "top5_acc", "acc_top5", "top_5_accuracy", "top_k_categorical_accuracy"
std::optional<int> top_k_of(const std::string& base) {
  if (base == "top_k_categorical_accuracy" || base == "sparse_top_k_categorical_accuracy") return 5;
  const auto at = base.find("top");
  if (at == std::string::npos) return std::nullopt;
  std::size_t i = at + 3;
  if (i < base.size() && (base[i] == '_' || base[i] == '-')) ++i;
  int k = 0;
  std::size_t digits = 0;
  while (i < base.size() && std::isdigit(static_cast<unsigned char>(base[i])) && digits < 6) {
    k = k * 10 + (base[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0 || k < 1) return std::nullopt;
  return k;
}

// The spellings the libraries and their users write, by kind: Keras' and Lightning's
// keys, torchmetrics' class names, sklearn's functions, Hugging Face's keys.
struct Spelling {
  std::string_view name;
  Kind kind;
};

// clang-format off
constexpr Spelling kSpellings[] = {
    {"acc", Kind::accuracy}, {"accuracy", Kind::accuracy}, {"categorical_accuracy", Kind::accuracy},
    {"sparse_categorical_accuracy", Kind::accuracy}, {"multiclassaccuracy", Kind::accuracy},
    {"multiclass_accuracy", Kind::accuracy}, {"top1", Kind::accuracy}, {"top_1", Kind::accuracy},
    {"top1_acc", Kind::accuracy},
    {"loss", Kind::loss}, {"cross_entropy", Kind::loss}, {"crossentropy", Kind::loss},
    {"ce", Kind::loss}, {"ce_loss", Kind::loss}, {"nll", Kind::loss}, {"nll_loss", Kind::loss},
    {"xent", Kind::loss}, {"categorical_crossentropy", Kind::loss},
    {"sparse_categorical_crossentropy", Kind::loss},
    {"lr", Kind::ignored}, {"learning_rate", Kind::ignored}, {"epoch", Kind::ignored},
    {"step", Kind::ignored}, {"v_num", Kind::ignored}, {"time", Kind::ignored},
    {"global_step", Kind::ignored}, {"it/s", Kind::ignored}, {"lr-adam", Kind::ignored},
    {"lr-sgd", Kind::ignored}, {"grad_norm", Kind::ignored}, {"hp_metric", Kind::ignored},
    {"f1", Kind::f1}, {"f1_score", Kind::f1}, {"f1score", Kind::f1},
    {"multiclassf1score", Kind::f1}, {"multiclass_f1_score", Kind::f1}, {"multiclass_f1", Kind::f1},
    {"binaryf1score", Kind::f1}, {"binary_f1_score", Kind::f1}, {"binary_f1", Kind::f1},
    {"multilabelf1score", Kind::f1}, {"multilabel_f1_score", Kind::f1}, {"multilabel_f1", Kind::f1},
    {"precision", Kind::precision}, {"prec", Kind::precision}, {"precision_score", Kind::precision},
    {"multiclassprecision", Kind::precision}, {"multiclass_precision", Kind::precision},
    {"binaryprecision", Kind::precision}, {"binary_precision", Kind::precision},
    {"multilabelprecision", Kind::precision}, {"multilabel_precision", Kind::precision},
    {"ppv", Kind::precision},
    {"recall", Kind::recall}, {"recall_score", Kind::recall}, {"multiclassrecall", Kind::recall},
    {"multiclass_recall", Kind::recall}, {"binaryrecall", Kind::recall},
    {"binary_recall", Kind::recall}, {"multilabelrecall", Kind::recall},
    {"multilabel_recall", Kind::recall}, {"tpr", Kind::recall},
    {"balanced_accuracy", Kind::balanced_accuracy}, {"balanced_acc", Kind::balanced_accuracy},
    {"bal_acc", Kind::balanced_accuracy}, {"balancedaccuracy", Kind::balanced_accuracy},
    {"balanced_accuracy_score", Kind::balanced_accuracy},
};
// clang-format on

std::optional<Kind> spelled(std::string_view name) {
  for (const Spelling& s : kSpellings) {
    if (s.name == name) return s.kind;
  }
  return std::nullopt;
}

// A precision, recall, F1 or balanced accuracy with the average a name may state
// anywhere in it ("val_precision_macro", "macro_f1", "f1-weighted", "f1_macro_avg").
struct PerClassName {
  Kind kind;
  std::optional<Average> average;
};

std::optional<PerClassName> per_class_name(std::string_view base) {
  std::optional<Average> average;
  std::vector<std::string_view> words;
  std::size_t at = 0;
  while (at <= base.size()) {
    const std::size_t end = std::min(base.find_first_of("_-/ ", at), base.size());
    const std::string_view word = base.substr(at, end - at);
    if (word == "macro") {
      average = Average::macro;
    } else if (word == "micro") {
      average = Average::micro;
    } else if (word == "weighted") {
      average = Average::weighted;
    } else if (!word.empty()) {
      words.push_back(word);
    }
    at = end + 1;
  }
  // "macro avg" (sklearn's classification_report) names the average; "average_precision"
  // without one is another metric.
  std::string rest;
  for (std::string_view w : words) {
    if (average && (w == "avg" || w == "average")) continue;
    rest += (rest.empty() ? "" : "_") + std::string(w);
  }
  const std::optional<Kind> kind = spelled(rest);
  if (!kind || (*kind != Kind::f1 && *kind != Kind::precision && *kind != Kind::recall &&
                *kind != Kind::balanced_accuracy)) {
    return std::nullopt;
  }
  // Balanced accuracy is a macro average by definition: a stated average adds nothing.
  return PerClassName{*kind, *kind == Kind::balanced_accuracy ? std::nullopt : average};
}

}  // namespace

MetricName classify_metric(const std::string& name,
                           const std::map<std::string, std::string>& overrides) {
  MetricName out;
  out.base = base_name(name);
  const std::string low = lower(name);
  out.epoch_level = low.ends_with("_epoch") || low.ends_with("/epoch");
  if (const auto it = overrides.find(name); it != overrides.end()) {
    const std::string kind = lower(it->second);
    if (kind == "accuracy") {
      out.kind = Kind::accuracy;
    } else if (kind == "loss") {
      out.kind = Kind::loss;
    } else if (kind == "ignore") {
      out.kind = Kind::ignored;
    } else if (auto k = top_k_of(kind)) {
      out.kind = Kind::top_k_accuracy;
      out.top_k = *k;
    } else if (auto p = per_class_name(kind)) {
      out.kind = p->kind;
      out.average = p->average;
    } else {
      throw InvalidArgument("--metric " + name + "=" + it->second +
                            ": expected a kind of accuracy, loss, top<k>, precision, recall, f1 "
                            "(optionally with _micro, _macro or _weighted), balanced_accuracy "
                            "or ignore");
    }
    return out;
  }
  const std::string& b = out.base;
  if (const auto kind = spelled(b)) {
    out.kind = *kind;
  } else if (b.rfind("lr-", 0) == 0) {
    out.kind = Kind::ignored;
  } else if (auto p = per_class_name(b)) {
    out.kind = p->kind;
    out.average = p->average;
  } else if (auto k = top_k_of(b);
             k && (b.find("acc") != std::string::npos || b.rfind("top", 0) == 0)) {
    out.kind = *k == 1 ? Kind::accuracy : Kind::top_k_accuracy;
    out.top_k = *k;
  }
  return out;
}

}  // namespace metricaudit::audit::detail
