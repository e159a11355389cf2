// Where a member's bytes lie in a ZIP archive, so that a deflated .npz member can be
// inflated straight from a memory map of the file. libzip reads everything else (and
// validates the archive first); it has no call that gives a member's data offset, and
// reading the member through it copies the compressed bytes into fresh memory, which on
// a 4 GB dump costs as much as the inflating (bench/README.md, "Dumps").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace metricaudit::audit::detail {

/// The stored (compressed) bytes of one member: [offset, offset + size) of the archive.
struct MemberSpan {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

/// The data of member `name` in `archive` (the whole file's bytes), found through the
/// end-of-central-directory record (ZIP64 included: numpy writes ZIP64 records for large
/// members), the member's central directory entry and its local header, every field
/// bounds-checked. The entry must declare `compressed_size` and the span must lie inside
/// the archive. nullopt where anything differs from that plain layout (a multi-disk or
/// encrypted archive, a name found twice, a local header that names another member): the
/// caller then reads the member through libzip as before. A span found here is still
/// checked by the CRC-32 of what it inflates to.
std::optional<MemberSpan> member_data_span(std::span<const std::byte> archive,
                                           std::string_view name, std::uint64_t compressed_size);

}  // namespace metricaudit::audit::detail
