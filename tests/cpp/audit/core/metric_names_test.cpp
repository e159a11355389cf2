#include <gtest/gtest.h>

#include "internal.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit::detail {
namespace {

MetricName c(const std::string& n) {
  return classify_metric(n, {});
}

TEST(MetricNames, CommonSpellings) {
  for (const char* n : {"acc", "accuracy", "val_accuracy", "val_acc", "train_acc_epoch", "acc_step",
                        "MulticlassAccuracy", "val/acc", "categorical_accuracy",
                        "sparse_categorical_accuracy", "train/acc", "eval_accuracy", "eval/acc"}) {
    EXPECT_EQ(c(n).kind, Kind::accuracy) << n;
  }
  for (const char* n :
       {"loss", "val_loss", "train_loss_step", "train/loss", "val/loss_epoch", "eval_loss"}) {
    EXPECT_EQ(c(n).kind, Kind::loss) << n;
  }
  for (const char* n : {"lr", "epoch", "step", "v_num", "lr-Adam"})
    EXPECT_EQ(c(n).kind, Kind::ignored) << n;
  EXPECT_EQ(c("average_precision").kind, Kind::unknown);  // AP, not precision
  EXPECT_EQ(c("mixed_precision").kind, Kind::unknown);
}

TEST(MetricNames, PrecisionRecallF1AndBalancedAccuracyUnderTheirOwnNames) {
  // Lightning / Keras / Hugging Face keys, torchmetrics class names, sklearn functions.
  for (const char* n : {"val_f1", "f1", "eval_f1", "test/f1_epoch", "MulticlassF1Score",
                        "val_MulticlassF1Score", "BinaryF1Score", "f1_score", "F1Score", "f1-score",
                        "train_f1_step", "multiclass_f1_score"}) {
    EXPECT_EQ(c(n).kind, Kind::f1) << n;
    EXPECT_FALSE(c(n).average) << n;
  }
  for (const char* n : {"precision", "val_precision", "MulticlassPrecision", "precision_score",
                        "eval/precision", "BinaryPrecision"}) {
    EXPECT_EQ(c(n).kind, Kind::precision) << n;
  }
  for (const char* n :
       {"recall", "val_recall", "MulticlassRecall", "recall_score", "test_recall"}) {
    EXPECT_EQ(c(n).kind, Kind::recall) << n;
  }
  for (const char* n : {"balanced_accuracy", "val_balanced_accuracy", "balanced_acc", "bal_acc",
                        "BalancedAccuracy", "balanced_accuracy_score"}) {
    EXPECT_EQ(c(n).kind, Kind::balanced_accuracy) << n;
  }
  // Hugging Face's "eval_" prefix is a split marker for every kind.
  EXPECT_EQ(c("eval_loss").kind, Kind::loss);
  EXPECT_EQ(c("eval_accuracy").kind, Kind::accuracy);
}

TEST(MetricNames, TheAverageANameStates) {
  struct Case {
    const char* name;
    Kind kind;
    Average average;
  };
  for (const Case& k : {Case{"val_precision_macro", Kind::precision, Average::macro},
                        Case{"macro_f1", Kind::f1, Average::macro},
                        Case{"f1-weighted", Kind::f1, Average::weighted},
                        Case{"val/recall_micro", Kind::recall, Average::micro},
                        Case{"f1_macro_avg", Kind::f1, Average::macro},
                        Case{"weighted_f1_score", Kind::f1, Average::weighted},
                        Case{"micro_precision_epoch", Kind::precision, Average::micro}}) {
    const MetricName m = c(k.name);
    EXPECT_EQ(m.kind, k.kind) << k.name;
    ASSERT_TRUE(m.average) << k.name;
    EXPECT_EQ(*m.average, k.average) << k.name;
  }
  // Balanced accuracy is a macro average by definition; plain accuracy keeps its names.
  EXPECT_FALSE(c("balanced_accuracy").average);
  EXPECT_EQ(c("acc_macro").kind, Kind::unknown);
}

TEST(MetricNames, TopK) {
  EXPECT_EQ(c("top5").kind, Kind::top_k_accuracy);
  EXPECT_EQ(c("top5").top_k, 5);
  EXPECT_EQ(c("val_top_3_accuracy").top_k, 3);
  EXPECT_EQ(c("acc_top5").top_k, 5);
  EXPECT_EQ(c("top_k_categorical_accuracy").top_k, 5);
  EXPECT_EQ(c("top1").kind, Kind::accuracy);
}

TEST(MetricNames, EpochAggregatesAreMarked) {
  EXPECT_TRUE(c("train_loss_epoch").epoch_level);
  EXPECT_TRUE(c("train/loss_epoch").epoch_level);
  EXPECT_FALSE(c("train_loss_step").epoch_level);
}

TEST(MetricNames, Overrides) {
  EXPECT_EQ(classify_metric("score", {{"score", "accuracy"}}).kind, Kind::accuracy);
  EXPECT_EQ(classify_metric("obj", {{"obj", "loss"}}).kind, Kind::loss);
  EXPECT_EQ(classify_metric("r@10", {{"r@10", "top10"}}).top_k, 10);
  EXPECT_EQ(classify_metric("acc", {{"acc", "ignore"}}).kind, Kind::ignored);
  EXPECT_EQ(classify_metric("score", {{"score", "f1"}}).kind, Kind::f1);
  const MetricName named = classify_metric("score", {{"score", "precision_weighted"}});
  EXPECT_EQ(named.kind, Kind::precision);
  EXPECT_EQ(named.average, Average::weighted);
  EXPECT_EQ(classify_metric("bacc", {{"bacc", "balanced_accuracy"}}).kind, Kind::balanced_accuracy);
  EXPECT_THROW(classify_metric("x", {{"x", "auroc"}}), InvalidArgument);
}

}  // namespace
}  // namespace metricaudit::audit::detail
