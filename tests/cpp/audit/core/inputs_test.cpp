// read_inputs (audit/src/inputs.cpp) through run_audit: a log from which no value is read
// is an input error, never "0 findings".
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "metricaudit/audit/audit.hpp"
#include "metricaudit/error.hpp"
#include "scratch_dir.hpp"

namespace metricaudit::audit {
namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string input_error(const AuditOptions& options) {
  try {
    run_audit(options);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError";
  return {};
}

const std::string kPasted = "loss: 0.1162 - accuracy: 0.9580\nloss: 0.0507 - accuracy: 0.9823\n";

TEST(Inputs, ALogThatGivesNothingIsAnInputError) {
  const metricaudit::testing::ScratchDir dir;
  const auto file = dir / "pasted.txt";
  write(file, kPasted);
  AuditOptions options;
  options.path = file;
  options.log_format = "keras-progress";  // names a format the lines are not in
  EXPECT_EQ(input_error(options),
            file.string() +
                ": no metric value read from it as keras-progress (it holds 64 bytes and starts "
                "with 'loss: 0.1162 - accuracy: 0.9580'); expected a Keras progress bar ('Epoch "
                "1/10', '1875/1875 [===...') as --log-format says");
  options.log_format = "auto";  // read as what they are
  const AuditReport report = run_audit(options);
  EXPECT_EQ(report.log_formats, std::vector<std::string>{"pasted"});
}

TEST(Inputs, ARunDirectoryWarnsOfLogsThatGaveNothing) {
  const metricaudit::testing::ScratchDir dir;
  write(dir / "training.log", "epoch,accuracy,loss\n0,0.5,1.0\n1,0.6,0.9\n");
  write(dir / "progress.txt", "Epoch 1/2\n");  // a header, never a bar
  AuditOptions options;
  options.path = dir.path();
  const AuditReport report = run_audit(options);
  EXPECT_EQ(report.log_formats, std::vector<std::string>{"keras-csv"});
  const auto warned = std::any_of(report.warnings.begin(), report.warnings.end(), [&](auto& w) {
    return w.rfind((dir / "progress.txt").string() + ": no metric value read from it as " +
                       "keras-progress",
                   0) == 0 &&
           w.ends_with("; skipped");
  });
  EXPECT_TRUE(warned);
  // With nothing left to audit, the directory is an input error too.
  std::filesystem::remove(dir / "training.log");
  EXPECT_NE(input_error(options).find("no metric value read"), std::string::npos);
}

// --log-format is suggested only where detection guessed from the content: a file whose
// name fixes its format holds no value, and the message says so instead.
TEST(Inputs, NothingReadSuggestsAFormatOnlyWhenItWasGuessed) {
  const metricaudit::testing::ScratchDir dir;
  const auto state = dir / "trainer_state.json";
  write(state, "{\"log_history\": [], \"global_step\": 0}\n");
  AuditOptions options;
  options.path = state;
  EXPECT_EQ(input_error(options),
            state.string() +
                ": no metric value read from it as hf-trainer (it holds 38 bytes and starts with "
                "'{\"log_history\": [], \"global_step\": 0}'): a Hugging Face trainer_state.json "
                "(a JSON object with \"log_history\") by its name, holding no logged metric");

  // "Epoch 1/2" is the evidence of a Keras progress bar, a guess: another format may fit.
  const auto progress = dir / "progress.txt";
  write(progress, "Epoch 1/2\n");
  options.path = progress;
  EXPECT_EQ(input_error(options),
            progress.string() +
                ": no metric value read from it as keras-progress (it holds 10 bytes and starts "
                "with 'Epoch 1/2'); expected a Keras progress bar ('Epoch 1/10', '1875/1875 "
                "[===...'), or name its format with --log-format");
}

}  // namespace
}  // namespace metricaudit::audit
