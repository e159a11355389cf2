// The two behaviours compare_report.hpp declares on its plain data.
#include "metricaudit/audit/compare_report.hpp"

#include <algorithm>

namespace metricaudit::audit {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::convention:
      return "convention";
    case Verdict::real:
      return "real";
    case Verdict::negligible:
      return "negligible";
    case Verdict::noise:
      return "noise";
    case Verdict::undecided:
      return "undecided";
  }
  return "undecided";  // unreachable for valid enumerators
}

int CompareReport::exit_status() const {
  const bool real = std::any_of(comparisons.begin(), comparisons.end(), [](const Comparison& c) {
    return c.judged && c.verdict == Verdict::real;
  });
  return real ? 1 : 0;
}

}  // namespace metricaudit::audit
