// libFuzzer harness: the Hugging Face trainer_state.json reader (hf-trainer,
// audit/readers/hf_trainer_reader.cpp) through read_text_log: the JSON records, their
// JSON pointers and lines, Python's NaN/Infinity, the float epoch's index.
//
// seeds: tests/data/logs/hf/run/trainer_state.json tests/data/logs/hf/run/checkpoint-*/*.json
// seeds: tests/data/logs/hf/malformed/*trainer_state.json
// dict: fuzz/dicts/json.dict
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  const auto run = fuzz::read_text(data, size, "hf-trainer");
  if (!run) return 0;
  for (const audit::LoggedPoint& p : run->points) {
    fuzz::check(!p.epoch || *p.epoch >= 0, "an epoch index is >= 0");
    fuzz::check(!p.step || *p.step >= 0, "a step is >= 0");
    fuzz::check(p.split != audit::Split::train || !p.epoch || p.per_step,
                "a training value inside an epoch is per step");
  }
  return 0;
}
