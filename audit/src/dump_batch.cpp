#include "metricaudit/audit/dump_batch.hpp"

#include <algorithm>

#include "metricaudit/error.hpp"

namespace metricaudit::audit {
namespace {

double element(const NpyArray& a, std::int64_t i) {
  const std::byte* base = a.storage.get();
  switch (a.dtype) {
    case DType::int32:
      return static_cast<double>(reinterpret_cast<const std::int32_t*>(base)[i]);
    case DType::int64:
      return static_cast<double>(reinterpret_cast<const std::int64_t*>(base)[i]);
    case DType::float32:
      return static_cast<double>(reinterpret_cast<const float*>(base)[i]);
    case DType::float64:
      return reinterpret_cast<const double*>(base)[i];
  }
  return 0.0;
}

bool is_integer(DType d) {
  return d == DType::int32 || d == DType::int64;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Labels as int64 (see the header for what is converted and what is refused).
std::vector<std::int64_t> labels_of(const NpyArray& a, const std::string& what) {
  const std::int64_t n = a.shape.at(0);
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  if (a.shape.size() == 2) {
    const std::int64_t c = a.shape[1];
    for (std::int64_t r = 0; r < n; ++r) {
      std::int64_t hot = -1;
      for (std::int64_t k = 0; k < c; ++k) {
        const double v = element(a, r * c + k);
        if (v == 0.0) continue;
        if (v != 1.0 || hot >= 0) {  // not 0/1, or a second 1
          hot = -1;
          break;
        }
        hot = k;
      }
      if (hot < 0) {
        throw InvalidArgument(what + ": row " + std::to_string(r) +
                              " is not one-hot (exactly one 1, the rest 0); expected (N,) labels "
                              "or (N, C) one-hot rows (multi-class dumps only)");
      }
      out[static_cast<std::size_t>(r)] = hot;
    }
    return out;
  }
  for (std::int64_t r = 0; r < n; ++r) {
    const double v = element(a, r);
    if (!(v == static_cast<double>(static_cast<std::int64_t>(v)))) {
      throw InvalidArgument(what + ": element " + std::to_string(r) + " is " + number(v) +
                            "; expected an integer class label");
    }
    out[static_cast<std::size_t>(r)] = static_cast<std::int64_t>(v);
  }
  return out;
}

// The scores of a dump, when it has any.
const NpyArray* scores_of(const Dump& dump) {
  if (dump.logits) return &*dump.logits;
  if (dump.probs) return &*dump.probs;
  return nullptr;
}

// An (N, L) target of 0/1 values with some row that is not one-hot.
bool multi_hot(const NpyArray& target) {
  const std::int64_t n = target.shape.at(0);
  const std::int64_t labels = target.shape.at(1);
  bool some_row_not_one_hot = false;
  for (std::int64_t r = 0; r < n; ++r) {
    std::int64_t ones = 0;
    for (std::int64_t k = 0; k < labels; ++k) {
      const double v = element(target, r * labels + k);
      if (v != 0.0 && v != 1.0) return false;  // soft labels: neither one-hot nor multi-hot
      ones += v == 1.0;
    }
    some_row_not_one_hot = some_row_not_one_hot || ones != 1;
  }
  return some_row_not_one_hot;
}

}  // namespace

DumpTask dump_task(const Dump& dump) {
  const NpyArray* scores = scores_of(dump);
  if (!scores) return DumpTask::multiclass;
  if (scores->shape.size() == 1 || (scores->shape.size() == 2 && scores->shape[1] == 1)) {
    return DumpTask::binary;
  }
  if (scores->shape.size() == 2 && dump.target.shape.size() == 2 &&
      dump.target.shape[1] == scores->shape[1] && scores->shape[1] >= 2 && multi_hot(dump.target)) {
    return DumpTask::multilabel;
  }
  return DumpTask::multiclass;
}

LabelwiseDumpBatch labelwise_batch(const Dump& dump, const std::string& name) {
  const NpyArray* scores = scores_of(dump);
  if (!scores) {
    throw InvalidArgument(name + ": a binary or multilabel dump needs logits or probs");
  }
  LabelwiseDumpBatch d;
  d.inputs = dump.logits ? "logits" : "probs";
  d.num_labels = scores->shape.size() == 2 ? scores->shape[1] : 1;
  d.multilabel = d.num_labels > 1;
  d.batch.scores = scores->view();
  if (is_integer(dump.target.dtype)) {
    d.batch.target = dump.target.view();
  } else {
    // Keras users often save float targets; 0.0 and 1.0 are the only labels a
    // binary cross-entropy target can hold here (soft targets are not modelled).
    const std::int64_t count = dump.target.elements();
    d.target_bits.resize(static_cast<std::size_t>(count));
    const std::int64_t cols = dump.target.shape.size() == 2 ? dump.target.shape[1] : 1;
    for (std::int64_t i = 0; i < count; ++i) {
      const double v = element(dump.target, i);
      if (v != 0.0 && v != 1.0) {
        const std::string at =
            cols == 1 ? std::to_string(i)
                      : "(" + std::to_string(i / cols) + ", " + std::to_string(i % cols) + ")";
        throw InvalidArgument(name + ": target: element " + at + " is " + number(v) +
                              "; expected 0 or 1 (binary / multilabel targets)");
      }
      d.target_bits[static_cast<std::size_t>(i)] = v == 1.0;
    }
    d.batch.target = cols == 1 && dump.target.shape.size() == 1
                         ? ArrayView::vector(d.target_bits.data(), count)
                         : ArrayView::matrix(d.target_bits.data(), dump.target.shape[0], cols);
  }
  if (dump.sample_weight) d.batch.sample_weight = dump.sample_weight->view();
  return d;
}

DumpBatch multiclass_batch(const Dump& dump, const std::string& name,
                           std::optional<std::int64_t> num_classes) {
  DumpBatch d;
  if (dump.target.shape.size() == 2 || !is_integer(dump.target.dtype)) {
    d.one_hot_target = dump.target.shape.size() == 2;
    d.target_labels = labels_of(dump.target, name + ": target");
    d.batch.target = ArrayView::vector(d.target_labels.data(),
                                       static_cast<std::int64_t>(d.target_labels.size()));
  } else {
    d.batch.target = dump.target.view();
  }
  std::optional<std::int64_t> width;
  if (dump.logits || dump.probs) {
    const NpyArray& scores = dump.logits ? *dump.logits : *dump.probs;
    d.inputs = dump.logits ? "logits" : "probs";
    if (scores.shape.size() != 2) {
      throw InvalidArgument(name + ": " + d.inputs + " has " + std::to_string(scores.shape.size()) +
                            " dimension(s); expected (N, C) scores (multi-class dumps only)");
    }
    d.batch.scores = scores.view();
    width = scores.shape[1];
  } else {
    d.inputs = "preds";
    if (is_integer(dump.preds->dtype) && dump.preds->shape.size() == 1) {
      d.batch.predicted = dump.preds->view();
    } else {
      d.predicted_labels = labels_of(*dump.preds, name + ": preds");
      d.batch.predicted = ArrayView::vector(d.predicted_labels.data(),
                                            static_cast<std::int64_t>(d.predicted_labels.size()));
    }
  }
  if (dump.sample_weight) d.batch.sample_weight = dump.sample_weight->view();

  if (num_classes) {
    d.num_classes = *num_classes;
    d.num_classes_source = "option";
  } else if (width) {
    d.num_classes = *width;
    d.num_classes_source = "scores";
  } else if (d.one_hot_target) {
    d.num_classes = dump.target.shape.at(1);
    d.num_classes_source = "target";
  } else {
    // Labels only: the largest label seen is all there is to go on, and macro
    // readings that count absent classes depend on C, so say so.
    std::int64_t largest = -1;
    for (const ArrayView* v : {&d.batch.target, &d.batch.predicted}) {
      for (std::int64_t i = 0; i < v->rows; ++i) {
        const auto x = v->dtype == DType::int32
                           ? static_cast<std::int64_t>(static_cast<const std::int32_t*>(v->data)[i])
                           : static_cast<const std::int64_t*>(v->data)[i];
        largest = std::max(largest, x);
      }
    }
    d.num_classes = std::max<std::int64_t>(largest + 1, 1);
    d.num_classes_source = "labels";
    d.warnings.push_back("the number of classes was taken as the largest label + 1 (" +
                         std::to_string(d.num_classes) +
                         "); pass --num-classes C if the label space is larger");
  }
  return d;
}

}  // namespace metricaudit::audit
