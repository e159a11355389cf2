// NpyArray's members (declared in dump.hpp) and the storage helpers of the readers.
#include <algorithm>
#include <cstring>
#include <new>

#include "internal.hpp"
#include "metricaudit/audit/dump.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit {

namespace detail {

std::shared_ptr<std::byte[]> allocate_aligned(std::uint64_t bytes) {
  // 64 bytes: a cache line, and the alignment numpy itself gives its data
  // (numpy/lib/format.py, ARRAY_ALIGN = 64), so vector loads never straddle lines.
  constexpr std::align_val_t alignment{64};
  const std::uint64_t n = std::max<std::uint64_t>(bytes, 64);
  auto* p = static_cast<std::byte*>(::operator new[](static_cast<std::size_t>(n), alignment));
  return std::shared_ptr<std::byte[]>(p, [](std::byte* q) { ::operator delete[](q, alignment); });
}

void fail_at(const std::string& name, std::uint64_t offset, const std::string& what) {
  throw InputError(name + "@" + std::to_string(offset) + ": " + what);
}

std::size_t MemorySource::read(std::byte* dst, std::size_t n) {
  const std::size_t k = std::min(n, bytes_.size() - pos_);
  if (k > 0) std::memcpy(dst, bytes_.data() + pos_, k);
  pos_ += k;
  return k;
}

std::size_t FileSource::read(std::byte* dst, std::size_t n) {
  in_.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
  return static_cast<std::size_t>(in_.gcount());
}

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::int32:
    case DType::float32:
      return 4;
    case DType::int64:
    case DType::float64:
      return 8;
  }
  return 8;
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

}  // namespace detail

std::int64_t NpyArray::elements() const {
  std::int64_t n = 1;
  for (const std::int64_t d : shape) n *= d;  // the reader checked the product fits
  return n;
}

ArrayView NpyArray::view() const {
  if (shape.size() == 1) {
    return ArrayView{storage.get(), dtype, shape[0], 1, 1};
  }
  if (shape.size() == 2) {
    return ArrayView{storage.get(), dtype, shape[0], shape[1], 2};
  }
  throw ShapeError("NpyArray::view: expected a 1-D (N,) or 2-D (N, C) array, got shape " +
                   detail::shape_string(shape));
}

}  // namespace metricaudit::audit
