// The options states must share to merge, as text: merge names the first that differs.
#include <gtest/gtest.h>

#include <string>

#include "metricaudit/metricaudit.hpp"

namespace metricaudit {
namespace {

std::string merge_error(const SufficientState& a, const SufficientState& b) {
  try {
    SufficientState c = a;
    c.merge(b);
  } catch (const IncompatibleError& e) {
    return e.what();
  }
  return "";
}

TEST(StateOptions, MergeNamesTheFirstDifferingOption) {
  StateOptions o;
  o.num_classes = 5;
  o.top_k = {1, 2};
  StateOptions other = o;
  other.top_k = {1, 3};
  EXPECT_EQ(merge_error(SufficientState(o), SufficientState(other)),
            "merge: the states were built with different options (top_k: [1,2] vs [1,3])");
  other = o;
  other.ignore_index = 4;
  EXPECT_EQ(merge_error(SufficientState(o), SufficientState(other)),
            "merge: the states were built with different options (ignore_index: none vs 4)");
  other = o;
  other.threads = 3;  // results do not depend on it
  EXPECT_EQ(merge_error(SufficientState(o), SufficientState(other)), "");
  EXPECT_EQ(merge_options(o).size(), 9u);
}

TEST(StateOptions, LabelwiseMergeNamesTheOption) {
  LabelwiseState a(LabelwiseOptions{2, 0.5, 0}), b(LabelwiseOptions{2, 0.25, 0});
  try {
    a.merge(b);
    ADD_FAILURE() << "merged";
  } catch (const IncompatibleError& e) {
    EXPECT_STREQ(e.what(),
                 "merge: the states were built with different options (threshold: 0.5 vs 0.25)");
  }
}

}  // namespace
}  // namespace metricaudit
