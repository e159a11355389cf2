// The CPU core pass, N x C float32/float64 logits, beside a plain read of the same
// bytes (the memory-bandwidth floor). Sizes: 10^7 x 10, 10^6 x 1000, 10^5 x 100000.
//
// Inputs are generated here, never read from disk. A batch larger than
// kMaxBatchBytes (the 10^6 x 1000 float64 and the 10^5 x 100000 cases, 4-40 GB) is
// streamed: one block of at most kMaxBatchBytes is generated once and passed to
// update() N / rows-per-block times on the same state, which is what an evaluation
// loop over a data loader does. Throughput counters: bytes of scores read per second.
//
// Variants:
//   full    default StateOptions (5 loss families + smoothing terms, top-k {1, 5}); on
//           logits the probability families are skipped per row, so this is micro /
//           macro / weighted / per-class counts, the rank histograms, top-1 and top-5 and
//           the softmax cross-entropy with its smoothing term: the realistic full pass.
//   counts  losses = {}: argmax, ranks, top-k and counts only (no exp/log).
//   lse     logits cross-entropy only, no smoothing term.
//   tiny    `full` asking update() for the rows holding a zero or a subnormal score
//           (its tiny_rows: what the Python Evaluator's update asks for).
//   read    a plain read of the same bytes (sum as int64 words, OpenMP, same threads).
//
// Arguments: the benchmark argument is the thread count (1 and 2 by default).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "metricaudit/evaluate.hpp"
#include "pass_data.hpp"

namespace {

using metricaudit::ArrayView;
using metricaudit::DType;
using metricaudit::LossFamily;
using metricaudit::MulticlassBatch;
using metricaudit::StateOptions;
using metricaudit::bench::Data;

template <typename T>
const Data<T>& data(std::int64_t n, std::int64_t c) {
  // One data set alive at a time (the large ones are 1 GiB).
  static std::unique_ptr<Data<T>> cached;
  if (!cached || cached->cols != c || cached->rows * cached->repeats != n) {
    cached.reset();
    cached = std::make_unique<Data<T>>(n, c);
  }
  return *cached;
}

enum class Variant { full, counts, lse, tiny, read };

template <typename T, Variant V>
void BM_Pass(benchmark::State& st, std::int64_t n, std::int64_t c) {
  const auto& d = data<T>(n, c);
  const int threads = static_cast<int>(st.range(0));
  StateOptions o;
  o.num_classes = c;
  o.threads = threads;
  if (V == Variant::counts) o.losses = {};
  if (V == Variant::lse) {
    o.losses = {LossFamily::logits};
    o.smoothing_terms = false;
  }
  const MulticlassBatch b = d.batch();
  const auto words = static_cast<std::int64_t>(d.scores.size() * sizeof(T) / 8);
  for (auto _ : st) {
    if constexpr (V == Variant::read) {
      const auto* p = reinterpret_cast<const std::int64_t*>(d.scores.data());
      std::int64_t total = 0;
      for (std::int64_t r = 0; r < d.repeats; ++r) {
#pragma omp parallel for num_threads(threads) reduction(+ : total) schedule(static)
        for (std::int64_t i = 0; i < words; ++i) total += p[i];
      }
      benchmark::DoNotOptimize(total);
    } else {
      metricaudit::SufficientState s(o);
      std::vector<std::int64_t> tiny_rows;
      for (std::int64_t r = 0; r < d.repeats; ++r) {
        metricaudit::update(s, b, V == Variant::tiny ? &tiny_rows : nullptr);
      }
      benchmark::DoNotOptimize(s.samples);
      benchmark::DoNotOptimize(tiny_rows.data());
    }
  }
  st.SetBytesProcessed(st.iterations() * n * c * static_cast<std::int64_t>(sizeof(T)));
  st.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(st.iterations() * n), benchmark::Counter::kIsRate);
}

template <typename T, Variant V>
void add(const char* name, std::int64_t n, std::int64_t c) {
  auto* b =
      benchmark::RegisterBenchmark(name, [n, c](benchmark::State& st) { BM_Pass<T, V>(st, n, c); });
  b->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
}

template <typename T>
void add_shape(const char* dtype, std::int64_t n, std::int64_t c, const char* shape) {
  static std::vector<std::string> names;  // RegisterBenchmark copies; keep it simple
  auto name = [&](const char* v) {
    names.push_back(std::string(v) + "/" + dtype + "/" + shape);
    return names.back().c_str();
  };
  add<T, Variant::read>(name("read"), n, c);
  add<T, Variant::full>(name("full"), n, c);
  add<T, Variant::tiny>(name("tiny"), n, c);
  add<T, Variant::lse>(name("lse"), n, c);
  add<T, Variant::counts>(name("counts"), n, c);
}

}  // namespace

int main(int argc, char** argv) {
  add_shape<float>("f32", 10'000'000, 10, "1e7x10");
  add_shape<double>("f64", 10'000'000, 10, "1e7x10");
  add_shape<float>("f32", 1'000'000, 1000, "1e6x1000");
  add_shape<double>("f64", 1'000'000, 1000, "1e6x1000");
  add_shape<float>("f32", 100'000, 100'000, "1e5x1e5");
  add_shape<double>("f64", 100'000, 100'000, "1e5x1e5");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
