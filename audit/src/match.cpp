// Matching one logged number with the catalogue's candidates.
#include <cmath>
#include <cstdio>

#include "internal.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit::audit::detail {
namespace {

// Libraries compute metrics in float32 (torch tensors, Keras metric variables) and
// accumulate them over batches; the recomputation here is exact in double. Their
// difference stays within a few float32 ulps of the value.
constexpr double kFloat32Relative = 4e-6;

}  // namespace

std::string four_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

double tolerance(const LoggedPoint& p) {
  const double magnitude = std::abs(p.value);
  switch (p.precision.kind) {
    case Precision::Kind::decimal: {
      double half_unit;
      if (p.precision.significant_digits > 0 && magnitude > 0) {
        // "1.2345e-04": half a unit in the last printed significant digit.
        const double exponent = std::floor(std::log10(magnitude));
        half_unit = 0.5 * std::pow(10.0, exponent - (p.precision.significant_digits - 1));
      } else {
        half_unit = 0.5 * std::pow(10.0, -p.precision.decimals);
      }
      return half_unit + kFloat32Relative * magnitude + 1e-12;
    }
    case Precision::Kind::float32:
      return kFloat32Relative * magnitude + 1e-7;
    case Precision::Kind::float64:
      return kFloat32Relative * magnitude + 1e-12;
  }
  return 0.0;
}

namespace {

// Adds every available candidate to `r`, marking those within the tolerance.
template <typename C>
void compare(PointResult& r, const LoggedPoint& point, const std::vector<C>& candidates) {
  for (const C& c : candidates) {
    if (std::isnan(c.value)) continue;
    CandidateValue v{c.id,  c.libraries, c.value,      std::abs(c.value - point.value),
                     false, c.rule,      c.description};
    v.explains = v.distance <= r.tolerance;
    if (v.explains) r.explained_by.push_back(v.id);
    if (v.id == r.expected_id) r.expected = v.value;
    r.candidates.push_back(std::move(v));
  }
}

}  // namespace

MetricKind catalogue_kind(Kind kind) {
  switch (kind) {
    case Kind::loss:
      return MetricKind::loss;
    case Kind::precision:
      return MetricKind::precision;
    case Kind::recall:
      return MetricKind::recall;
    case Kind::f1:
      return MetricKind::f1;
    case Kind::balanced_accuracy:
      return MetricKind::balanced_accuracy;
    default:
      return MetricKind::accuracy;  // accuracy, top-k accuracy
  }
}

namespace {

PointResult start(const LoggedPoint& point, const MetricName& name, const Recomputed& dump,
                  std::int64_t classes) {
  PointResult r;
  r.point = point;
  r.dump = dump.path;
  r.num_classes = classes;
  r.tolerance = tolerance(point);
  r.kind = kind_name(catalogue_kind(name.kind));
  return r;
}

ScoresAre scores_of(const Recomputed& dump) {
  // The dump says whether it holds logits or probabilities: a logits dump whose values
  // happen to lie in [0, 1] still holds logits (cross-entropy on them is the intended loss).
  return dump.probabilities ? ScoresAre::probabilities : ScoresAre::logits;
}

// What a logged name implies for a multi-class dump: an accuracy is micro (top-k: micro
// at k); a loss is the cross-entropy of the model's own output, on logits or (Keras') on
// probabilities; a precision, recall or F1 the average its name states, else the macro
// average over the classes present (torchmetrics >= 1.0's default, sklearn's
// average="macro"); a balanced accuracy sklearn's.
Convention implied(const MetricName& name, bool probabilities) {
  Convention c;
  if (name.kind == Kind::precision || name.kind == Kind::recall || name.kind == Kind::f1) {
    c.metric = name.kind == Kind::precision ? Metric::precision
               : name.kind == Kind::recall  ? Metric::recall
                                            : Metric::f1;
    c.average = name.average.value_or(Average::macro);
  } else if (name.kind == Kind::balanced_accuracy) {
    c.metric = Metric::balanced_accuracy;
  } else if (name.kind == Kind::loss) {
    c.metric = Metric::cross_entropy;
    if (probabilities) {
      c.loss = LossFamily::keras_probabilities;
      c.weight_norm = ClassWeightNorm::sample_count;
    }
  } else if (name.kind == Kind::top_k_accuracy) {
    c.top_k = name.top_k;
  }
  return c;
}

// The same for a binary / multilabel dump: an accuracy is element-wise binary accuracy of
// the model's decisions (a sigmoid on logits, the probabilities as they are); a loss is
// binary cross-entropy of the model's own output (with logits, or Keras' on probabilities);
// a precision, recall or F1 that of the model's decisions, under the average its name
// states, else torchmetrics' and sklearn's default (one label: the label's own value;
// several: the macro average over all labels).
LabelwiseConvention implied_labelwise(const MetricName& name, std::int64_t labels,
                                      bool probabilities) {
  LabelwiseConvention c;
  c.reading = probabilities ? ScoreReading::raw : ScoreReading::sigmoid;
  switch (name.kind) {
    case Kind::loss:
      c.metric = LabelwiseMetric::binary_cross_entropy;
      c.loss =
          probabilities ? BinaryLossFamily::keras_probabilities : BinaryLossFamily::torch_logits;
      break;
    case Kind::precision:
    case Kind::recall:
    case Kind::f1:
      c.metric = name.kind == Kind::precision ? LabelwiseMetric::precision
                 : name.kind == Kind::recall  ? LabelwiseMetric::recall
                                              : LabelwiseMetric::f1;
      c.average = labels == 1 ? Average::micro : name.average.value_or(Average::macro);
      break;
    default:
      break;  // accuracy
  }
  return c;
}

PointResult match_labelwise(const LoggedPoint& point, const MetricName& name,
                            const Recomputed& dump) {
  PointResult r = start(point, name, dump, dump.labelwise->num_labels());
  r.expected_id =
      reading_id(implied_labelwise(name, dump.labelwise->num_labels(), dump.probabilities),
                 dump.probabilities);
  compare(r, point, catalogue(*dump.labelwise, catalogue_kind(name.kind), scores_of(dump)));
  return r;
}

// A top-k accuracy at a k outside the catalogue's (2, 3, 5): read directly.
void add_top_k(PointResult& r, const LoggedPoint& point, const Convention& c,
               const SufficientState& state) {
  try {
    const double v = read(state, c);
    CandidateValue cv{
        r.expected_id, "top-k accuracy (micro)",           v, std::abs(v - point.value), false,
        "MA004",       "target among the k highest scores"};
    cv.explains = cv.distance <= r.tolerance;
    if (cv.explains) r.explained_by.push_back(cv.id);
    r.expected = v;
    r.candidates.push_back(std::move(cv));
  } catch (const Error&) {
    // k > C or no scores: no expected value; the point stays unexplained by it
  }
}

}  // namespace

PointResult match_point(const LoggedPoint& point, const MetricName& name, const Recomputed& dump) {
  if (dump.labelwise) return match_labelwise(point, name, dump);
  PointResult r = start(point, name, dump, dump.state->num_classes());
  const Convention expected = implied(name, dump.probabilities);
  r.expected_id = reading_id(expected, dump.probabilities);
  compare(r, point, catalogue(*dump.state, catalogue_kind(name.kind), scores_of(dump)));
  if (!r.expected && name.kind == Kind::top_k_accuracy) add_top_k(r, point, expected, *dump.state);
  return r;
}

}  // namespace metricaudit::audit::detail
