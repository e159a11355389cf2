// libFuzzer harness: MLflow's file store (audit/readers/mlflow_reader.cpp) without a
// directory tree: the input, cut at NUL bytes, is a metric file "loss", the run's "epoch"
// metric and its meta.yaml. Each metric file goes through read_mlflow_metric (InputError
// for a bad line), the meta through mlflow_meta_value, and the metrics that read through
// mlflow_run_points, whose epochs must come from whole "epoch" values.
//
// seeds: tests/data/logs/mlflow/run/mlruns/*/*/metrics/** tests/data/logs/mlflow/malformed/*
// seeds: tests/data/logs/lightning/mlflow/mlruns/*/*/metrics/*
// seeds: tests/data/logs/mlflow/run/mlruns/*/*/meta.yaml
// dict: fuzz/dicts/mlflow.dict
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "metricaudit/error.hpp"
#include "mlflow_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  const std::string_view input = fuzz::as_text(data, size);
  std::vector<std::string_view> parts;
  for (std::size_t at = 0;;) {
    const std::size_t cut = input.find('\0', at);
    parts.push_back(input.substr(at, cut == std::string_view::npos ? cut : cut - at));
    if (cut == std::string_view::npos || parts.size() == 3) break;
    at = cut + 1;
  }
  if (parts.size() == 3) {
    const auto name = audit::detail::mlflow_meta_value(parts[2], "run_name");
    fuzz::check(!name || name->size() <= parts[2].size(),
                "a meta value is no longer than the file");
  }
  audit::TextLogOptions options;
  options.max_line_bytes = 4096;
  std::vector<audit::detail::MlflowMetric> metrics;
  const char* keys[] = {"loss", "epoch"};
  for (std::size_t i = 0; i < parts.size() && i < 2; ++i) {
    std::istringstream in{std::string(parts[i])};
    try {
      metrics.push_back(audit::detail::read_mlflow_metric(in, keys[i], keys[i], options));
    } catch (const InputError&) {
    }
  }
  std::size_t values = 0, epoch_values = 0;
  bool whole_epochs = true;
  for (const auto& m : metrics) {
    values += m.values.size();
    if (m.key != "epoch") continue;
    epoch_values = m.values.size();
    for (const auto& v : m.values) {
      const double e = v.number.value;
      whole_epochs = whole_epochs && e >= 0 && e < 9.0e15 && e == std::floor(e);
    }
  }
  // The epoch metric is consumed when it places the others, kept as values otherwise.
  const bool placed = epoch_values > 0 && whole_epochs;
  const audit::LoggedRun run = audit::detail::mlflow_run_points(metrics, "run");
  fuzz::check(run.file == "run", "LoggedRun::file is the run given");
  fuzz::check(run.points.size() == values - (placed ? epoch_values : 0),
              "one point per value, the consumed epoch metric aside");
  for (const audit::LoggedPoint& p : run.points) {
    fuzz::check(p.split == audit::Split::train || p.split == audit::Split::val ||
                    p.split == audit::Split::test,
                "a split");
    fuzz::check(p.metric_id < run.metrics.size() && run.metric_files.size() == run.metrics.size(),
                "a name and a file per metric");
    fuzz::check(p.step.has_value(), "an MLflow value has a step");
    fuzz::check(placed || !p.epoch, "epochs only from a whole epoch metric");
    fuzz::check(!p.epoch || *p.epoch >= 0, "an epoch index is >= 0");
    fuzz::check(p.line >= 1, "a metric line is 1-based");
  }
  return 0;
}
