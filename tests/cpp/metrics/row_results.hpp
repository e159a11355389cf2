// One check shared by the row-kernel tests: two RowResults the same, field for field, the
// doubles bit for bit (a row's results must not depend on its lane, block or address).
#pragma once

#include <string>

#include "../../../metrics/src/detail/row_kernels.hpp"
#include "mismatches.hpp"

namespace metricaudit::testing {

inline void same_row_results(Mismatches& m, const detail::RowResult& a, const detail::RowResult& b,
                             const std::string& what) {
  m.equal(a.argmax, b.argmax, what + " argmax");
  m.equal(a.greater, b.greater, what + " greater");
  m.equal(a.ties_below, b.ties_below, what + " ties_below");
  m.equal(a.ties_above, b.ties_above, what + " ties_above");
  m.equal(a.above, b.above, what + " above");
  m.equal(a.bad, b.bad, what + " bad");
  m.equal(a.in_unit, b.in_unit, what + " in_unit");
  m.equal(a.masked, b.masked, what + " masked");
  m.equal(a.nonneg, b.nonneg, what + " nonneg");
  m.equal(a.tiny, b.tiny, what + " tiny");
  m.same_bits(a.lse_hi, b.lse_hi, what + " lse_hi");
  m.same_bits(a.lse_lo, b.lse_lo, what + " lse_lo");
  m.same_bits(a.smoothing, b.smoothing, what + " smoothing");
}

}  // namespace metricaudit::testing
