// Classification readings of a multi-class state. Per-class ratios come from
// the integer counts (or their ExactSum weighted versions); averages sum over
// classes in index order, so a reading is deterministic given the state.
#include <cmath>
#include <limits>
#include <string>

#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit {

double read_loss(const SufficientState& state, const Convention& convention);  // readings_loss.cpp

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per-class numerator/denominator inputs of one reading.
struct ClassCounts {
  std::vector<double> tp, predicted, support;
  // Presence of each class, by sample count whatever the weights: which classes
  // enter a macro mean is decided by who appears (sklearn: labels = the union of
  // y_true and y_pred, zero-weight samples included), not by weighted mass.
  std::vector<double> present_predicted, present_support;
  double samples = 0.0;  // micro denominator
  double hits = 0.0;     // micro numerator
};

bool use_weights(const SufficientState& s, const Convention& c) {
  return c.sample_weighted && s.weighted;
}

std::vector<double> to_double(const std::vector<std::int64_t>& v) {
  return {v.begin(), v.end()};
}
std::vector<double> to_double(const std::vector<ExactSum>& v) {
  std::vector<double> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i].value();
  return out;
}

std::size_t topk_slot(const SufficientState& s, int k) {
  const auto& ks = s.options().top_k;
  for (std::size_t j = 0; j < ks.size(); ++j) {
    if (ks[j] == k) return j;
  }
  throw UnavailableError("top_k=" + std::to_string(k) +
                         ": per-class top-k counts were not kept for this k; add it to "
                         "StateOptions::top_k before the pass");
}

// Per-k counts follow torch's topk rule; they answer index_order too when no
// target ever tied across the boundary (then both rules give the same sets).
void require_torch_order(const SufficientState& s, const Convention& c, std::size_t j) {
  if (c.ties == TieRule::torch_topk) return;
  if (c.ties == TieRule::index_order && s.topk_boundary_ties[j] == 0) return;
  throw UnavailableError("top_k=" + std::to_string(c.top_k) +
                         ": per-class and weighted top-k counts follow torch.topk's tie rule (" +
                         std::to_string(s.topk_boundary_ties[j]) +
                         " rows tie at the boundary); read them with ties=torch_topk");
}

// Precision and F1 at k > 1 under torchmetrics <= 1.6.0's rule: every class of the
// top-k set is a predicted positive (TopKPredicted::whole_set).
bool whole_set(const Convention& c) {
  return c.top_k > 1 && c.topk_predicted == TopKPredicted::whole_set &&
         (c.metric == Metric::precision || c.metric == Metric::f1);
}

// The per-k set counts, when this reading needs and the state has them.
const std::vector<std::int64_t>& topk_sets(const SufficientState& s, const Convention& c,
                                           std::size_t j) {
  if (!s.options().topk_sets) {
    throw UnavailableError(
        "top_k=" + std::to_string(c.top_k) +
        ": precision and F1 with every one of the k predicted classes counted as a predicted "
        "positive (torchmetrics <= 1.6.0) need the top-k sets; build the state with "
        "topk_sets=true, or read with topk_predicted=top1_on_miss (torchmetrics >= 1.6.1)");
  }
  if (c.ties != TieRule::torch_topk) {
    throw UnavailableError("top_k=" + std::to_string(c.top_k) +
                           ": the top-k sets follow torch.topk's tie rule; read them with "
                           "ties=torch_topk");
  }
  return s.topk_set_by_class[j];
}

void require_scores_for_topk(const SufficientState& s, int k) {
  if (k < 1 || k > s.num_classes()) {
    throw InvalidArgument("top_k: expected a value in [1, num_classes=" +
                          std::to_string(s.num_classes()) + "], got " + std::to_string(k));
  }
  if (k > 1 && !s.has_scores) {
    throw UnavailableError("top_k=" + std::to_string(k) +
                           ": needs scores; the state holds predicted labels only");
  }
}

// Micro hits at k under a tie rule.
double micro_hits(const SufficientState& s, const Convention& c) {
  const int k = c.top_k;
  const bool weights = use_weights(s, c);
  if (k == 1 && c.ties == TieRule::index_order) {
    if (weights) {
      ExactSum total;
      for (const auto& t : s.w_tp) total.merge(t);
      return total.value();
    }
    std::int64_t hits = 0;
    for (auto t : s.tp) hits += t;
    return static_cast<double>(hits);
  }
  if (!s.has_scores) {
    throw UnavailableError("top-k ranks need scores; the state holds predicted labels only");
  }
  if (weights && c.ties != TieRule::torch_topk) {
    // Keras in_top_k and sklearn top_k_accuracy_score with sample weights.
    return s.w_topk_hits_by_rule[static_cast<int>(c.ties)][topk_slot(s, k)].value();
  }
  if (weights || c.ties == TieRule::torch_topk) {
    const std::size_t j = topk_slot(s, k);
    require_torch_order(s, c, j);
    if (weights) return s.w_topk_hits[j].value();
    std::int64_t hits = 0;
    for (auto h : s.topk_hits_by_class[j]) hits += h;
    return static_cast<double>(hits);
  }
  const auto& h = s.rank_histogram[static_cast<int>(c.ties)];
  std::int64_t hits = 0;
  for (int r = 0; r < k; ++r) hits += h[static_cast<std::size_t>(r)];
  return static_cast<double>(hits);
}

ClassCounts counts(const SufficientState& s, const Convention& c) {
  ClassCounts out;
  const bool weights = use_weights(s, c);
  if (c.top_k == 1) {
    out.tp = weights ? to_double(s.w_tp) : to_double(s.tp);
    out.predicted = weights ? to_double(s.w_predicted) : to_double(s.predicted);
  } else {
    if (weights) throw UnavailableError("per-class top-k counts are not kept with sample weights");
    const std::size_t j = topk_slot(s, c.top_k);
    require_torch_order(s, c, j);
    out.tp = to_double(s.topk_hits_by_class[j]);
    if (whole_set(c)) {
      out.predicted = to_double(topk_sets(s, c, j));
    } else {
      // torchmetrics >= 1.6.1: on a miss the sample predicts its top-1 class.
      out.predicted = to_double(s.topk_misses_by_predicted[j]);
      for (std::size_t i = 0; i < out.tp.size(); ++i) out.predicted[i] += out.tp[i];
    }
  }
  out.support = weights ? to_double(s.w_support) : to_double(s.support);
  out.present_predicted = weights ? to_double(s.predicted) : out.predicted;
  out.present_support = weights ? to_double(s.support) : out.support;
  out.samples = weights ? s.w_total.value() : static_cast<double>(s.samples);
  return out;
}

std::vector<double> per_class_values(const ClassCounts& k, Metric metric, ZeroDivision zd) {
  std::vector<double> v(k.tp.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    switch (metric) {
      case Metric::accuracy:
      case Metric::recall:
      case Metric::balanced_accuracy:
        v[i] = ratio(k.tp[i], k.support[i], zd);
        break;
      case Metric::precision:
        v[i] = ratio(k.tp[i], k.predicted[i], zd);
        break;
      case Metric::f1:
        v[i] = ratio(2.0 * k.tp[i], k.predicted[i] + k.support[i], zd);
        break;
      default:
        throw InvalidArgument(
            "per-class values are defined for accuracy, precision, recall and f1");
    }
  }
  return v;
}

// The per-class values of a reading with what averaging them needs.
ClassRatios class_ratios(const ClassCounts& k, const Convention& c) {
  ClassRatios r;
  r.values = per_class_values(k, c.metric, c.zero_division);
  r.support = k.support;
  r.seen.resize(k.tp.size());
  r.supported.resize(k.tp.size());
  for (std::size_t i = 0; i < k.tp.size(); ++i) {
    // tp + fp + fn > 0  <=>  predicted + support > 0
    r.seen[i] = k.present_predicted[i] + k.present_support[i] > 0.0;
    r.supported[i] = k.present_support[i] > 0.0;
  }
  return r;
}

double balanced(const SufficientState& s, const Convention& c) {
  // sklearn/metrics/_classification.py balanced_accuracy_score: mean recall over
  // the classes present in y_true; adjusted: (score - 1/K) / (1 - 1/K).
  Convention rc = c;
  rc.top_k = 1;
  const ClassCounts k = counts(s, rc);
  double sum = 0.0;
  std::int64_t classes = 0;
  for (std::size_t i = 0; i < k.tp.size(); ++i) {
    if (k.support[i] > 0.0) {
      sum += k.tp[i] / k.support[i];
      ++classes;
    }
  }
  if (classes == 0) return kNaN;
  double score = sum / static_cast<double>(classes);
  if (c.adjusted) {
    const double chance = 1.0 / static_cast<double>(classes);
    score = (score - chance) / (1.0 - chance);  // K = 1: 0/0 -> NaN, as sklearn
  }
  return score;
}

double elementwise(const SufficientState& s, const Convention& c) {
  if (!s.has_scores) {
    throw UnavailableError(
        "element-wise binary accuracy needs scores; the state holds labels only");
  }
  // Keras' Mean metrics divide with divide_no_nan: no sample, or every weight 0, gives 0.
  const double cells_per_row = static_cast<double>(s.num_classes());
  if (use_weights(s, c)) {
    return ratio(s.w_elementwise_correct.value(), s.w_total.value() * cells_per_row,
                 c.zero_division);
  }
  return ratio(static_cast<double>(s.elementwise_correct),
               static_cast<double>(s.samples) * cells_per_row, c.zero_division);
}

}  // namespace

std::vector<double> read_per_class(const SufficientState& state, const Convention& convention) {
  require_scores_for_topk(state, convention.top_k);
  return per_class_values(counts(state, convention), convention.metric, convention.zero_division);
}

double read(const SufficientState& state, const Convention& c) {
  switch (c.metric) {
    case Metric::cross_entropy:
      return read_loss(state, c);
    case Metric::balanced_accuracy:
      return balanced(state, c);
    case Metric::elementwise_binary_accuracy:
      return elementwise(state, c);
    default:
      break;
  }
  require_scores_for_topk(state, c.top_k);
  if (c.average == Average::none) {
    throw InvalidArgument("average='none' gives one value per class: call read_per_class");
  }
  if (c.average != Average::micro) {
    // Every sample ignored: each class is 0/0 (valued by zero_division) and none enters
    // the mean, which is then 0, as torchmetrics' weighted _safe_divide gives.
    return average_ratios(class_ratios(counts(state, c), c), c.average, c.absent, c.zero_division);
  }
  // Nothing counted (every sample ignored, or every weight 0): 0/0, valued by
  // zero_division like any other empty ratio (torchmetrics' _safe_divide and Keras'
  // divide_no_nan give 0; zero_division=nan gives NaN).
  if (state.samples == 0) return ratio(0.0, 0.0, c.zero_division);
  const bool weights = use_weights(state, c);
  if (whole_set(c)) {
    // k predicted classes per sample: precision = hits / (N k) and
    // F1 = 2 tp / (2 tp + fp + fn) = 2 hits / (N k + N).
    if (weights) {
      throw UnavailableError("top-k sets are not kept with sample weights");
    }
    const std::size_t j = topk_slot(state, c.top_k);
    double predicted = 0.0;
    for (auto n : topk_sets(state, c, j)) predicted += static_cast<double>(n);
    const double hits = micro_hits(state, c);
    const double samples = static_cast<double>(state.samples);
    return c.metric == Metric::precision ? ratio(hits, predicted, c.zero_division)
                                         : ratio(2.0 * hits, predicted + samples, c.zero_division);
  }
  // Every counted sample predicts exactly one class, so micro accuracy,
  // precision, recall and F1 all equal hits / samples.
  const double total = weights ? state.w_total.value() : static_cast<double>(state.samples);
  return ratio(micro_hits(state, c), total, c.zero_division);
}

}  // namespace metricaudit
