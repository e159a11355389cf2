// Implementation detail shared by the binary readers (not installed, not public).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "metricaudit/audit/dump.hpp"
#include "metricaudit/audit/read_limits.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit::detail {

/// `bytes` (at least 64, so that an empty array still has a non-null pointer: an
/// ArrayView with data == nullptr means "not given") of 64-byte aligned storage.
std::shared_ptr<std::byte[]> allocate_aligned(std::uint64_t bytes);

/// "name@offset: what" as an InputError, the one message form of the binary readers.
[[noreturn]] void fail_at(const std::string& name, std::uint64_t offset, const std::string& what);

/// A sequential byte stream of known total size: a file, a memory image, a zip member.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Total number of bytes the stream holds (a zip member: its declared size).
  virtual std::uint64_t size() const = 0;
  /// Reads up to `n` bytes into `dst`; returns how many were read (fewer only at the end).
  virtual std::size_t read(std::byte* dst, std::size_t n) = 0;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  std::size_t read(std::byte* dst, std::size_t n) override;

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

class FileSource final : public ByteSource {
 public:
  /// `size` from std::filesystem::file_size, taken before opening.
  FileSource(const std::filesystem::path& file, std::uint64_t size)
      : in_(file, std::ios::binary), size_(size) {}
  bool is_open() const { return in_.is_open(); }
  std::uint64_t size() const override { return size_; }
  std::size_t read(std::byte* dst, std::size_t n) override;

 private:
  std::ifstream in_;
  std::uint64_t size_;
};

/// Parses one .npy image from `source`, which is positioned at its start. `name` is what
/// error messages call it. After the data, the source must be exhausted.
NpyArray parse_npy_source(ByteSource& source, const std::string& name, const ReadLimits& limits);

/// Parses a whole .npy image held in `image` (`size` bytes, 64-byte aligned storage). The
/// array shares the image when its data can be used as stored; otherwise it is copied
/// out (converted). `name` is what error messages call it.
NpyArray parse_npy_image(std::shared_ptr<std::byte[]> image, std::uint64_t size,
                         const std::string& name, const ReadLimits& limits);

/// Number of bytes one element of `dtype` takes.
std::size_t dtype_size(DType dtype);

/// "(3, 4)" / "(3,)" / "()": a shape as numpy prints it, for messages.
std::string shape_string(const std::vector<std::int64_t>& shape);

}  // namespace metricaudit::audit::detail
