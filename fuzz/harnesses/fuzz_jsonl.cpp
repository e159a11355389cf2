// libFuzzer harness: the jsonl reader (audit/readers).
//
// seeds: examples/*/metrics.jsonl tests/data/logs/*.jsonl
// dict: fuzz/dicts/text.dict
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  metricaudit::fuzz::read_text(data, size, "jsonl");
  return 0;
}
