// Readings of binary / multilabel states. Per-label ratios come from the
// tp/fp/tn/fn counts of the convention's score reading (torchmetrics' _*_reduce,
// sklearn's precision_recall_fscore_support on label indicators) and are averaged
// by average_ratios, as the multi-class ones are.
#include <limits>
#include <string>

#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct LabelCounts {
  double tp = 0, fp = 0, tn = 0, fn = 0;
};

bool is_ratio(LabelwiseMetric m) {
  return m == LabelwiseMetric::accuracy || m == LabelwiseMetric::precision ||
         m == LabelwiseMetric::recall || m == LabelwiseMetric::f1;
}

double label_ratio(const LabelCounts& k, LabelwiseMetric metric, ZeroDivision zd) {
  switch (metric) {
    case LabelwiseMetric::accuracy:
      return ratio(k.tp + k.tn, k.tp + k.tn + k.fp + k.fn, zd);
    case LabelwiseMetric::precision:
      return ratio(k.tp, k.tp + k.fp, zd);
    case LabelwiseMetric::recall:
      return ratio(k.tp, k.tp + k.fn, zd);
    case LabelwiseMetric::f1:
      return ratio(2.0 * k.tp, 2.0 * k.tp + k.fp + k.fn, zd);
    default:
      throw InvalidArgument("per-label values are defined for accuracy, precision, recall and f1");
  }
}

LabelCounts label_counts(const LabelwiseState& s, int r, std::size_t l) {
  return {static_cast<double>(s.tp[r][l]), static_cast<double>(s.fp[r][l]),
          static_cast<double>(s.tn[r][l]), static_cast<double>(s.fn[r][l])};
}

// The per-label counts are kept per sample, not per weight.
void require_unweighted(const LabelwiseState& s, const LabelwiseConvention& c) {
  if (s.weighted && c.sample_weighted) {
    throw UnavailableError(std::string(to_name(c.metric)) +
                           ": per-label counts of a binary / multilabel state are not kept with "
                           "sample weights");
  }
}

ClassRatios label_ratios(const LabelwiseState& s, const LabelwiseConvention& c) {
  const int r = static_cast<int>(c.reading);
  ClassRatios out;
  for (std::size_t l = 0; l < static_cast<std::size_t>(s.num_labels()); ++l) {
    const LabelCounts k = label_counts(s, r, l);
    out.values.push_back(label_ratio(k, c.metric, c.zero_division));
    out.support.push_back(k.tp + k.fn);
    out.seen.push_back(k.tp + k.fp + k.fn > 0.0);
    out.supported.push_back(k.tp + k.fn > 0.0);
  }
  return out;
}

// Micro: the ratio of the counts summed over labels. Accuracy is read from the
// weighted sums when the state has them (every label has the same N samples).
double micro(const LabelwiseState& s, const LabelwiseConvention& c) {
  const int r = static_cast<int>(c.reading);
  const bool weights = s.weighted && c.sample_weighted;
  const double labels = static_cast<double>(s.num_labels());
  if (c.metric == LabelwiseMetric::accuracy && weights) {
    return ratio(s.w_correct_cells[r].value(), s.w_total.value() * labels, c.zero_division);
  }
  require_unweighted(s, c);
  LabelCounts total;
  for (std::size_t l = 0; l < static_cast<std::size_t>(s.num_labels()); ++l) {
    const LabelCounts k = label_counts(s, r, l);
    total.tp += k.tp;
    total.fp += k.fp;
    total.tn += k.tn;
    total.fn += k.fn;
  }
  return label_ratio(total, c.metric, c.zero_division);
}

double binary_cross_entropy(const LabelwiseState& s, const LabelwiseConvention& c) {
  const int f = static_cast<int>(c.loss);
  const bool sklearn = c.loss == BinaryLossFamily::sklearn_probabilities ||
                       c.loss == BinaryLossFamily::sklearn_legacy_probabilities;
  if (sklearn && s.num_labels() > 1) {
    // log_loss reads an (N, L) indicator target as L classes, not L binary problems.
    throw UnavailableError(
        "binary cross-entropy: sklearn's log_loss on an (N, L) multilabel target is not a "
        "binary cross-entropy per label; read it per label, or with another loss family");
  }
  if (!s.bce_available[f]) {
    throw UnavailableError("binary cross-entropy on probabilities needs every score in [0, 1]");
  }
  if (s.samples == 0) return kNaN;  // the mean of no element (torch)
  // The state holds sum over rows of the row's mean over labels. torch: mean over
  // all elements; Keras: mean over labels, then sum_over_batch_size (/ N); torch
  // reduction="sum": every element, so the row means times L.
  if (c.reduction == Reduction::sum) return s.bce[f].value() * static_cast<double>(s.num_labels());
  // sklearn's log_loss is a sample-weighted average: sum w l / sum w (np.average).
  if (sklearn && s.weighted && c.sample_weighted) return s.bce[f].value() / s.w_total.value();
  return s.bce[f].value() / static_cast<double>(s.samples);
}

}  // namespace

std::vector<double> read_per_label(const LabelwiseState& s, const LabelwiseConvention& c) {
  if (!is_ratio(c.metric)) {
    throw InvalidArgument("per-label values are defined for accuracy, precision, recall and f1");
  }
  require_unweighted(s, c);
  return label_ratios(s, c).values;
}

// Every ratio of a state without samples (every sample ignored) is 0/0, valued by
// zero_division: torchmetrics' binary reductions give 0 (its _safe_divide), Keras'
// divide_no_nan too.
double read(const LabelwiseState& s, const LabelwiseConvention& c) {
  const int r = static_cast<int>(c.reading);
  switch (c.metric) {
    case LabelwiseMetric::subset_accuracy:
      if (s.weighted && c.sample_weighted) {
        return ratio(s.w_exact_match[r].value(), s.w_total.value(), c.zero_division);
      }
      return ratio(static_cast<double>(s.exact_match[r]), static_cast<double>(s.samples),
                   c.zero_division);
    case LabelwiseMetric::binary_cross_entropy:
      return binary_cross_entropy(s, c);
    case LabelwiseMetric::accuracy:
    case LabelwiseMetric::precision:
    case LabelwiseMetric::recall:
    case LabelwiseMetric::f1:
      break;
  }
  if (c.average == Average::none) {
    throw InvalidArgument("average='none' gives one value per label: call read_per_label");
  }
  if (c.average == Average::binary && s.num_labels() > 1) {
    throw InvalidArgument("average='binary': defined for a binary target, got " +
                          std::to_string(s.num_labels()) +
                          " labels (sklearn refuses a multilabel-indicator target with it); "
                          "pass average='micro', 'macro', 'weighted' or 'none'");
  }
  // One label: binary, micro and macro are the same number.
  if (c.average == Average::micro || c.average == Average::binary) return micro(s, c);
  require_unweighted(s, c);
  return average_ratios(label_ratios(s, c), c.average, c.absent, c.zero_division);
}

}  // namespace metricaudit
