// Builds small audit runs on disk: a JSON-lines log and .npy dumps written
// here (numpy's format 1.0: magic, header dict padded to 64 bytes, raw data).
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scratch_dir.hpp"

namespace metricaudit::testing {

namespace fs = std::filesystem;

template <typename T>
void write_npy(const fs::path& file, const std::vector<std::int64_t>& shape,
               const std::vector<T>& data) {
  const char* descr = std::is_same_v<T, float> ? "<f4" : std::is_same_v<T, double> ? "<f8" : "<i8";
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();
  std::string header =
      "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(file, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  out.put(static_cast<char>(len & 0xFF));
  out.put(static_cast<char>(len >> 8));
  out << header;
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size() * sizeof(T)));
}

/// A fresh directory with a predictions/ folder, removed at the end of the test.
class TempRun {
 public:
  explicit TempRun(const std::string& name) : dir_(scratch_ / name) {
    fs::create_directories(dir_ / "predictions");
  }
  const fs::path& dir() const { return dir_; }
  void log(const std::string& jsonl) const { std::ofstream(dir_ / "metrics.jsonl") << jsonl; }
  void dump(const std::string& stem, const std::vector<std::int64_t>& target,
            const std::vector<float>& probs, std::int64_t classes,
            const char* role = "probs") const {
    const auto n = static_cast<std::int64_t>(target.size());
    write_npy(dir_ / "predictions" / (stem + ".target.npy"), {n}, target);
    write_npy(dir_ / "predictions" / (stem + "." + role + ".npy"), {n, classes}, probs);
  }
  /// A binary (labels = 1: (N,) target, (N, 1) scores) or multilabel ((N, L) target
  /// and scores) dump.
  void labelwise_dump(const std::string& stem, const std::vector<std::int64_t>& target,
                      const std::vector<float>& scores, std::int64_t labels, const char* role,
                      bool vector_scores = false) const {
    const auto n = static_cast<std::int64_t>(scores.size()) / labels;
    const std::vector<std::int64_t> target_shape =
        labels == 1 ? std::vector<std::int64_t>{n} : std::vector<std::int64_t>{n, labels};
    write_npy(dir_ / "predictions" / (stem + ".target.npy"), target_shape, target);
    const std::vector<std::int64_t> scores_shape =
        vector_scores ? std::vector<std::int64_t>{n} : std::vector<std::int64_t>{n, labels};
    write_npy(dir_ / "predictions" / (stem + "." + role + ".npy"), scores_shape, scores);
  }

 private:
  ScratchDir scratch_;  // unique per process and test; removed with the run
  fs::path dir_;
};

inline std::string fixed(double v, int decimals = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace metricaudit::testing
