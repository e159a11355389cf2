#pragma once
// A directory of one's own for a test that writes files.
//
// ctest -j runs every gtest case as its own process, concurrently, all sharing one
// TempDir(): a fixed name there lets one test remove another's files mid-run (CI saw
// "cannot remove: Directory not empty"). The name here carries the process id, the
// test's name and a counter, so no two live ScratchDirs collide, across processes or
// within one; the directory is removed, errors ignored, when the object goes.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace metricaudit::testing {

class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<unsigned> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name()
                                       : std::string("no-test");
    for (char& c : name)
      if (c == '/') c = '_';  // parameterised names hold '/'
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("metricaudit-" + name + "-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace metricaudit::testing
