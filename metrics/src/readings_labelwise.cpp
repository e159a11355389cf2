// Readings of binary / multilabel states.
#include <limits>
#include <string>

#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> label_accuracy(const LabelwiseState& s, int r) {
  std::vector<double> v(static_cast<std::size_t>(s.num_labels()));
  for (std::size_t l = 0; l < v.size(); ++l) {
    v[l] = static_cast<double>(s.tp[r][l] + s.tn[r][l]) / static_cast<double>(s.samples);
  }
  return v;
}

}  // namespace

std::vector<double> read_per_label(const LabelwiseState& s, const LabelwiseConvention& c) {
  if (c.metric != LabelwiseMetric::accuracy) {
    throw InvalidArgument("per-label values are defined for accuracy only");
  }
  if (s.weighted && c.sample_weighted) {
    throw UnavailableError("per-label accuracy is not kept with sample weights");
  }
  if (s.samples == 0) return std::vector<double>(static_cast<std::size_t>(s.num_labels()), kNaN);
  return label_accuracy(s, static_cast<int>(c.reading));
}

double read(const LabelwiseState& s, const LabelwiseConvention& c) {
  if (s.samples == 0) return kNaN;
  const int r = static_cast<int>(c.reading);
  const bool weights = s.weighted && c.sample_weighted;
  const double labels = static_cast<double>(s.num_labels());
  switch (c.metric) {
    case LabelwiseMetric::accuracy: {
      if (c.average == Average::none) {
        throw InvalidArgument("average='none' gives one value per label: call read_per_label");
      }
      if (c.average == Average::macro) {
        // torchmetrics multilabel macro: the plain mean over labels, no label excluded.
        const auto v = read_per_label(s, c);
        double sum = 0.0;
        for (double x : v) sum += x;
        return sum / labels;
      }
      // micro and weighted coincide for accuracy: every label has N samples.
      if (weights) return s.w_correct_cells[r].value() / (s.w_total.value() * labels);
      std::int64_t right = 0;
      for (std::size_t l = 0; l < s.tp[r].size(); ++l) right += s.tp[r][l] + s.tn[r][l];
      return static_cast<double>(right) / (static_cast<double>(s.samples) * labels);
    }
    case LabelwiseMetric::subset_accuracy:
      return weights ? s.w_exact_match[r].value() / s.w_total.value()
                     : static_cast<double>(s.exact_match[r]) / static_cast<double>(s.samples);
    case LabelwiseMetric::binary_cross_entropy: {
      const int f = static_cast<int>(c.loss);
      if (!s.bce_available[f]) {
        throw UnavailableError("binary cross-entropy on probabilities needs every score in [0, 1]");
      }
      // The state holds sum over rows of the row's mean over labels. torch: mean over
      // all elements; Keras: mean over labels, then sum_over_batch_size (/ N); torch
      // reduction="sum": every element, so the row means times L.
      if (c.reduction == Reduction::sum) return s.bce[f].value() * labels;
      return s.bce[f].value() / static_cast<double>(s.samples);
    }
  }
  return kNaN;
}

}  // namespace metricaudit
