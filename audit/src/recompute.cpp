// Evaluating dumps: one pass per dump into a SufficientState holding every loss
// family, so that the matcher can read it under the whole catalogue.
#include <algorithm>
#include <set>

#include "internal.hpp"
#include "metricaudit/audit/dump_batch.hpp"
#include "metricaudit/audit/dumps.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit::audit::detail {
namespace {

// A binary / multilabel dump: one LabelwiseState holds every score reading and every
// binary cross-entropy family (threshold 0.5, the default of every library catalogued).
Recomputed evaluate_labelwise(const Dump& d, Recomputed r) {
  LabelwiseDumpBatch b;
  try {
    b = labelwise_batch(d, d.path);
  } catch (const InvalidArgument& e) {
    r.problem = e.what();  // e.g. soft targets: left out, as multi-class dumps are
    return r;
  }
  LabelwiseOptions o;
  o.num_labels = b.num_labels;
  try {
    r.labelwise = std::make_unique<LabelwiseState>(evaluate(b.batch, o));
  } catch (const InvalidArgument& e) {
    throw InputError(d.path + ": " + e.what());
  }
  return r;
}

Recomputed evaluate_dump(const Dump& d, std::optional<std::int64_t> num_classes,
                         std::vector<std::string>& warnings) {
  Recomputed r;
  r.path = d.path;
  r.split = d.split;
  r.epoch = d.epoch;
  r.step = d.step;
  r.probabilities = d.probs.has_value();
  r.rows = d.target.shape.empty() ? 0 : d.target.shape[0];
  if (d.sample_ids) {
    const ArrayView ids = d.sample_ids->view();
    std::set<std::int64_t> seen;
    for (std::int64_t i = 0; i < ids.rows; ++i) {
      const std::int64_t id = ids.dtype == DType::int32
                                  ? static_cast<const std::int32_t*>(ids.data)[i]
                                  : static_cast<const std::int64_t*>(ids.data)[i];
      r.repeated_ids += seen.insert(id).second ? 0 : 1;
    }
  }
  if (dump_task(d) != DumpTask::multiclass) return evaluate_labelwise(d, std::move(r));
  DumpBatch b;
  try {
    b = multiclass_batch(d, d.path, num_classes);
  } catch (const InvalidArgument& e) {
    // A dump the audit cannot read as multi-class (binary scores, soft labels) is
    // left out with a warning; the other dumps are still audited.
    r.problem = e.what();
    return r;
  }
  for (auto& w : b.warnings) warnings.push_back(d.path + ": " + w);
  StateOptions o;
  o.num_classes = b.num_classes;
  o.smoothing_terms = false;  // the catalogue reads no label smoothing
  try {
    r.state = std::make_unique<SufficientState>(evaluate(b.batch, o));
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
    out.push_back(evaluate_dump(d, num_classes, warnings));
    if (!out.back().problem.empty()) {
      warnings.push_back("not used: " + out.back().problem);
    }
  }
  return out;
}

}  // namespace metricaudit::audit::detail
