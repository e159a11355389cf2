#pragma once
// The findings of a check over many values, gathered so that the helper doing the check
// returns one ::testing::AssertionResult and the test asserts on it in its own body:
//
//   ::testing::AssertionResult rows_agree(...) { Mismatches m; ...; m.equal(a, b, what);
//                                                return m.result(); }
//   TEST(Kernels, RowsAgree) { EXPECT_TRUE(rows_agree(...)); }
//
// The first kShown findings are listed in the failure message, the rest counted.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <sstream>
#include <string>

namespace metricaudit::testing {

class Mismatches {
 public:
  static constexpr std::size_t kShown = 20;

  /// Records `what` (the failure, described) unless `ok`; returns `ok`.
  bool expect(bool ok, const std::string& what) {
    if (ok) return true;
    if (count_++ < kShown) listed_ << "\n  " << what;
    return false;
  }
  /// got == want, printing both as GoogleTest prints values.
  template <class Got, class Want>
  bool equal(const Got& got, const Want& want, const std::string& what) {
    if (got == want) return true;
    return expect(false, what + ": " + ::testing::PrintToString(got) + ", expected " +
                             ::testing::PrintToString(want));
  }
  /// The same bits (so -0.0 differs from 0.0, and a nan equals the same nan).
  bool same_bits(double got, double want, const std::string& what) {
    if (std::memcmp(&got, &want, sizeof(double)) == 0) return true;
    return expect(false, what + ": " + ::testing::PrintToString(got) + ", expected the bits of " +
                             ::testing::PrintToString(want));
  }
  /// got <= bound (a nan fails).
  bool at_most(double got, double bound, const std::string& what) {
    if (got <= bound) return true;
    std::ostringstream o;
    o.precision(17);
    o << what << ": " << got << " exceeds " << bound;
    return expect(false, o.str());
  }

  std::size_t count() const { return count_; }

  ::testing::AssertionResult result() const {
    if (count_ == 0) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure() << count_ << " mismatch(es)" << listed_.str();
    if (count_ > kShown) failure << "\n  ... and " << (count_ - kShown) << " more";
    return failure;
  }

 private:
  std::size_t count_ = 0;
  std::ostringstream listed_;
};

}  // namespace metricaudit::testing
