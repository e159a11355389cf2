// Evaluating dumps: one pass per dump into a SufficientState holding every loss
// family, so that the matcher can read it under the whole catalogue.
#include <algorithm>

#include "internal.hpp"
#include "metricaudit/audit/dumps.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit::audit::detail {
namespace {

// One-hot (N, C) targets (Keras categorical) become labels; anything that is not
// exactly one-hot is refused rather than guessed.
std::vector<std::int64_t> labels_from_one_hot(const NpyArray& t, const std::string& path) {
  const ArrayView v = t.view();
  std::vector<std::int64_t> labels(static_cast<std::size_t>(v.rows));
  for (std::int64_t i = 0; i < v.rows; ++i) {
    std::int64_t hot = -1;
    for (std::int64_t c = 0; c < v.cols; ++c) {
      const std::int64_t k = i * v.cols + c;
      double x = 0;
      switch (v.dtype) {
        case DType::int32:
          x = static_cast<const std::int32_t*>(v.data)[k];
          break;
        case DType::int64:
          x = static_cast<double>(static_cast<const std::int64_t*>(v.data)[k]);
          break;
        case DType::float32:
          x = static_cast<const float*>(v.data)[k];
          break;
        case DType::float64:
          x = static_cast<const double*>(v.data)[k];
          break;
      }
      if (x == 1.0 && hot < 0) {
        hot = c;
      } else if (x != 0.0) {
        throw InputError(path + ": target row " + std::to_string(i) +
                         " is not one-hot; expected (N,) labels or (N, C) one-hot rows");
      }
    }
    if (hot < 0) {
      throw InputError(path + ": target row " + std::to_string(i) +
                       " has no 1; expected one-hot rows");
    }
    labels[static_cast<std::size_t>(i)] = hot;
  }
  return labels;
}

Recomputed evaluate_dump(const Dump& d, std::optional<std::int64_t> num_classes) {
  Recomputed r;
  r.path = d.path;
  r.split = d.split;
  r.epoch = d.epoch;
  r.step = d.step;
  const NpyArray* scores = d.logits ? &*d.logits : (d.probs ? &*d.probs : nullptr);
  r.probabilities = d.probs.has_value();
  MulticlassBatch batch;
  std::vector<std::int64_t> one_hot_labels;
  std::int64_t classes = 0;
  if (scores) {
    if (scores->shape.size() != 2) {
      r.problem = "scores of shape with " + std::to_string(scores->shape.size()) +
                  " dimensions: only multi-class (N, C) dumps are audited";
      return r;
    }
    batch.scores = scores->view();
    classes = batch.scores.cols;
  } else {
    batch.predicted = d.preds->view();
  }
  if (d.target.shape.size() == 2 && d.target.shape[1] > 1) {
    one_hot_labels = labels_from_one_hot(d.target, d.path);
    batch.target =
        ArrayView::vector(one_hot_labels.data(), static_cast<std::int64_t>(one_hot_labels.size()));
    if (!classes) classes = d.target.shape[1];
  } else {
    batch.target = d.target.view();
    if (batch.target.dtype == DType::float32 || batch.target.dtype == DType::float64) {
      r.problem = "target holds floats; expected integer labels";
      return r;
    }
  }
  if (!classes) {
    if (!num_classes) {
      r.problem = "label-only dump: give --num-classes";
      return r;
    }
    classes = *num_classes;
  }
  if (d.sample_weight) batch.sample_weight = d.sample_weight->view();
  StateOptions o;
  o.num_classes = classes;
  o.smoothing_terms = false;  // the catalogue reads no label smoothing
  try {
    r.state = std::make_unique<SufficientState>(evaluate(batch, o));
  } catch (const InvalidArgument& e) {
    throw InputError(d.path + ": " + e.what());
  }
  return r;
}

}  // namespace

std::vector<Recomputed> recompute_dumps(const std::filesystem::path& dir,
                                        std::optional<std::int64_t> num_classes,
                                        std::vector<std::string>& warnings) {
  std::vector<Recomputed> out;
  for (const DumpLocation& where : list_dumps(dir, &warnings)) {
    const Dump d = load_dump(where, {}, &warnings);
    out.push_back(evaluate_dump(d, num_classes));
    if (!out.back().problem.empty()) {
      warnings.push_back(d.path + ": not used (" + out.back().problem + ")");
    }
  }
  return out;
}

}  // namespace metricaudit::audit::detail
