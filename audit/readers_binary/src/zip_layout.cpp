// ZIP's layout (PKWARE APPNOTE.TXT 6.3.x): sections 4.3.7 (local file header), 4.3.12
// (central directory file header), 4.3.14-4.3.16 (ZIP64 end of central directory record
// and locator, end of central directory record), 4.5.3 (the ZIP64 extended information
// extra field). Every integer is little-endian.
#include "zip_layout.hpp"

namespace metricaudit::audit::detail {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEnd = 0x06054b50;
constexpr std::uint32_t kZip64End = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint16_t kZip64Extra = 0x0001;
constexpr std::size_t kEndSize = 22, kLocatorSize = 20, kZip64EndSize = 56;
constexpr std::size_t kCentralSize = 46, kLocalSize = 30;
constexpr std::uint16_t kEncrypted = 1;  // general purpose flag bit 0

// Reads little-endian integers at offsets of `bytes`; a read past the end fails the
// reader (ok() false) and returns 0, so a parse can read on and check once.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  template <typename T>
  T at(std::uint64_t offset) {
    if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T)) {
      ok_ = false;
      return 0;
    }
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      v |= static_cast<T>(static_cast<T>(bytes_[offset + i]) << (8 * i));
    }
    return v;
  }
  std::string_view text(std::uint64_t offset, std::uint64_t n) {
    if (offset > bytes_.size() || bytes_.size() - offset < n) {
      ok_ = false;
      return {};
    }
    return {reinterpret_cast<const char*>(bytes_.data() + offset), static_cast<std::size_t>(n)};
  }
  bool ok() const { return ok_; }
  std::uint64_t size() const { return bytes_.size(); }

 private:
  std::span<const std::byte> bytes_;
  bool ok_ = true;
};

// The central directory: where it starts and how many entries it holds.
struct Directory {
  std::uint64_t offset = 0, entries = 0;
};

std::optional<Directory> find_directory(Reader& r) {
  // The end record is the last 22 bytes, unless a comment (at most 65535 bytes) follows.
  if (r.size() < kEndSize) return std::nullopt;
  const std::uint64_t lowest = r.size() >= kEndSize + 0xFFFF ? r.size() - kEndSize - 0xFFFF : 0;
  std::optional<std::uint64_t> end;
  for (std::uint64_t at = r.size() - kEndSize + 1; at-- > lowest;) {
    if (r.at<std::uint32_t>(at) == kEnd &&
        at + kEndSize + r.at<std::uint16_t>(at + 20) == r.size()) {
      end = at;
      break;
    }
  }
  if (!end) return std::nullopt;
  // One disk only.
  if (r.at<std::uint16_t>(*end + 4) != 0 || r.at<std::uint16_t>(*end + 6) != 0) return std::nullopt;
  Directory d{r.at<std::uint32_t>(*end + 16), r.at<std::uint16_t>(*end + 10)};
  if (d.offset == 0xFFFFFFFFu || d.entries == 0xFFFF) {
    // ZIP64: the locator sits just before the end record and points at the ZIP64 record.
    if (*end < kLocatorSize) return std::nullopt;
    const std::uint64_t locator = *end - kLocatorSize;
    if (r.at<std::uint32_t>(locator) != kZip64Locator) return std::nullopt;
    const auto record = r.at<std::uint64_t>(locator + 8);
    if (r.size() < kZip64EndSize || record > r.size() - kZip64EndSize ||
        r.at<std::uint32_t>(record) != kZip64End || r.at<std::uint32_t>(record + 16) != 0) {
      return std::nullopt;
    }
    d.entries = r.at<std::uint64_t>(record + 32);
    d.offset = r.at<std::uint64_t>(record + 48);
  }
  if (!r.ok() || d.offset > r.size()) return std::nullopt;
  return d;
}

// The ZIP64 extra field's values, in the order the 0xFFFFFFFF fields ask for them.
std::optional<std::uint64_t> zip64_value(Reader& r, std::uint64_t extra, std::uint64_t length,
                                         int index) {
  for (std::uint64_t at = extra; at + 4 <= extra + length;) {
    const auto id = r.at<std::uint16_t>(at);
    const auto size = r.at<std::uint16_t>(at + 2);
    if (id == kZip64Extra) {
      if (static_cast<std::uint64_t>(index + 1) * 8 > size) return std::nullopt;
      return r.at<std::uint64_t>(at + 4 + static_cast<std::uint64_t>(index) * 8);
    }
    at += 4 + size;
  }
  return std::nullopt;
}

}  // namespace

std::optional<MemberSpan> member_data_span(std::span<const std::byte> archive,
                                           std::string_view name, std::uint64_t compressed_size) {
  Reader r(archive);
  const auto directory = find_directory(r);
  if (!directory) return std::nullopt;
  std::optional<std::uint64_t> local;
  std::uint64_t at = directory->offset;
  for (std::uint64_t e = 0; e < directory->entries; ++e) {
    if (r.at<std::uint32_t>(at) != kCentralHeader) return std::nullopt;
    const auto flags = r.at<std::uint16_t>(at + 8);
    std::uint64_t compressed = r.at<std::uint32_t>(at + 20);
    const std::uint64_t uncompressed = r.at<std::uint32_t>(at + 24);
    const auto name_length = r.at<std::uint16_t>(at + 28);
    const auto extra_length = r.at<std::uint16_t>(at + 30);
    const auto comment_length = r.at<std::uint16_t>(at + 32);
    std::uint64_t offset = r.at<std::uint32_t>(at + 42);
    const std::string_view entry_name = r.text(at + kCentralSize, name_length);
    if (!r.ok()) return std::nullopt;
    if (entry_name == name) {
      if (local || (flags & kEncrypted) || r.at<std::uint16_t>(at + 34) != 0) return std::nullopt;
      // ZIP64 values appear in this order, each only where its field holds 0xFFFFFFFF.
      const std::uint64_t extra = at + kCentralSize + name_length;
      int index = uncompressed == 0xFFFFFFFFu ? 1 : 0;
      if (compressed == 0xFFFFFFFFu) {
        const auto v = zip64_value(r, extra, extra_length, index++);
        if (!v) return std::nullopt;
        compressed = *v;
      }
      if (offset == 0xFFFFFFFFu) {
        const auto v = zip64_value(r, extra, extra_length, index);
        if (!v) return std::nullopt;
        offset = *v;
      }
      if (compressed != compressed_size) return std::nullopt;
      local = offset;
    }
    at += kCentralSize + name_length + extra_length + comment_length;
  }
  if (!local || !r.ok()) return std::nullopt;
  // The local header names the same member; the data follows its name and extra field.
  if (r.at<std::uint32_t>(*local) != kLocalHeader) return std::nullopt;
  const auto name_length = r.at<std::uint16_t>(*local + 26);
  const auto extra_length = r.at<std::uint16_t>(*local + 28);
  if (r.text(*local + kLocalSize, name_length) != name || !r.ok()) return std::nullopt;
  const std::uint64_t data = *local + kLocalSize + name_length + extra_length;
  if (data > r.size() || r.size() - data < compressed_size) return std::nullopt;
  return MemberSpan{data, compressed_size};
}

}  // namespace metricaudit::audit::detail
