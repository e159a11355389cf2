// Shared helpers of the binary reader tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "metricaudit/error.hpp"

namespace metricaudit::audit::testing {

/// A fixture's path: tests/data/binary/<rel> (written by tests/data/binary/generate.py).
inline std::string data(const std::string& rel) {
  return std::string(METRICAUDIT_BINARY_DATA) + "/" + rel;
}

/// A file's bytes (empty when it cannot be read).
inline std::string file_bytes(const std::string& f) {
  std::ifstream in(f, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// The bytes of `s`, as the readers' in-memory entry points take them.
inline std::span<const std::byte> as_span(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

/// The message of the InputError `f` throws, or a marker when it throws none.
template <class F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError thrown>";
}

/// The elements of a (C-ordered) array's storage as T.
template <class T, class Array>
std::vector<T> values(const Array& a) {
  std::vector<T> out(static_cast<std::size_t>(a.elements()));
  if (!out.empty()) std::memcpy(out.data(), a.storage.get(), out.size() * sizeof(T));
  return out;
}

}  // namespace metricaudit::audit::testing
