// libFuzzer harness: TensorBoard protobuf payloads. Random bytes almost never pass the
// record CRCs, so this harness frames the input itself: it is cut at each "\xffREC"
// marker into payloads, each written as a TFRecord with correct lengths and masked
// CRC-32Cs, after a file_version event; the reader then parses every payload as an Event.
//
// (seeds: the Event payloads scripts/fuzz cuts from the example event files)
// dict: fuzz/dicts/tensorboard.dict
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "metricaudit/audit/tensorboard_reader.hpp"
#include "metricaudit/error.hpp"

namespace {

void put_le(std::vector<std::byte>& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
}

void frame(std::vector<std::byte>& out, std::string_view payload) {
  const std::size_t at = out.size();
  put_le(out, payload.size(), 8);
  put_le(out, metricaudit::audit::detail::masked_crc32c(std::span(out).subspan(at, 8)), 4);
  const auto bytes = std::as_bytes(std::span(payload.data(), payload.size()));
  out.insert(out.end(), bytes.begin(), bytes.end());
  put_le(out, metricaudit::audit::detail::masked_crc32c(bytes), 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  // Event{wall_time: 1.0 (field 1, double), file_version: "brain.Event:2" (field 3)}.
  static constexpr char kVersion[] =
      "\x09\x00\x00\x00\x00\x00\x00\xf0\x3f\x1a\x0d"
      "brain.Event:2";
  std::vector<std::byte> file;
  frame(file, std::string_view(kVersion, sizeof kVersion - 1));
  std::string_view rest = fuzz::as_text(data, size);
  constexpr std::string_view kMarker = "\xffREC";
  for (;;) {
    const std::size_t cut = rest.find(kMarker);
    frame(file, rest.substr(0, cut));
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + kMarker.size());
  }
  const std::string name = "run/events.out.tfevents.fuzz";
  try {
    const auto run = audit::parse_tensorboard(file, name);
    fuzz::check_run(run, name, false);
  } catch (const InputError&) {
  }
  return 0;
}
