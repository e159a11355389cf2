// One CPU pass over the benchmark's logits (pass_data.hpp), for instruction counts:
// wall-clock timings on a shared machine are noise, callgrind's counts are not.
//
//   pass_profile N C f32|f64 [full|counts|lse] [threads]
//   valgrind --tool=callgrind --toggle-collect='metricaudit::update*'
//            build/release/bench/pass_profile 100000 10 f32 full 1   (one command line)
//
// Prints the figures the pass computed (so a change of the numbers shows) and the
// wall time (informative only).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "metricaudit/evaluate.hpp"
#include "pass_data.hpp"

namespace {

template <typename T>
int run(std::int64_t n, std::int64_t c, const std::string& variant, int threads) {
  const metricaudit::bench::Data<T> d(n, c);
  metricaudit::StateOptions o;
  o.num_classes = c;
  o.threads = threads;
  if (variant == "counts") o.losses = {};
  if (variant == "lse") {
    o.losses = {metricaudit::LossFamily::logits};
    o.smoothing_terms = false;
  }
  metricaudit::SufficientState s(o);
  const auto b = d.batch();
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t r = 0; r < d.repeats; ++r) metricaudit::update(s, b);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::int64_t tp = 0;
  for (auto v : s.tp) tp += v;
  const auto& logits = s.losses[static_cast<int>(metricaudit::LossFamily::logits)];
  double ce = 0.0;
  for (const auto& e : logits.by_class) ce += e.value();
  std::printf("rows %lld, tp %lld, sum of logit loss %.17g, smoothing %.17g, %.1f ms\n",
              static_cast<long long>(s.samples), static_cast<long long>(tp), ce,
              logits.smoothing.value(), ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: pass_profile N C f32|f64 [full|counts|lse] [threads]\n");
    return 2;
  }
  const std::int64_t n = std::atoll(argv[1]);
  const std::int64_t c = std::atoll(argv[2]);
  const std::string dtype = argv[3];
  const std::string variant = argc > 4 ? argv[4] : "full";
  const int threads = argc > 5 ? std::atoi(argv[5]) : 1;
  if (n < 1 || c < 1 || (dtype != "f32" && dtype != "f64") ||
      (variant != "full" && variant != "counts" && variant != "lse")) {
    std::fprintf(stderr, "pass_profile: bad arguments\n");
    return 2;
  }
  return dtype == "f32" ? run<float>(n, c, variant, threads) : run<double>(n, c, variant, threads);
}
