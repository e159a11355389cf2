// The vocabulary: one name table per enum, in enum order, names unique, and the
// parse error that names the argument and lists the choices.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "metricaudit/vocabulary.hpp"

namespace metricaudit {
namespace {

TEST(Vocabulary, EveryTableIsInEnumOrderWithUniqueNamesThatRoundTrip) {
  std::set<std::string_view> keys;
  int tables = 0;
  for_each_vocabulary([&](auto vocabulary) {
    using V = decltype(vocabulary);
    ++tables;
    EXPECT_TRUE(keys.insert(V::key).second) << V::key;
    std::set<std::string_view> names;
    int i = 0;
    for (const auto& row : V::names) {
      EXPECT_EQ(static_cast<int>(row.value), i++) << V::key << " " << row.name;
      EXPECT_TRUE(names.insert(row.name).second) << V::key << " " << row.name;
      EXPECT_EQ(parse_name<decltype(row.value)>(row.name), row.value);
      EXPECT_STREQ(to_name(row.value), row.name);
    }
  });
  EXPECT_EQ(tables, 15);
}

TEST(Vocabulary, UnknownNameNamesTheArgumentAndListsTheChoices) {
  try {
    parse_name<Average>("samples");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "average: expected one of 'micro', 'macro', 'weighted', 'none', 'binary', got 'samples'");
  }
  try {
    parse_name<LossFamily>("bce", "losses");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("losses: expected one of 'logits', ", 0), 0u) << e.what();
  }
}

TEST(Vocabulary, CountsOfTheStateArraysMatchTheTables) {
  EXPECT_EQ(Vocabulary<LossFamily>::names.size(), static_cast<std::size_t>(kLossFamilies));
  EXPECT_EQ(Vocabulary<ScoreReading>::names.size(), static_cast<std::size_t>(kScoreReadings));
  EXPECT_EQ(Vocabulary<BinaryLossFamily>::names.size(),
            static_cast<std::size_t>(kBinaryLossFamilies));
  // torch_topk is the one tie rule without a rank histogram, and the last.
  EXPECT_EQ(static_cast<int>(TieRule::torch_topk), kTieRules);
}

}  // namespace
}  // namespace metricaudit
