// libFuzzer harness: the tqdm reader (audit/readers).
//
// seeds: examples/clean/progress.txt examples/seed-torchmetrics-macro/progress.txt
// seeds: tests/data/logs/tqdm*.log tests/data/logs/lightning_tqdm.log
// dict: fuzz/dicts/text.dict
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  metricaudit::fuzz::read_text(data, size, "tqdm");
  return 0;
}
