#include <gtest/gtest.h>

#include "internal.hpp"

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
  EXPECT_EQ(c("f1_macro").kind, Kind::unknown);
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
}

}  // namespace
}  // namespace metricaudit::audit::detail
