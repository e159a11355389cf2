// Hand-built AuditReports for the writer tests: the writers are tested on data the
// tests control, independent of what the audit core decides.
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "metricaudit/audit/report.hpp"

namespace metricaudit::audit::testing {

/// Sets `p`'s logged point, its name and its file (runs/a/metrics.csv).
inline void set_logged(PointResult& p, std::string metric, Split split, std::int64_t epoch,
                       double value, int decimals, std::int64_t line) {
  p.metric = std::move(metric);
  p.file = "runs/a/metrics.csv";
  p.point.split = split;
  p.point.epoch = epoch;
  p.point.value = value;
  p.point.precision.kind = Precision::Kind::decimal;
  p.point.precision.decimals = static_cast<std::uint16_t>(decimals);
  p.point.line = line;
  p.point.offset = 100 * line;
}

/// Two accuracy points explained by the macro convention (one finding), one loss point
/// explained by the implied convention, one with an infinite candidate, warnings and
/// undecided entries.
inline AuditReport sample_report() {
  AuditReport r;
  r.tool_version = "0.1.0-test";
  r.logs = {"runs/a/metrics.csv"};
  r.log_formats = {"lightning-csv"};
  r.predictions = "runs/a/predictions";

  for (std::int64_t e = 0; e < 2; ++e) {
    PointResult p;
    set_logged(p, "val_acc", Split::val, e, e == 0 ? 0.4049 : 0.6014, 4, 10 + e);
    p.kind = "accuracy";
    p.dump = "runs/a/predictions/val_epoch" + std::to_string(e) + ".npz";
    p.tolerance = 5e-5;
    p.expected_id = "accuracy.micro";
    p.expected = e == 0 ? 0.6077348066298343 : 0.9033149171270718;
    p.candidates = {
        {"accuracy.micro", "torchmetrics Accuracy(task='multiclass')", *p.expected,
         std::abs(*p.expected - p.point.value), false},
        {"accuracy.macro.absent_zero", "torchmetrics 0.10-0.11 MulticlassAccuracy",
         p.point.value + 1e-6, 1e-6, true},
    };
    p.explained_by = {"accuracy.macro.absent_zero"};
    r.points.push_back(p);
  }
  {
    PointResult p;
    set_logged(p, "val_loss", Split::val, 1, 1.5251, 4, 11);
    p.kind = "loss";
    p.dump = "runs/a/predictions/val_epoch1.npz";
    p.tolerance = 5e-5;
    p.expected_id = "loss.logits";
    p.expected = 1.5251186877248704;
    p.candidates = {
        {"loss.logits", "torch.nn.CrossEntropyLoss", 1.5251186877248704, 1.1e-5, true},
        {"loss.keras_probabilities", "Keras categorical_crossentropy",
         std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), false},
    };
    p.explained_by = {"loss.logits"};
    r.points.push_back(p);
  }

  Finding f;
  f.rule = "MA001";
  f.name = "accuracy-macro-absent-zero";
  f.severity = Severity::warning;
  f.metric = "val_acc";
  f.split = "val";
  f.epochs = {0, 1};
  f.logged = 0.6014;
  f.explained_by = "accuracy.macro.absent_zero";
  f.expected_convention = "accuracy.micro";
  f.expected = 0.9033149171270718;
  f.message =
      "val_acc is a macro average of per-class recall over all 12 classes, with "
      "classes absent from the evaluated data counted as 0.";
  f.fix = "Use Accuracy(task=\"multiclass\", num_classes=12).";
  f.file = "runs/a/metrics.csv";
  f.line = 11;
  f.offset = 1100;
  r.findings.push_back(f);

  r.warnings = {"runs/a/metrics.csv:3: skipped a row with 2 cells"};
  r.undecided = {"lr-AdamW: not an accuracy or a loss", "train_acc_step: no dumps for steps"};
  return r;
}

}  // namespace metricaudit::audit::testing
