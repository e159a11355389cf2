// libFuzzer harness: the core's update() on arguments built from the fuzz bytes, as the
// Python bindings can hand them over (bindings/src/arrays.cpp: any 1-D or 2-D C-contiguous
// int32/int64/float32/float64 array, of any shape, with any values). Every buffer holds
// exactly rows x cols elements of its dtype, as a numpy array does, on the heap so ASan
// sees any read past it. The options are fuzzed too (num_classes, top_k, ignore_index,
// threshold, loss families, confusion matrix, threads).
//
// Contract checked: bad arguments throw InvalidArgument (or a subclass) whose message
// starts with the argument's name; a batch that is accepted leaves counts that add up;
// two updates equal one update of the concatenation is left to the unit tests.
//
// seeds: fuzz/seeds/core_update/*
// max_len: 16384
#include <fuzzer/FuzzedDataProvider.h>

#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"
#include "metricaudit/labelwise_state.hpp"
#include "metricaudit/readings.hpp"

namespace {

using namespace metricaudit;

// One argument array: its own heap buffer, exactly the size its shape says.
struct Array {
  std::unique_ptr<unsigned char[]> bytes;
  ArrayView view;
};

std::int64_t small_extent(FuzzedDataProvider& p) {
  // Mostly tiny, sometimes 0, 1 or a few hundred (several OpenMP chunks at C = 1).
  switch (p.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return p.ConsumeIntegralInRange<std::int64_t>(60, 400);
    default:
      return p.ConsumeIntegralInRange<std::int64_t>(1, 12);
  }
}

// A value of the dtype: raw bytes (any bit pattern: NaN, inf, denormals, huge labels)
// or, more often, something in a plausible range so accepted batches are common.
void fill(FuzzedDataProvider& p, Array& a, std::int64_t classes) {
  const std::int64_t n = a.view.rows * a.view.cols;
  const bool raw = p.ConsumeBool();
  for (std::int64_t i = 0; i < n; ++i) {
    switch (a.view.dtype) {
      case DType::int32: {
        const auto v =
            raw ? p.ConsumeIntegral<std::int32_t>()
                : p.ConsumeIntegralInRange<std::int32_t>(
                      -1, static_cast<std::int32_t>(std::min<std::int64_t>(classes, 64)));
        std::memcpy(a.bytes.get() + 4 * i, &v, 4);
        break;
      }
      case DType::int64: {
        const auto v = raw ? p.ConsumeIntegral<std::int64_t>()
                           : p.ConsumeIntegralInRange<std::int64_t>(-1, classes);
        std::memcpy(a.bytes.get() + 8 * i, &v, 8);
        break;
      }
      case DType::float32: {
        float v;
        if (raw) {
          const auto bits = p.ConsumeIntegral<std::uint32_t>();
          std::memcpy(&v, &bits, 4);
        } else {
          v = static_cast<float>(p.ConsumeFloatingPointInRange<double>(-4.0, 4.0));
        }
        std::memcpy(a.bytes.get() + 4 * i, &v, 4);
        break;
      }
      case DType::float64: {
        double v;
        if (raw) {
          const auto bits = p.ConsumeIntegral<std::uint64_t>();
          std::memcpy(&v, &bits, 8);
        } else {
          v = p.ConsumeFloatingPointInRange<double>(-4.0, 4.0);
        }
        std::memcpy(a.bytes.get() + 8 * i, &v, 8);
        break;
      }
    }
  }
}

// An array of a fuzzed dtype and shape; `rows`/`cols` are the shape it should have.
Array make_array(FuzzedDataProvider& p, std::int64_t rows, std::int64_t cols, bool matrix,
                 DType usual, std::int64_t classes) {
  Array a;
  a.view.dtype = p.ConsumeIntegralInRange<int>(0, 5) == 0
                     ? static_cast<DType>(p.ConsumeIntegralInRange<int>(0, 3))
                     : usual;
  a.view.ndim = matrix ? 2 : 1;
  if (p.ConsumeIntegralInRange<int>(0, 6) == 0) a.view.ndim = 3 - a.view.ndim;  // wrong rank
  a.view.rows = p.ConsumeIntegralInRange<int>(0, 6) == 0 ? small_extent(p) : rows;
  a.view.cols =
      a.view.ndim == 1 ? 1 : (p.ConsumeIntegralInRange<int>(0, 6) == 0 ? small_extent(p) : cols);
  const std::int64_t width = a.view.dtype == DType::int32 || a.view.dtype == DType::float32 ? 4 : 8;
  const auto bytes =
      static_cast<std::size_t>(std::max<std::int64_t>(1, a.view.rows * a.view.cols * width));
  a.bytes = std::make_unique<unsigned char[]>(bytes);
  a.view.data = a.bytes.get();
  fill(p, a, classes);
  return a;
}

bool named_argument(std::string_view message) {
  for (std::string_view name :
       {"target:", "preds:", "sample_weight:", "num_classes:", "top_k:", "threshold:", "threads:",
        "confusion_matrix:", "num_labels:", "ignore_index:", "merge:"}) {
    if (message.starts_with(name)) return true;
  }
  return false;
}

void multiclass(FuzzedDataProvider& p) {
  StateOptions o;
  o.num_classes = p.ConsumeIntegralInRange<int>(0, 9) == 0
                      ? p.ConsumeIntegralInRange<std::int64_t>(-2, 2)
                      : p.ConsumeIntegralInRange<std::int64_t>(1, 40);
  const int ks = p.ConsumeIntegralInRange<int>(0, 3);
  for (int j = 0; j < ks; ++j) o.top_k.push_back(p.ConsumeIntegralInRange<int>(-1, 45));
  if (p.ConsumeBool()) o.ignore_index = p.ConsumeIntegralInRange<std::int64_t>(-101, 3);
  if (p.ConsumeBool()) o.threshold = p.ConsumeFloatingPointInRange<double>(-0.5, 1.5);
  if (p.ConsumeBool()) {
    o.losses.clear();
    for (int f = 0; f < kLossFamilies; ++f) {
      if (p.ConsumeBool()) o.losses.push_back(static_cast<LossFamily>(f));
    }
  }
  o.smoothing_terms = p.ConsumeBool();
  o.confusion_matrix = p.ConsumeBool();
  o.topk_sets = p.ConsumeBool();
  o.smoothing_columns = p.ConsumeBool();
  o.threads = p.ConsumeIntegralInRange<int>(-1, 2);
  std::unique_ptr<SufficientState> state;
  try {
    state = std::make_unique<SufficientState>(o);
  } catch (const InvalidArgument& e) {
    fuzz::check(named_argument(e.what()), "an options error names the option", e.what());
    return;
  }
  const std::int64_t C = state->num_classes();
  const int updates = p.ConsumeIntegralInRange<int>(1, 3);
  std::int64_t accepted_rows = 0;
  for (int u = 0; u < updates; ++u) {
    const std::int64_t n = small_extent(p);
    const bool with_scores = p.ConsumeIntegralInRange<int>(0, 3) != 0;
    const bool fp64 = p.ConsumeBool();
    Array target = make_array(p, n, 1, p.ConsumeIntegralInRange<int>(0, 5) == 0,
                              p.ConsumeBool() ? DType::int64 : DType::int32, C);
    Array scores, predicted, weight;
    MulticlassBatch b;
    b.target = target.view;
    if (with_scores || p.ConsumeIntegralInRange<int>(0, 9) == 0) {
      scores = make_array(p, n, C, true, fp64 ? DType::float64 : DType::float32, C);
      b.scores = scores.view;
    }
    if (!with_scores || p.ConsumeIntegralInRange<int>(0, 9) == 0) {
      predicted = make_array(p, n, 1, false, DType::int64, C);
      b.predicted = predicted.view;
    }
    if (p.ConsumeBool()) {
      weight = make_array(p, n, 1, false, fp64 ? DType::float64 : DType::float32, C);
      b.sample_weight = weight.view;
    }
    if (p.ConsumeIntegralInRange<int>(0, 19) == 0) b.target.data = nullptr;  // None
    const std::int64_t before = state->samples + state->ignored;
    try {
      update(*state, b);
      accepted_rows += b.target.rows;
      fuzz::check(state->samples + state->ignored == before + b.target.rows,
                  "every accepted row is counted or ignored");
    } catch (const InvalidArgument& e) {
      fuzz::check(named_argument(e.what()), "an argument error names the argument", e.what());
      fuzz::check(state->samples + state->ignored == before, "a refused batch changes nothing");
    }
  }
  const std::int64_t support =
      std::accumulate(state->support.begin(), state->support.end(), std::int64_t{0});
  fuzz::check(support == state->samples, "support sums to samples");
  const std::int64_t predicted =
      std::accumulate(state->predicted.begin(), state->predicted.end(), std::int64_t{0});
  fuzz::check(predicted == state->samples, "predicted sums to samples");
  fuzz::check(state->samples + state->ignored == accepted_rows, "rows add up");
  if (state->options().topk_sets) {
    // Each counted row puts k classes in its top-k set (a label row only answers k = 1).
    for (std::size_t j = 0; j < state->topk_set_by_class.size(); ++j) {
      const std::int64_t k = state->options().top_k[j];
      const std::int64_t members = std::accumulate(
          state->topk_set_by_class[j].begin(), state->topk_set_by_class[j].end(), std::int64_t{0});
      fuzz::check(k == 1 ? members == state->samples : members <= state->samples * k,
                  "top-k sets hold k classes per row");
    }
  }
  // Every reading of the catalogue on whatever state resulted (empty, ignored-only, ...).
  try {
    (void)catalogue(*state, MetricKind::accuracy);
    (void)catalogue(*state, MetricKind::loss);
  } catch (const Error&) {
  }
}

void labelwise(FuzzedDataProvider& p) {
  LabelwiseOptions o;
  o.num_labels = p.ConsumeIntegralInRange<int>(0, 9) == 0
                     ? p.ConsumeIntegralInRange<std::int64_t>(-2, 2)
                     : p.ConsumeIntegralInRange<std::int64_t>(1, 16);
  if (p.ConsumeBool()) o.threshold = p.ConsumeFloatingPointInRange<double>(-0.5, 1.5);
  o.threads = p.ConsumeIntegralInRange<int>(0, 2);
  std::unique_ptr<LabelwiseState> state;
  try {
    state = std::make_unique<LabelwiseState>(o);
  } catch (const InvalidArgument& e) {
    fuzz::check(named_argument(e.what()), "an options error names the option", e.what());
    return;
  }
  const std::int64_t L = state->num_labels();
  const int updates = p.ConsumeIntegralInRange<int>(1, 3);
  for (int u = 0; u < updates; ++u) {
    const std::int64_t n = small_extent(p);
    const bool fp64 = p.ConsumeBool();
    Array target = make_array(p, n, L, L > 1, DType::int64, 2);
    Array scores = make_array(p, n, L, L > 1, fp64 ? DType::float64 : DType::float32, 2);
    Array weight;
    LabelwiseBatch b;
    b.target = target.view;
    b.scores = scores.view;
    if (p.ConsumeBool()) {
      weight = make_array(p, n, 1, false, fp64 ? DType::float64 : DType::float32, 2);
      b.sample_weight = weight.view;
    }
    const std::int64_t before = state->samples;
    try {
      update(*state, b);
      fuzz::check(state->samples == before + b.target.rows, "every accepted row is counted");
    } catch (const InvalidArgument& e) {
      fuzz::check(named_argument(e.what()), "an argument error names the argument", e.what());
      fuzz::check(state->samples == before, "a refused batch changes nothing");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider p(data, size);
  if (p.ConsumeIntegralInRange<int>(0, 3) == 0) {
    labelwise(p);
  } else {
    multiclass(p);
  }
  return 0;
}
