// split_named_by (split_names.hpp). Defined in the binary readers, the library
// every reader links, so that TensorBoard tags and text logs' names read one rule.
#include "metricaudit/audit/split_names.hpp"

#include <cstddef>

namespace metricaudit::audit {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;  // b is a lower-case word
  }
  return true;
}

}  // namespace

std::optional<Split> split_named_by(std::string_view name) {
  std::size_t i = 0;
  while (i < name.size()) {
    std::size_t j = i;
    while (j < name.size() && name[j] != '/' && name[j] != '_' && name[j] != '-' &&
           name[j] != '.' && name[j] != ' ')
      ++j;
    const std::string_view word = name.substr(i, j - i);
    if (iequals(word, "val") || iequals(word, "valid") || iequals(word, "validation") ||
        iequals(word, "eval"))
      return Split::val;
    if (iequals(word, "test")) return Split::test;
    if (iequals(word, "train") || iequals(word, "training")) return Split::train;
    i = j + 1;
  }
  return std::nullopt;
}

}  // namespace metricaudit::audit
