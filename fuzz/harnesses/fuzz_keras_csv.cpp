// libFuzzer harness: the keras-csv reader (audit/readers).
//
// seeds: examples/*/training.log tests/data/logs/keras*.csv
// dict: fuzz/dicts/text.dict
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  metricaudit::fuzz::read_text(data, size, "keras-csv");
  return 0;
}
