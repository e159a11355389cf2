// `metricaudit compare` in-process: exit statuses, the JSON document's members
// (docs/compare.md), the text report, and what the C++ command says to --format html.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_support.hpp"

namespace metricaudit::audit {
namespace {

using nlohmann::json;
using testing::run_cli;

const std::string kExamples = METRICAUDIT_SOURCE_DIR "/examples/";

// The bundled pair (examples/keras-to-lightning): a Keras 3 run and its Lightning port
// logging torchmetrics 0.11's MulticlassAccuracy. pair.json holds what compare must say,
// computed by check_pair.py from the dumps with numpy and scipy (binomtest, ttest_rel).
TEST(CompareCli, TheBundledKerasToLightningPairIsAConventionGap) {
  const std::string dir = kExamples + "keras-to-lightning/";
  std::ifstream in(dir + "pair.json");
  ASSERT_TRUE(in) << "examples/keras-to-lightning/pair.json";
  const json truth = json::parse(in);
  const auto r = run_cli({"compare", dir + "keras", dir + "lightning", "--format", "json"});
  ASSERT_NE(r.status, 2) << r.err;
  const json j = json::parse(r.out);
  std::size_t checked = 0;
  bool any_real = false;
  for (const json& e : truth["expected_comparisons"]) {
    for (const json& c : j["comparisons"]) {
      if (!c["judged"].get<bool>() || c["a"]["metric"] != e["a"]) continue;
      SCOPED_TRACE(e["a"].get<std::string>());
      EXPECT_EQ(c["b"]["metric"], e["b"]);
      EXPECT_EQ(c["epoch"], e["epoch"]);
      EXPECT_EQ(c["verdict"], e["verdict"]) << c["reason"];
      EXPECT_EQ(c["test"], e["test"]);
      EXPECT_EQ(c["pairing"], "paired");
      const double p = e["p_value"].get<double>();
      EXPECT_NEAR(c["p_value"].get<double>(), p, 1e-9 * std::max(p, 1e-300));
      EXPECT_NEAR(c["difference"].get<double>(), e["difference"].get<double>(), 1e-9);
      EXPECT_NEAR(c["a"]["common"].get<double>(), e["common_a"].get<double>(), 1e-9);
      EXPECT_NEAR(c["b"]["common"].get<double>(), e["common_b"].get<double>(), 1e-9);
      any_real = any_real || e["verdict"] == "real";
      ++checked;
    }
  }
  EXPECT_EQ(checked, truth["expected_comparisons"].size());
  EXPECT_EQ(r.status, any_real ? 1 : 0);
  // The text report says it the way people read it.
  const auto text = run_cli({"compare", dir + "keras", dir + "lightning"});
  EXPECT_NE(text.out.find("convention: The logged gap"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("McNemar's exact test"), std::string::npos) << text.out;
}

TEST(CompareCli, ARunAgainstItselfIsNoiseAndExitsZero) {
  const auto r = run_cli({"compare", kExamples + "clean", kExamples + "clean", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["command"], "compare");
  EXPECT_EQ(j["exit_status"], 0);
  EXPECT_EQ(j["judged"], "last");
  EXPECT_DOUBLE_EQ(j["alpha"].get<double>(), 0.05);
  ASSERT_FALSE(j["comparisons"].empty());
  std::size_t judged = 0;
  for (const json& c : j["comparisons"]) {
    for (const char* key : {"kind",       "split",       "epoch",      "judged",
                            "a",          "b",           "convention", "logged_difference",
                            "difference", "test",        "pairing",    "tested",
                            "p_value",    "ci95",        "ci",         "table",
                            "samples",    "significant", "verdict",    "reason"}) {
      EXPECT_TRUE(c.contains(key)) << key;
    }
    for (const char* side : {"a", "b"}) {
      for (const char* key : {"metric", "logged", "explained_by", "common", "common_id", "dump"}) {
        EXPECT_TRUE(c[side].contains(key)) << side << "." << key;
      }
    }
    EXPECT_EQ(c["pairing"], "paired");
    EXPECT_DOUBLE_EQ(c["difference"].get<double>(), 0.0);
    if (c["judged"].get<bool>()) {
      ++judged;
      EXPECT_EQ(c["verdict"], "noise") << c["reason"];
      EXPECT_DOUBLE_EQ(c["p_value"].get<double>(), 1.0);
    } else {
      EXPECT_TRUE(c["verdict"].is_null());
    }
  }
  EXPECT_EQ(judged, j["summary"]["judged"].get<std::size_t>());
  EXPECT_EQ(j["summary"]["verdicts"]["noise"].get<std::size_t>(), judged);
  EXPECT_TRUE(j["runs"]["a"]["findings"].empty());
}

TEST(CompareCli, DifferentModelsAreRealAndExitOne) {
  // A Keras run and a Lightning run of different recipes: their validation losses differ.
  const auto r = run_cli({"compare", kExamples + "keras3-progress", kExamples + "clean"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("real: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Summary:"), std::string::npos);
}

// --min-effect D: the bundled pair's train loss differs significantly (B - A = +0.0004 on
// 1347 paired samples) but by little. It is `negligible` exactly when the whole (1 - alpha)
// interval lies within [-D, D], and `real` (exit 1) otherwise.
TEST(CompareCli, ASignificantGapInsideMinEffectIsNegligible) {
  const std::string dir = kExamples + "keras-to-lightning/";
  const auto judged_train_loss = [&](const std::string& min_effect) {
    const auto r = run_cli({"compare", dir + "keras", dir + "lightning", "--format", "json",
                            "--min-effect", min_effect});
    EXPECT_NE(r.status, 2) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["exit_status"], r.status);
    for (const json& c : j["comparisons"]) {
      if (c["judged"].get<bool>() && c["a"]["metric"] == "loss") return std::pair{c, j};
    }
    ADD_FAILURE() << "no judged train loss comparison";
    return std::pair{json{}, j};
  };
  const auto [plain, plain_report] = judged_train_loss("0");
  ASSERT_EQ(plain["verdict"], "real") << plain["reason"];
  const double reach =
      std::max(-plain["ci"]["low"].get<double>(), plain["ci"]["high"].get<double>());

  const auto spelled = [](double d) {  // every digit: std::to_string keeps six decimals
    std::ostringstream os;
    os << std::setprecision(17) << d;
    return os.str();
  };
  const auto [wide, wide_report] = judged_train_loss(spelled(reach * 1.01));
  EXPECT_EQ(wide["verdict"], "negligible") << wide["reason"];
  EXPECT_EQ(wide["p_value"], plain["p_value"]);  // the test is the same; only the verdict moves
  EXPECT_EQ(wide_report["summary"]["verdicts"]["negligible"], 1);
  EXPECT_EQ(wide_report["summary"]["verdicts"]["real"], 0);
  EXPECT_EQ(wide_report["exit_status"], 0);
  EXPECT_DOUBLE_EQ(wide_report["min_effect"].get<double>(), reach * 1.01);

  const auto [narrow, narrow_report] = judged_train_loss(spelled(reach * 0.99));
  EXPECT_EQ(narrow["verdict"], "real") << narrow["reason"];
  EXPECT_EQ(narrow_report["exit_status"], 1);

  const auto text = run_cli({"compare", dir + "keras", dir + "lightning", "--min-effect", "0.001"});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("negligible: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("by less than --min-effect 0.001"), std::string::npos) << text.out;
}

TEST(CompareCli, HtmlIsThePythonPackagesJob) {
  for (const char* command : {"compare", "audit"}) {
    std::vector<std::string> args = {command, kExamples + "clean"};
    if (std::string(command) == "compare") args.push_back(kExamples + "clean");
    args.insert(args.end(), {"--format", "html"});
    const auto r = run_cli(args);
    EXPECT_EQ(r.status, 2) << command;
    EXPECT_NE(r.err.find("Python package"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(CompareCli, HtmlGoesThroughTheRenderOfTheJson) {
  // The Python package gives the command a renderer: it receives the JSON document.
  cli::Terminal t;
  std::string seen_command;
  t.html = [&](const std::string& command, const std::string& json_text) {
    seen_command = command;
    return "<html>" + json::parse(json_text)["tool"].get<std::string>() + "</html>\n";
  };
  const std::string clean = kExamples + "clean";
  auto r = run_cli({"compare", clean, clean, "--format", "html"}, t);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "<html>metricaudit</html>\n");
  EXPECT_EQ(seen_command, "compare");
  r = run_cli({"audit", kExamples + "seed-torchmetrics-macro", "--format", "html"}, t);
  EXPECT_EQ(r.status, 1) << r.err;  // the seed run's findings
  EXPECT_EQ(r.out, "<html>metricaudit</html>\n");
  EXPECT_EQ(seen_command, "audit");
}

TEST(CompareCli, UsageAndInputErrorsExitTwo) {
  const std::string clean = kExamples + "clean";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"compare"},
           {"compare", clean},
           {"compare", clean, kExamples + "no-such-run"},
           {"compare", clean, clean, "--pair", "val_acc"},
           {"compare", clean, clean, "--pair", "val_acc=nope"},
           {"compare", clean, clean, "--epoch", "soon"},
           {"compare", clean, clean, "--epoch", "99"},
           {"compare", clean, clean, "--alpha", "1"},
           {"compare", clean, clean, "--min-effect", "-0.01"},
           {"compare", clean, clean, "--min-effect", "nan"},
           {"compare", clean, clean, "--convention", "accuracy.bogus"},
           {"compare", clean, clean, "--format", "sarif"},
       }) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    SCOPED_TRACE(joined);
    const auto r = run_cli(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err.rfind("metricaudit: error: ", 0), 0u) << r.err;
  }
}

}  // namespace
}  // namespace metricaudit::audit
