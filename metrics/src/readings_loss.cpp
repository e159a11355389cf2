// Cross-entropy readings. The state keeps, per loss family, the per-target-class
// sums of w_n * l_n and the smoothing total, so class weights, the weight
// normalisation, label smoothing and the reduction are all chosen here.
#include <cmath>
#include <limits>
#include <string>

#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

const char* family_text(LossFamily f) {
  switch (f) {
    case LossFamily::logits:
      return "cross-entropy on logits";
    case LossFamily::keras_probabilities:
      return "Keras cross-entropy on probabilities";
    case LossFamily::sklearn_probabilities:
      return "sklearn log_loss";
    case LossFamily::sklearn_legacy_probabilities:
      return "sklearn <= 1.1 log_loss";
    case LossFamily::keras_binary_onehot:
      return "Keras binary cross-entropy on one-hot targets";
  }
  return "?";
}

}  // namespace

double read_loss(const SufficientState& s, const Convention& c) {
  const LossSums& sums = s.losses[static_cast<int>(c.loss)];
  const std::string what = family_text(c.loss);
  if (!sums.enabled) {
    throw UnavailableError(what + ": not accumulated (add it to StateOptions::losses)");
  }
  if (!sums.available) {
    if (!s.has_scores) throw UnavailableError(what + ": needs scores; the state holds labels only");
    throw UnavailableError(
        what + ": needs probabilities (every score in [0, 1], rows with a positive sum)");
  }
  const auto C = static_cast<std::size_t>(s.num_classes());
  if (!c.class_weights.empty() && c.class_weights.size() != C) {
    throw ShapeError("class_weights: expected " + std::to_string(C) +
                     " values (num_classes), got " + std::to_string(c.class_weights.size()));
  }
  for (std::size_t i = 0; i < c.class_weights.size(); ++i) {
    const double w = c.class_weights[i];
    if (!std::isfinite(w) || w < 0.0) {
      throw ValueRangeError("class_weights: expected finite values >= 0, got " + std::to_string(w) +
                            " at index " + std::to_string(i));
    }
  }
  if (!(c.label_smoothing >= 0.0 && c.label_smoothing <= 1.0)) {
    throw InvalidArgument("label_smoothing: expected a value in [0, 1], got " +
                          std::to_string(c.label_smoothing));
  }
  const double eps = c.label_smoothing;
  if (eps > 0.0) {
    if (c.loss == LossFamily::sklearn_probabilities ||
        c.loss == LossFamily::sklearn_legacy_probabilities) {
      throw UnavailableError(what + ": label smoothing is not defined for this family");
    }
    if (!s.options().smoothing_terms) {
      throw UnavailableError(
          what + ": smoothing terms were not accumulated (StateOptions::smoothing_terms)");
    }
    if (!c.class_weights.empty() && c.loss != LossFamily::logits) {
      throw UnavailableError(what +
                             ": label smoothing with class weights is modelled for torch's "
                             "cross-entropy on logits only");
    }
    if (!c.class_weights.empty() && sums.smoothing_by_column.empty()) {
      // torch weights the smoothing term of column c by w_c
      // (torch/nn/functional.py cross_entropy -> aten/src/ATen/native/LossNLL.cpp,
      // cross_entropy_loss_label_smoothing: -(logp * weight).sum(1)): that needs the
      // per-column sums.
      throw UnavailableError(what +
                             ": label smoothing with class weights needs the per-column "
                             "smoothing sums; build the state with smoothing_columns=true");
    }
  }
  // torch: (1 - e) * nll + (e / C) * smooth, so at e = 1 an infinite nll term (a -inf
  // logit at the target) is 0 * inf = NaN (LossNLL.cpp, cross_entropy_loss_label_smoothing).
  // With a one-hot target the target is smoothed instead (Keras: y (1 - e) + e / C > 0).
  if (c.target_form == TargetForm::index && eps == 1.0 && sums.infinite_terms > 0) return kNaN;
  if (c.loss == LossFamily::logits && c.target_form == TargetForm::one_hot && eps == 0.0) {
    // -sum_c y_c log softmax(z)_c with a one-hot y: a -inf logit where y_c = 0 gives
    // 0 * inf = NaN (Keras, which one-hots a sparse target, keras/src/backend/jax/nn.py;
    // torch with probability targets). Rows with a -inf logit anywhere are the
    // smoothing term's infinite rows; those with it at the target, the nll's.
    if (!s.options().smoothing_terms) {
      throw UnavailableError(what +
                             " with one-hot targets: needs the smoothing terms (they count the "
                             "rows with a -inf logit); build the state with smoothing_terms=true");
    }
    if (sums.infinite_smoothing > sums.infinite_terms) return kNaN;
    if (sums.infinite_terms > 0) {
      throw UnavailableError(what +
                             " with one-hot targets: a -inf logit at the target gives +inf, or "
                             "NaN when its row has another -inf logit; the state does not tell "
                             "them apart");
    }
  }
  // An infinite term times its sample weight is +inf, or 0 * inf = NaN when that weight is
  // 0 (Keras' sample_weight); the state keeps no weight per infinite row.
  const bool weighted_reading = s.weighted && c.sample_weighted;
  auto infinite = [&]() -> double {
    if (weighted_reading) {
      throw UnavailableError(what +
                             ": an infinite term with sample weights is +inf, or NaN where its "
                             "weight is 0; the state does not keep the weights of those rows");
    }
    return kInf;
  };
  const bool by_column = eps > 0.0 && !c.class_weights.empty();
  if (by_column) {
    // A -inf logit in column c makes -log p_nc = +inf; torch multiplies it by w_c, so a
    // zero weight gives 0 * inf = NaN and a positive one +inf.
    bool nan = false, inf = sums.infinite_terms > 0;
    for (std::size_t i = 0; i < C; ++i) {
      if (sums.infinite_by_column[i] == 0) continue;
      (c.class_weights[i] == 0.0 ? nan : inf) = true;
    }
    if (nan) return kNaN;
    if (inf) return infinite();
  } else if (sums.infinite_terms > 0 || (eps > 0.0 && sums.infinite_smoothing > 0)) {
    return infinite();
  }

  const bool weights_given = weighted_reading;
  if (s.weighted && !c.sample_weighted) {
    throw UnavailableError(what +
                           ": the loss sums include the sample weights; an unweighted reading "
                           "needs a pass without them");
  }
  // Numerator: sum_c cw_c * S_c, exactly summed.
  ExactSum numerator;
  ExactSum class_weight_mass;  // sum_c cw_c * (weighted) support_c
  for (std::size_t i = 0; i < C; ++i) {
    const double cw = c.class_weights.empty() ? 1.0 : c.class_weights[i];
    numerator.add(cw * sums.by_class[i].value());
    const double support =
        weights_given ? s.w_support[i].value() : static_cast<double>(s.support[i]);
    class_weight_mass.add(cw * support);
  }
  const double nll_sum = numerator.value();
  double smooth_sum = 0.0;
  if (by_column) {
    ExactSum weighted_columns;  // sum_c cw_c * sum_n w_n (-log p_nc)
    for (std::size_t i = 0; i < C; ++i) {
      weighted_columns.add(c.class_weights[i] * sums.smoothing_by_column[i].value());
    }
    smooth_sum = weighted_columns.value();
  } else if (eps > 0.0) {
    smooth_sum = sums.smoothing.value();
  }
  // The smoothing term's weight: e / C for the categorical families (y' = y (1 - e) + e / C
  // over C classes); e / 2 for Keras' binary cross-entropy (y' = y (1 - e) + e / 2 per
  // cell; its smoothing sum already holds the mean over the C cells).
  const double k = c.loss == LossFamily::keras_binary_onehot ? 2.0 : static_cast<double>(C);
  if (c.reduction == Reduction::sum) {
    return (1.0 - eps) * nll_sum + (eps / k) * smooth_sum;
  }
  double denominator = 0.0;
  switch (c.weight_norm) {
    case ClassWeightNorm::target_weight_sum:
      // torch: divide by the sum of the target classes' weights (LossNLL.cpp,
      // nll_loss reduction mean); sklearn log_loss: by the sample-weight sum.
      denominator = class_weight_mass.value();
      break;
    case ClassWeightNorm::sample_count:
      // Keras "sum_over_batch_size": by the number of samples, weighted or not.
      denominator = static_cast<double>(s.samples);
      break;
  }
  // Every sample ignored: torch's mean is 0 / 0 = NaN; Keras divides with
  // divide_no_nan (sum_over_batch_size; ignore_class masks, keras/src/losses/loss.py): 0.
  if (denominator == 0.0) return c.weight_norm == ClassWeightNorm::sample_count ? 0.0 : kNaN;
  return ((1.0 - eps) * nll_sum + (eps / k) * smooth_sum) / denominator;
}

double softmax_twice_floor(std::int64_t num_classes) {
  if (num_classes < 1) {
    throw InvalidArgument("num_classes: expected an integer >= 1, got " +
                          std::to_string(num_classes));
  }
  // Softmax of a probability row p is minimised at the target when p is one-hot
  // there: -log(e / (e + C - 1)) = ln(1 + (C - 1) / e).
  return std::log1p(static_cast<double>(num_classes - 1) / std::exp(1.0));
}

}  // namespace metricaudit
