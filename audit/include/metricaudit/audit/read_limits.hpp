// Limits the binary readers enforce before they allocate: a malformed or
// hostile file must fail with an InputError, never with an allocation the
// machine cannot satisfy. Defaults fit "evaluation sets of any size" on a
// workstation (../../../../shared/DESIGN.md: a 1e6 x 1000 float32 score matrix is 4 GB).
#pragma once

#include <cstdint>

namespace metricaudit::audit {

struct ReadLimits {
  /// Largest array (data bytes after widening) a .npy file or .npz member may hold.
  std::uint64_t max_array_bytes = std::uint64_t{16} << 30;
  /// Largest uncompressed size a .npz member may declare (zip bomb defence: checked
  /// against the archive's directory before a byte is inflated).
  std::uint64_t max_member_bytes = std::uint64_t{16} << 30;
};

}  // namespace metricaudit::audit
