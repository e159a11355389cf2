// The built `metricaudit` executable, spawned: exit statuses and messages as a shell
// or CI job sees them (main.cpp's process boundary: isatty, real streams).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scratch_dir.hpp"

namespace {

namespace fs = std::filesystem;

struct Process {
  int status = -1;
  std::string out;
  std::string err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the binary through the shell with stdout and stderr captured in files (neither
// is a terminal, as in CI), from the source tree so relative paths resolve.
Process spawn(const std::vector<std::string>& args, const std::string& env = "") {
  const metricaudit::testing::ScratchDir dir;  // ctest -j runs tests as concurrent processes
  const fs::path out = dir / "stdout";
  const fs::path err = dir / "stderr";
  std::string command =
      "cd " + quote(METRICAUDIT_SOURCE_DIR) + " && " + env + " " + quote(METRICAUDIT_BINARY);
  for (const std::string& a : args) command += " " + quote(a);
  command += " >" + quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
  const int raw = std::system(command.c_str());
  Process p;
  p.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  p.out = slurp(out);
  p.err = slurp(err);
  return p;
}

TEST(CliProcess, VersionExitsZero) {
  const Process p = spawn({"--version"});
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.out.rfind("metricaudit ", 0), 0u) << p.out;
  EXPECT_TRUE(p.err.empty());
}

TEST(CliProcess, UsageErrorExitsTwoWithAMessage) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {"audit"}, {"audit", "x", "--format", "yaml"}, {"--frob"}}) {
    const Process p = spawn(args);
    EXPECT_EQ(p.status, 2);  // not CLI11's own codes (106, 109, ...)
    EXPECT_EQ(p.err.rfind("metricaudit: error: ", 0), 0u) << p.err;
  }
}

TEST(CliProcess, MissingFileExitsTwoNamingIt) {
  const Process p = spawn({"audit", "runs/does-not-exist/metrics.csv"});
  EXPECT_EQ(p.status, 2);
  EXPECT_EQ(p.err,
            "metricaudit: error: runs/does-not-exist/metrics.csv: no such file or directory\n");
  EXPECT_TRUE(p.out.empty());
}

TEST(CliProcess, SeedExampleHasFindingsAndNoColourInAPipe) {
  const Process p = spawn({"audit", "examples/seed-torchmetrics-macro"});
  EXPECT_EQ(p.status, 1) << p.err;
  EXPECT_NE(p.out.find("MA001"), std::string::npos);
  EXPECT_EQ(p.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(p.err.find('\x1b'), std::string::npos) << "no progress line off a terminal";
}

TEST(CliProcess, SarifUsesTheLogPathAsGiven) {
  const Process p = spawn({"audit", "examples/seed-torchmetrics-macro", "--format", "sarif"});
  EXPECT_EQ(p.status, 1) << p.err;
  EXPECT_NE(p.out.find("\"uri\": \"examples/seed-torchmetrics-macro/"), std::string::npos);
}

}  // namespace
