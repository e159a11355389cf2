// libFuzzer harness: the TensorBoard event file reader over raw bytes (TFRecord framing:
// lengths, CRCs, truncation; then the protobuf payloads behind valid CRCs).
//
// seeds: examples/*/tensorboard/**/*tfevents* tests/data/binary/tensorboard/**/*tfevents*
// seeds: tests/data/binary/tensorboard_bad/*
// seeds: tests/data/logs/keras_tensorboard/**/*tfevents* tests/data/logs/lightning/**/*tfevents*
// dict: fuzz/dicts/tensorboard.dict
#include <span>

#include "fuzz_support.hpp"
#include "metricaudit/audit/tensorboard_reader.hpp"
#include "metricaudit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  const std::string name = "logs/validation/events.out.tfevents.fuzz";
  try {
    const auto run = audit::parse_tensorboard(
        std::as_bytes(std::span(reinterpret_cast<const char*>(data), size)), name);
    fuzz::check(run.format == "tensorboard", "format is tensorboard");
    fuzz::check_run(run, name, false);
    for (const audit::LoggedPoint& p : run.points) {
      fuzz::check(p.step.has_value(), "an event's value has its step");
      fuzz::check(!p.epoch || *p.epoch >= 0, "an epoch index is >= 0");
    }
  } catch (const InputError&) {
  }
  return 0;
}
