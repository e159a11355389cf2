// Which metric a logged name is. Keras, Lightning and TensorBoard names are
// free text; these are the spellings the libraries and their users write.
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

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

// Split markers (Keras "val_", Lightning "val/" or "val_", TensorBoard "val/")
// and Lightning's "_step" / "_epoch" suffixes.
std::string base_name(const std::string& name) {
  std::string s = lower(name);
  // "eval_": a Hugging Face Trainer's evaluation metrics (eval_accuracy, eval_loss).
  for (std::string_view p :
       {"validation_", "validation/", "valid_", "valid/", "val_", "val/", "eval_", "eval/", "test_",
        "test/", "train_", "train/", "training/", "epoch_"}) {
    if (strip_prefix(s, p)) break;
  }
  for (std::string_view p : {"_step", "_epoch", "/step", "/epoch", "_val", "_train", "_test"}) {
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
    } else {
      throw InvalidArgument("--metric " + name + "=" + it->second +
                            ": expected a kind of accuracy, loss, top<k> or ignore");
    }
    return out;
  }
  static constexpr std::array<std::string_view, 9> kAccuracy = {"acc",
                                                                "accuracy",
                                                                "categorical_accuracy",
                                                                "sparse_categorical_accuracy",
                                                                "multiclassaccuracy",
                                                                "multiclass_accuracy",
                                                                "top1",
                                                                "top_1",
                                                                "top1_acc"};
  static constexpr std::array<std::string_view, 10> kLoss = {"loss",
                                                             "cross_entropy",
                                                             "crossentropy",
                                                             "ce",
                                                             "ce_loss",
                                                             "nll",
                                                             "nll_loss",
                                                             "xent",
                                                             "categorical_crossentropy",
                                                             "sparse_categorical_crossentropy"};
  static constexpr std::array<std::string_view, 12> kIgnored = {
      "lr",          "learning_rate", "epoch",   "step",   "v_num",     "time",
      "global_step", "it/s",          "lr-adam", "lr-sgd", "grad_norm", "hp_metric"};
  const std::string& b = out.base;
  if (std::find(kAccuracy.begin(), kAccuracy.end(), b) != kAccuracy.end()) {
    out.kind = Kind::accuracy;
  } else if (std::find(kLoss.begin(), kLoss.end(), b) != kLoss.end()) {
    out.kind = Kind::loss;
  } else if (std::find(kIgnored.begin(), kIgnored.end(), b) != kIgnored.end() ||
             b.rfind("lr-", 0) == 0) {
    out.kind = Kind::ignored;
  } else if (auto k = top_k_of(b);
             k && (b.find("acc") != std::string::npos || b.rfind("top", 0) == 0)) {
    out.kind = *k == 1 ? Kind::accuracy : Kind::top_k_accuracy;
    out.top_k = *k;
  }
  return out;
}

}  // namespace metricaudit::audit::detail
