// The cross-entropy of one row under each loss family (state_options.hpp, LossFamily),
// and the clipping bounds the libraries use. The pass (multiclass_pass.cpp) folds these
// terms into per-class sums; the per-sample states (paired_state.cpp) keep one term per
// sample. The bounds are written here once for both.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "metricaudit/state_options.hpp"

namespace metricaudit::detail {

// Clipping bounds in the dtype the library computes in. sklearn computes in the
// scores' dtype; Keras in float32 whatever the input dtype (Loss.__call__ casts to the
// float32 compute dtype, keras/src/losses/loss.py), so its probabilities are rounded to
// float32 and clipped at float32's 1e-7 and 1 - 1e-7 (keras_clip).
template <typename T>
struct Clip {
  // sklearn/metrics/_classification.py (>= 1.5): eps = np.finfo(y_pred.dtype).eps.
  static constexpr double sk_lo = static_cast<double>(std::numeric_limits<T>::epsilon());
  static constexpr double sk_hi = static_cast<double>(T(1) - std::numeric_limits<T>::epsilon());
};

// sklearn <= 1.1 log_loss: clip to [1e-15, 1 - 1e-15] whatever the dtype, then renormalise.
inline constexpr double kSklearnLegacyLo = 1e-15;
inline constexpr double kSklearnLegacyHi = 1.0 - 1e-15;

inline double clamp(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

// keras/src/backend/config.py: epsilon() = 1e-7, used as clip(x, eps, 1 - eps) in float32.
inline double keras_clip(double x) {
  constexpr double lo = static_cast<double>(static_cast<float>(1e-7));
  constexpr double hi = static_cast<double>(1.0f - static_cast<float>(1e-7));
  return clamp(static_cast<double>(static_cast<float>(x)), lo, hi);
}

/// What one row's loss term is: a finite value, +inf (a -inf logit at the target), or
/// not defined (a probability family on a row with a score outside [0, 1] or summing
/// to 0: the caller reports it).
struct RowLoss {
  double value = 0.0;
  bool defined = true;
};

/// The loss term of row `row` (C scores, target y) under `family`, in double, with the
/// scalar std::exp / std::log. The pass's SIMD kernels agree with the logits family's term
/// within a few ulps on float64 scores, within kFloat32LossRelativeError on float32 ones
/// (evaluate.hpp); its probability families compute the same expressions as here.
template <typename T>
RowLoss row_loss(LossFamily family, const T* row, std::int64_t C, std::int64_t y) {
  const double py = static_cast<double>(row[y]);
  if (family == LossFamily::logits) {
    // logsumexp(z) - z_y; a -inf logit at the target gives +inf.
    double m = -std::numeric_limits<double>::infinity();
    for (std::int64_t c = 0; c < C; ++c) m = std::max(m, static_cast<double>(row[c]));
    double sum_exp = 0.0;
    for (std::int64_t c = 0; c < C; ++c) sum_exp += std::exp(static_cast<double>(row[c]) - m);
    if (std::isinf(py)) return {std::numeric_limits<double>::infinity(), true};
    return {m + std::log(sum_exp) - py, true};
  }
  // Keras' categorical family renormalises, so it reads any non-negative row with a
  // positive sum (keras/src/backend/jax/nn.py); the others need every score in [0, 1].
  double row_sum = 0.0;
  bool in_unit = true, nonneg = true;
  for (std::int64_t c = 0; c < C; ++c) {
    const double v = static_cast<double>(row[c]);
    nonneg = nonneg && v >= 0.0;
    in_unit = in_unit && v >= 0.0 && v <= 1.0;
    row_sum += v;
  }
  if (family == LossFamily::keras_probabilities) {
    if (!nonneg || row_sum <= 0.0) return {0.0, false};
    return {-std::log(keras_clip(py / row_sum)), true};
  }
  if (!in_unit) return {0.0, false};
  switch (family) {
    case LossFamily::sklearn_probabilities:
      return {-std::log(clamp(py, Clip<T>::sk_lo, Clip<T>::sk_hi)), true};
    case LossFamily::sklearn_legacy_probabilities: {
      double clipped_sum = 0.0;
      for (std::int64_t c = 0; c < C; ++c) {
        clipped_sum += clamp(static_cast<double>(row[c]), kSklearnLegacyLo, kSklearnLegacyHi);
      }
      return {-std::log(clamp(py, kSklearnLegacyLo, kSklearnLegacyHi) / clipped_sum), true};
    }
    case LossFamily::keras_binary_onehot: {
      double t = 0.0;
      for (std::int64_t c = 0; c < C; ++c) {
        const double q = keras_clip(static_cast<double>(row[c]));
        t -= (c == y) ? std::log(q) : std::log1p(-q);
      }
      return {t / static_cast<double>(C), true};
    }
    case LossFamily::logits:
    case LossFamily::keras_probabilities:
      break;
  }
  return {0.0, false};
}

}  // namespace metricaudit::detail
