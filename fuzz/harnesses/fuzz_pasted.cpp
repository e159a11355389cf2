// libFuzzer harness: the pasted-lines reader (audit/readers/pasted_reader.cpp), through
// read_text_log (which joins its blocks) and its registry row (one run per block, each
// block's epochs 0..N-1 in order).
//
// seeds: tests/data/logs/pasted/*.txt examples/*/progress.txt
// dict: fuzz/dicts/text.dict
#include <sstream>

#include "metricaudit/audit/log_formats.hpp"
#include "text_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  fuzz::read_text(data, size, "pasted");
  const audit::LogFormat* row = audit::find_log_format("pasted");
  audit::TextLogOptions options;
  options.max_line_bytes = 4096;
  std::istringstream in{std::string(fuzz::as_text(data, size))};
  try {
    for (const audit::LoggedRun& run : row->read({"fuzz.log", {}, &in}, options)) {
      fuzz::check(!run.points.empty(), "a block holds at least one line");
      std::int64_t epoch = 0, line = 0;
      for (const audit::LoggedPoint& p : run.points) {
        fuzz::check(p.epoch.has_value(), "a pasted line is an epoch");
        if (p.line != line) {
          fuzz::check(*p.epoch == (line == 0 ? 0 : epoch + 1), "epochs count the lines in order");
          epoch = *p.epoch;
          line = p.line;
        }
      }
    }
  } catch (const InputError&) {
  }
  return 0;
}
