// Helpers of the command's tests: run it in-process, and write small .npy fixtures.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"

namespace metricaudit::audit::testing {

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

inline CliResult run_cli(std::vector<std::string> args, cli::Terminal terminal = {}) {
  args.insert(args.begin(), "metricaudit");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliResult r;
  r.status = cli::run(static_cast<int>(argv.size()), argv.data(), out, err, terminal);
  r.out = out.str();
  r.err = err.str();
  return r;
}

/// Writes a version 1.0 .npy file (numpy's format: magic, header dict padded so the
/// data starts on a 64-byte boundary).
template <typename T>
void write_npy(const std::filesystem::path& path, const char* descr,
               const std::vector<std::int64_t>& shape, const std::vector<T>& data) {
  std::string dims;
  for (std::int64_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xFF), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size() * sizeof(T)));
}

}  // namespace metricaudit::audit::testing
