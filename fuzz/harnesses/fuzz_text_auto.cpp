// libFuzzer harness: format detection over the first bytes of a file, then the reader it
// picks (read_text_log's "auto" path), or the TensorBoard parser when it says so. The
// file name varies with the input's first byte so the "tfevents" name rule is reached too.
//
// seeds: examples/*/progress.txt examples/*/training.log examples/*/metrics.jsonl
// seeds: examples/*/lightning_logs/*/metrics.csv examples/*/stdout.txt tests/data/logs/*
// dict: fuzz/dicts/text.dict
#include <span>

#include "metricaudit/audit/log_formats.hpp"
#include "metricaudit/audit/tensorboard_reader.hpp"
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  const std::string_view text = fuzz::as_text(data, size);
  const std::string name = size > 0 && data[0] == 0xff ? "events.out.tfevents.1" : "fuzz.log";
  std::string format;
  try {
    format = audit::detect_log_format(text, name);
  } catch (const InputError&) {
    return 0;
  }
  if (format == "tensorboard") {
    try {
      const auto run = audit::parse_tensorboard(std::as_bytes(std::span(text)), name);
      fuzz::check_run(run, name, false);
    } catch (const InputError&) {
    }
    return 0;
  }
  const audit::LogFormat* row = audit::find_log_format(format);
  fuzz::check(row != nullptr && row->kind == audit::LogKind::text,
              "detect_log_format names a text format of the registry", format);
  // "auto" over the stream detects again and must agree.
  audit::TextLogOptions options;
  options.max_line_bytes = 4096;
  std::istringstream in{std::string(text)};
  try {
    const auto run = audit::read_text_log(in, name, "auto", options);
    fuzz::check(run.format == format, "read_text_log(auto) reads the detected format");
    fuzz::check_run(run, name, true);
  } catch (const InputError&) {
  }
  return 0;
}
