// One pass over a binary / multilabel batch. Decisions are counted both on the
// raw scores and after a sigmoid; torchmetrics' rule (sigmoid when any element
// of the update's tensor is outside [0, 1]) then picks one of the two for the
// whole batch, which is exactly what torchmetrics does per update() call.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "detail/parallel.hpp"
#include "detail/tiny_scores.hpp"
#include "detail/validate.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit {
namespace {

using detail::label_at;
using detail::real_at;

constexpr int kRaw = static_cast<int>(ScoreReading::raw);
constexpr int kSigmoid = static_cast<int>(ScoreReading::sigmoid);
constexpr int kAuto = static_cast<int>(ScoreReading::torchmetrics_auto);
constexpr int kKeras = static_cast<int>(BinaryLossFamily::keras_probabilities);
constexpr int kTorchProbs = static_cast<int>(BinaryLossFamily::torch_probabilities);
constexpr int kTorchLogits = static_cast<int>(BinaryLossFamily::torch_logits);
constexpr int kSklearn = static_cast<int>(BinaryLossFamily::sklearn_probabilities);
constexpr int kSklearnOld = static_cast<int>(BinaryLossFamily::sklearn_legacy_probabilities);

// Keras computes in float32 whatever the input dtype (Loss.__call__ casts to the float32
// compute dtype, keras/src/losses/loss.py): the value is rounded to float32 and clipped
// to [float32(1e-7), float32(1) - float32(1e-7)] = [1.0000000117e-7, 1 - 2^-23]
// (keras/src/backend/config.py epsilon(), keras/src/backend/jax/nn.py).
constexpr double kKerasLo = static_cast<double>(static_cast<float>(1e-7));
constexpr double kKerasHi = static_cast<double>(1.0f - static_cast<float>(1e-7));

double clamp(double x, double lo, double hi) {
  return std::min(std::max(x, lo), hi);
}

[[noreturn]] void fail_row(std::int64_t row, const std::string& message) {
  throw detail::RowError{row, std::make_exception_ptr(ValueRangeError(message))};
}

std::string at(std::int64_t i, std::int64_t l, std::int64_t labels) {
  if (labels == 1) return " at index " + std::to_string(i);
  return " at index (" + std::to_string(i) + ", " + std::to_string(l) + ")";
}

struct Partial {
  LabelwiseState state;
  bool all_in_unit = true;
  bool track_tiny = false;              // update()'s tiny_rows was asked for
  std::vector<std::int64_t> tiny_rows;  // then: the rows holding a zero or a subnormal
};

template <typename T>
void rows(Partial& p, const LabelwiseBatch& b, std::int64_t L, std::int64_t begin,
          std::int64_t end) {
  LabelwiseState& s = p.state;
  const T threshold = static_cast<T>(s.options().threshold);
  const T* scores = static_cast<const T*>(b.scores.data);
  const bool weighted = !b.sample_weight.empty();
  // sklearn >= 1.5 log_loss: eps of the scores' dtype (np.finfo(y_pred.dtype).eps).
  const double sk_lo = static_cast<double>(std::numeric_limits<T>::epsilon());
  const double sk_hi = static_cast<double>(T(1) - std::numeric_limits<T>::epsilon());
  for (std::int64_t i = begin; i < end; ++i) {
    bool row_right[2] = {true, true};
    std::int64_t cells_right[2] = {0, 0};
    double bce_row[kBinaryLossFamilies] = {};
    bool in_unit = true, tiny = false;
    for (std::int64_t l = 0; l < L; ++l) {
      const std::int64_t idx = i * L + l;
      const std::int64_t y = label_at(b.target, idx);
      if (y != 0 && y != 1) {
        fail_row(i, "target: expected 0 or 1, got " + std::to_string(y) + at(i, l, L));
      }
      const T x = scores[idx];
      if (!std::isfinite(x)) {
        fail_row(i, "preds: expected finite scores, got " +
                        std::string(std::isnan(x) ? "nan" : "inf") + at(i, l, L));
      }
      in_unit = in_unit && x >= T(0) && x <= T(1);
      tiny = tiny || detail::is_tiny(x);
      // torch.sigmoid in the tensor's dtype, then `> threshold` in that dtype.
      const T sig = T(1) / (T(1) + std::exp(-x));
      const bool decision[2] = {x > threshold, sig > threshold};
      for (int r = 0; r < 2; ++r) {
        const bool right = decision[r] == (y == 1);
        cells_right[r] += right;
        row_right[r] = row_right[r] && right;
        auto& counts = decision[r] ? (y ? s.tp[r] : s.fp[r]) : (y ? s.fn[r] : s.tn[r]);
        ++counts[static_cast<std::size_t>(l)];
      }
      const double xd = static_cast<double>(x);
      // torch BCEWithLogitsLoss (aten/src/ATen/native/Loss.cpp): max(x,0) - x y + log1p(exp(-|x|)).
      bce_row[kTorchLogits] +=
          std::max(xd, 0.0) - xd * static_cast<double>(y) + std::log1p(std::exp(-std::abs(xd)));
      if (xd >= 0.0 && xd <= 1.0) {
        const double q = clamp(static_cast<double>(static_cast<float>(x)), kKerasLo, kKerasHi);
        bce_row[kKeras] -= y ? std::log(q) : std::log1p(-q);
        // torch BCELoss clamps each log at -100 (aten/src/ATen/native/Loss.cpp).
        bce_row[kTorchProbs] -=
            y ? std::max(std::log(xd), -100.0) : std::max(std::log1p(-xd), -100.0);
        // sklearn log_loss: (N,) scores become the columns [1 - p, p] in the scores'
        // dtype, each clipped; the loss is -log of the target's column.
        const double not_p = static_cast<double>(T(1) - x);
        bce_row[kSklearn] -= std::log(clamp(y ? xd : not_p, sk_lo, sk_hi));
        // sklearn <= 1.1: clipped to [1e-15, 1 - 1e-15], then divided by the row sum.
        const double c1 = clamp(xd, 1e-15, 1.0 - 1e-15), c0 = clamp(not_p, 1e-15, 1.0 - 1e-15);
        bce_row[kSklearnOld] -= std::log((y ? c1 : c0) / (c0 + c1));
      }
    }
    if (tiny && p.track_tiny) p.tiny_rows.push_back(i);
    const double w = weighted ? real_at(b.sample_weight, i) : 1.0;
    ++s.samples;
    for (int r = 0; r < 2; ++r) {
      s.exact_match[r] += row_right[r];
      // Weighted sums are kept for every batch (w = 1 when none is given), so a
      // state mixing weighted and unweighted batches stays consistent.
      s.w_correct_cells[r].add(w * static_cast<double>(cells_right[r]));
      if (row_right[r]) s.w_exact_match[r].add(w);
    }
    s.w_total.add(w);
    p.all_in_unit = p.all_in_unit && in_unit;
    for (int f = 0; f < kBinaryLossFamilies; ++f) {
      if (f != kTorchLogits && !in_unit) continue;  // probability families: unavailable below
      s.bce[f].add(w * bce_row[f] / static_cast<double>(L));
    }
  }
}

}  // namespace

void update(LabelwiseState& state, const LabelwiseBatch& batch,
            std::vector<std::int64_t>* tiny_rows) {
  detail::require_nonempty(batch.target, "target");
  detail::require_integer(batch.target, "target");
  detail::require_floating(batch.scores, "preds");
  const std::int64_t n = batch.target.rows;
  const std::int64_t L = state.num_labels();
  const std::int64_t target_cols = batch.target.ndim == 1 ? 1 : batch.target.cols;
  const std::int64_t score_cols = batch.scores.ndim == 1 ? 1 : batch.scores.cols;
  if (target_cols != L) {
    throw ShapeError("target: expected " + std::to_string(L) +
                     " label column(s) (num_labels), got shape " +
                     detail::shape_string(batch.target));
  }
  if (batch.scores.rows != n || score_cols != L) {
    throw ShapeError("preds: expected the shape of target " + detail::shape_string(batch.target) +
                     ", got " + detail::shape_string(batch.scores));
  }
  if (!batch.sample_weight.empty()) detail::check_weights(batch.sample_weight, n);
  const std::int64_t element = batch.scores.dtype == DType::float32 ? 4 : 8;
  auto make = [&] {
    Partial p{LabelwiseState(state.options()), true, tiny_rows != nullptr, {}};
    p.state.weighted = !batch.sample_weight.empty();
    return p;
  };
  auto body = [&](Partial& p, std::int64_t begin, std::int64_t end) {
    if (batch.scores.dtype == DType::float32) {
      rows<float>(p, batch, L, begin, end);
    } else {
      rows<double>(p, batch, L, begin, end);
    }
  };
  auto partials = detail::parallel_rows<Partial>(n, detail::chunk_rows(L, element),
                                                 state.options().threads, make, body);
  bool in_unit = true;
  for (const auto& p : partials) in_unit = in_unit && p.all_in_unit;
  LabelwiseState batch_state = std::move(partials.front().state);
  for (std::size_t i = 1; i < partials.size(); ++i) batch_state.merge(partials[i].state);
  // torchmetrics' rule, decided for this update's whole tensor.
  const int chosen = in_unit ? kRaw : kSigmoid;
  batch_state.tp[kAuto] = batch_state.tp[chosen];
  batch_state.fp[kAuto] = batch_state.fp[chosen];
  batch_state.tn[kAuto] = batch_state.tn[chosen];
  batch_state.fn[kAuto] = batch_state.fn[chosen];
  batch_state.exact_match[kAuto] = batch_state.exact_match[chosen];
  batch_state.w_correct_cells[kAuto] = batch_state.w_correct_cells[chosen];
  batch_state.w_exact_match[kAuto] = batch_state.w_exact_match[chosen];
  batch_state.scores_in_unit_interval = in_unit;
  for (int f = 0; f < kBinaryLossFamilies; ++f)
    batch_state.bce_available[f] = f == kTorchLogits || in_unit;
  batch_state.batches = 1;
  if (tiny_rows) *tiny_rows = detail::merged_tiny_rows(partials);
  state.merge(batch_state);
}

LabelwiseState evaluate(const LabelwiseBatch& batch, const LabelwiseOptions& options) {
  LabelwiseState state(options);
  update(state, batch);
  return state;
}

}  // namespace metricaudit
