// The .npz reader: a ZIP archive of .npy members (np.savez stores them,
// np.savez_compressed deflates them; numpy writes ZIP64 entries for members of
// 4 GiB and more), read through libzip.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "metricaudit/audit/dump.hpp"
#include "metricaudit/audit/read_limits.hpp"

namespace metricaudit::audit {

struct NpzContents {
  /// Arrays by member name without ".npy" ("target", "logits", ...).
  std::map<std::string, NpyArray> arrays;
  /// "file: ignored member 'x.npy' (...)" for members skipped because not asked for.
  std::vector<std::string> warnings;
};

/// Reads the members of a .npz archive. With `only` empty every member is read; otherwise
/// members whose name without ".npy" is not in `only` are skipped, unread, with a warning.
/// Before a member is inflated its declared uncompressed size is checked against
/// `limits.max_member_bytes`. Errors are InputError: "file: ..." for the archive,
/// "file[member]@offset: ..." inside a member.
NpzContents read_npz(const std::filesystem::path& file, const std::vector<std::string>& only = {},
                     const ReadLimits& limits = {});

}  // namespace metricaudit::audit
