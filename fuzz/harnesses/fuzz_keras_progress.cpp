// libFuzzer harness: the keras-progress reader (audit/readers), with and without
// keep_redraws (which keeps every intermediate redraw as a per-step point).
//
// seeds: examples/keras3-*/progress.txt tests/data/logs/keras*.log
// dict: fuzz/dicts/text.dict
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  metricaudit::fuzz::read_text(data, size, "keras-progress", false);
  metricaudit::fuzz::read_text(data, size, "keras-progress", true);
  return 0;
}
