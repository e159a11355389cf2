// libFuzzer harness: the Hugging Face <split>_results.json reader (hf-results,
// audit/readers/hf_trainer_reader.cpp) through read_text_log: one JSON object of the
// final evaluation's values, none with an epoch or a step.
//
// seeds: tests/data/logs/hf/run/*_results.json tests/data/logs/hf/malformed/*_results.json
// dict: fuzz/dicts/json.dict
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  const auto run = fuzz::read_text(data, size, "hf-results");
  if (!run) return 0;
  for (const audit::LoggedPoint& p : run->points) {
    fuzz::check(!p.epoch && !p.step && !p.per_step, "the final evaluation has no epoch or step");
  }
  return 0;
}
