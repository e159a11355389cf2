// The case that started the project: 4 classes, two samples of class 0, both
// predicted right. torchmetrics 0.11's MulticlassAccuracy prints 0.25 and
// Accuracy(task="multiclass") prints 1.0. This program prints every reading.
#include <cmath>
#include <cstdio>
#include <vector>

#include "metricaudit/metricaudit.hpp"

int main() {
  using namespace metricaudit;
  const std::vector<float> scores = {1, 0, 0, 0, 1, 0, 0, 0};
  const std::vector<std::int64_t> target = {0, 0};
  MulticlassBatch batch;
  batch.target = ArrayView::vector(target.data(), 2);
  batch.scores = ArrayView::matrix(scores.data(), 2, 4);
  StateOptions options;
  options.num_classes = 4;
  const SufficientState state = evaluate(batch, options);

  std::printf("preds  = [[1, 0, 0, 0], [1, 0, 0, 0]]\ntarget = [0, 0], num_classes = 4\n\n");
  std::printf("%-32s %8s  %s\n", "convention", "value", "computed this way by");
  for (MetricKind kind : {MetricKind::accuracy, MetricKind::loss}) {
    for (const Candidate& c : catalogue(state, kind)) {
      if (std::isnan(c.value)) continue;
      std::printf("%-32s %8.4f  %s\n", c.id.c_str(), c.value, c.libraries.c_str());
    }
  }
  std::printf("\nThe default accuracy of each profile:\n");
  for (const Profile& p : profiles()) {
    const Convention c = resolve(p, Metric::accuracy);
    std::printf("  %-18s %-32s %.4f\n", std::string(p.name).c_str(), c.id().c_str(),
                read(state, c));
  }
  return 0;
}
