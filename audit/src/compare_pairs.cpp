// Which metric of run A is compared with which of run B: by kind and split (Keras
// val_accuracy with Lightning val_acc, a Trainer's eval_accuracy), or as --pair says.
#include <set>

#include "compare_internal.hpp"
#include "metricaudit/error.hpp"

namespace metricaudit::audit::detail {
namespace {

std::string describe(const RunSeries& s) {
  return s.metric + " (" + s.kind + " [" + (s.split.empty() ? "-" : s.split) + "])";
}

std::string list_metrics(const ReadRun& r) {
  if (r.series.empty()) {
    return "no epoch-level metric the audit knows (name one with --metric NAME=accuracy|loss)";
  }
  std::string out;
  for (const RunSeries& s : r.series) {
    if (!out.empty()) out += ", ";
    out += describe(s);
  }
  return out;
}

std::optional<std::size_t> find_series(const ReadRun& r, const std::string& metric) {
  for (std::size_t i = 0; i < r.series.size(); ++i) {
    if (r.series[i].metric == metric) return i;
  }
  return std::nullopt;
}

}  // namespace

std::vector<SeriesPair> pair_series(const ReadRun& a, const ReadRun& b,
                                    const CompareOptions& options, std::vector<std::string>& notes,
                                    std::vector<std::string>& unpaired) {
  std::vector<SeriesPair> pairs;
  if (!options.pairs.empty()) {
    for (const auto& [name_a, name_b] : options.pairs) {
      const std::string arg = "--pair " + name_a + "=" + name_b;
      const auto ia = find_series(a, name_a);
      if (!ia) {
        throw InvalidArgument(arg + ": run A (" + a.info.path + ") logs no epoch-level metric '" +
                              name_a + "'; it logs " + list_metrics(a));
      }
      const auto ib = find_series(b, name_b);
      if (!ib) {
        throw InvalidArgument(arg + ": run B (" + b.info.path + ") logs no epoch-level metric '" +
                              name_b + "'; it logs " + list_metrics(b));
      }
      if (a.series[*ia].kind != b.series[*ib].kind) {
        throw InvalidArgument(arg + ": " + describe(a.series[*ia]) + " and " +
                              describe(b.series[*ib]) +
                              " are not the same kind of metric (name a kind with --metric)");
      }
      pairs.push_back({*ia, *ib});
    }
    return pairs;
  }

  using Key = std::pair<std::string, std::string>;  // kind, split
  std::map<Key, std::size_t> first_b;
  for (std::size_t j = 0; j < b.series.size(); ++j) {
    first_b.try_emplace(Key{b.series[j].kind, b.series[j].split}, j);
  }
  std::map<Key, std::size_t> first_a;
  std::set<std::size_t> used_b;
  for (std::size_t i = 0; i < a.series.size(); ++i) {
    const RunSeries& s = a.series[i];
    const Key key{s.kind, s.split};
    const auto [seen, inserted] = first_a.try_emplace(key, i);
    if (!inserted) {
      notes.push_back("A also logs " + describe(s) +
                      "; compared: " + a.series[seen->second].metric +
                      " (compare the other with --pair " + s.metric + "=B_NAME)");
      continue;
    }
    const auto match = first_b.find(key);
    if (match == first_b.end()) {
      unpaired.push_back("A: " + describe(s));
      continue;
    }
    pairs.push_back({i, match->second});
    used_b.insert(match->second);
  }
  for (std::size_t j = 0; j < b.series.size(); ++j) {
    if (used_b.count(j) != 0) continue;
    const RunSeries& s = b.series[j];
    const auto paired = first_b.find(Key{s.kind, s.split});
    if (paired->second != j && used_b.count(paired->second) != 0) {
      notes.push_back("B also logs " + describe(s) +
                      "; compared: " + b.series[paired->second].metric +
                      " (compare the other with --pair A_NAME=" + s.metric + ")");
    } else {
      unpaired.push_back("B: " + describe(s));
    }
  }
  if (pairs.empty()) {
    throw InvalidArgument("no metric in common: run A (" + a.info.path + ") logs " +
                          list_metrics(a) + "; run B (" + b.info.path + ") logs " +
                          list_metrics(b) + ". Pair two with --pair A_NAME=B_NAME");
  }
  return pairs;
}

}  // namespace metricaudit::audit::detail
