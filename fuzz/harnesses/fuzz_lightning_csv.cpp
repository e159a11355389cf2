// libFuzzer harness: the lightning-csv reader (audit/readers).
//
// seeds: examples/*/lightning_logs/*/metrics.csv tests/data/logs/lightning*.csv
// dict: fuzz/dicts/text.dict
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  metricaudit::fuzz::read_text(data, size, "lightning-csv");
  return 0;
}
