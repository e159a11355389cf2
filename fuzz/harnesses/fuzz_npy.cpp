// libFuzzer harness: the .npy parser (header dict, dtypes, shapes, byte order, Fortran
// order, data length). A parsed array must hold exactly prod(shape) elements: every one
// is read back (ASan checks the storage is that large).
//
// seeds: tests/data/binary/npy/*.npy tests/data/binary/npy_bad/*.npy
// seeds: tests/data/binary/dumps/**/*.npy
// dict: fuzz/dicts/npy.dict
#include <span>

#include "fuzz_support.hpp"
#include "metricaudit/audit/npy.hpp"
#include "metricaudit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  audit::ReadLimits limits;
  limits.max_array_bytes = std::uint64_t{64} << 20;
  try {
    const audit::NpyArray a = audit::parse_npy(
        std::as_bytes(std::span(reinterpret_cast<const char*>(data), size)), "fuzz.npy", limits);
    fuzz::check(a.storage != nullptr, "storage is never null");
    const std::int64_t n = a.elements();
    fuzz::check(n >= 0, "elements() >= 0");
    const auto* bytes = reinterpret_cast<const volatile unsigned char*>(a.storage.get());
    const std::int64_t width = a.dtype == DType::int32 || a.dtype == DType::float32 ? 4 : 8;
    unsigned sum = 0;
    for (std::int64_t i = 0; i < n * width; ++i) sum += bytes[i];
    (void)sum;
    if (a.shape.size() == 1 || a.shape.size() == 2) {
      const ArrayView v = a.view();
      fuzz::check(v.rows * v.cols == n, "view() covers the array");
    }
  } catch (const InputError&) {
  }
  return 0;
}
