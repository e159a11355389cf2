// Shared helpers of the binary reader tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "metricaudit/error.hpp"

namespace metricaudit::audit::testing {

/// A fixture's path: tests/data/binary/<rel> (written by tests/data/binary/generate.py).
inline std::string data(const std::string& rel) {
  return std::string(METRICAUDIT_BINARY_DATA) + "/" + rel;
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
