// Exits 0 when the installed library computes the seed case's macro accuracy
// (torchmetrics 0.11 reading) as 0.25 and micro as 1.0.
#include <metricaudit/metricaudit.hpp>

#include <cstdio>
#include <vector>

int main() {
  using namespace metricaudit;
  const std::vector<double> scores = {1, 0, 0, 0, 1, 0, 0, 0};
  const std::vector<std::int64_t> target = {0, 0};
  MulticlassBatch b;
  b.target = ArrayView::vector(target.data(), 2);
  b.scores = ArrayView::matrix(scores.data(), 2, 4);
  StateOptions o;
  o.num_classes = 4;
  const auto s = evaluate(b, o);
  const double macro = read(s, resolve(find_profile("torchmetrics-0.11"), Metric::accuracy));
  const double micro = read(s, Convention{});
  std::printf("macro %.4f micro %.4f\n", macro, micro);
  return (macro == 0.25 && micro == 1.0) ? 0 : 1;
}
