// The .npy reader: numpy's own array file format, parsed by the project.
//
// Format reference: numpy/lib/format.py (numpy 1.24-2.x) and NEP 1
// ("A simple file format for NumPy arrays"): the 6-byte magic "\x93NUMPY",
// a major/minor version byte pair (1.0, 2.0 or 3.0), a little-endian header
// length (uint16 for 1.0, uint32 for 2.0/3.0), then the header: the repr of a
// Python dict {'descr': <dtype str>, 'fortran_order': <bool>, 'shape': <tuple>}
// padded with spaces and ended by '\n' (latin-1 for 1.0/2.0, UTF-8 for 3.0),
// then the raw data.
//
// What comes out is always C-ordered, little-endian and in one of the core's
// dtypes (dump.hpp): '<f4' '<f8' '<i4' '<i8' are read directly; '|b1' '|u1'
// '|i1' '<i2' '<u2' '<u4' '<u8' are widened to int64 ('<u8' values above
// INT64_MAX are refused); '<f2' becomes float32; '>' (big-endian) variants of
// all of these are byte-swapped; fortran_order=True arrays are transposed once.
// Object arrays ('|O', pickles), strings, structured and complex dtypes are refused.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "metricaudit/audit/dump.hpp"
#include "metricaudit/audit/read_limits.hpp"

namespace metricaudit::audit {

/// Reads a .npy file. Throws InputError ("file@offset: what was expected") on any
/// malformed input, and when the data would exceed `limits.max_array_bytes`.
NpyArray read_npy(const std::filesystem::path& file, const ReadLimits& limits = {});

/// Parses a .npy image held in memory; `name` stands for the file in error messages.
NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& name,
                   const ReadLimits& limits = {});

}  // namespace metricaudit::audit
