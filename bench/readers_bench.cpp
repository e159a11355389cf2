// Reader throughput (MB/s) on large generated logs and dumps: Keras 2 progress bars
// (with "\r" redraws, as a captured terminal holds them), Keras CSVLogger, a dense
// Lightning metrics.csv, JSON lines, and .npy / .npz prediction dumps (.npz stored and
// deflated, read alone and read then folded into a state: npz_fold).
//
// The inputs are written once per format into a fresh temporary directory (removed at
// exit), never committed. Size per file: METRICAUDIT_BENCH_MB (default 1024 MB for
// the text logs and the dumps). Timings include opening the file (page cache warm
// after the first iteration: this measures parsing, not the disk).
#include <benchmark/benchmark.h>
#include <zip.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "metricaudit/audit/npy.hpp"
#include "metricaudit/audit/npz.hpp"
#include "metricaudit/audit/text_log_readers.hpp"
#include "metricaudit/evaluate.hpp"

namespace {

namespace fs = std::filesystem;

std::int64_t target_bytes() {
  const char* e = std::getenv("METRICAUDIT_BENCH_MB");
  const std::int64_t mb = e ? std::atoll(e) : 1024;
  return std::max<std::int64_t>(1, mb) << 20;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("metricaudit-bench-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
TempDir& tmp() {
  static TempDir d;
  return d;
}

// Four-decimal value as Keras prints it, cheaply.
void put_value(std::string& out, std::uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  char buf[16];
  const unsigned v = static_cast<unsigned>((s >> 33) % 100000);
  std::snprintf(buf, sizeof buf, "%u.%04u", v / 10000, v % 10000);
  out += buf;
}
void put_long_value(std::string& out, std::uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0.%016llu",
                static_cast<unsigned long long>((s >> 11) % 10000000000000000ULL));
  out += buf;
}

using Writer = void (*)(std::ofstream&, std::int64_t);

void write_keras_progress(std::ofstream& f, std::int64_t bytes) {
  std::uint64_t s = 1;
  std::string out;
  const int steps = 1875;
  const std::int64_t epochs_guess = 1 << 20;
  f << "Epoch 1/" << epochs_guess << "\n";
  std::int64_t written = 0;
  for (std::int64_t e = 0; written < bytes; ++e) {
    if (e > 0) out += "Epoch " + std::to_string(e + 1) + "/" + std::to_string(epochs_guess) + "\n";
    for (int k = 32; k <= steps; k += 32) {
      const int cur = std::min(k, steps);
      char head[64];
      std::snprintf(head, sizeof head, "\r%4d/%d [", cur, steps);
      out += head;
      const int done = cur * 30 / steps;
      out.append(static_cast<std::size_t>(std::max(0, done - 1)), '=');
      out += done < 30 ? ">" : "=";
      out.append(static_cast<std::size_t>(30 - done), '.');
      out += "] - ETA: 3s - loss: ";
      put_value(out, s);
      out += " - accuracy: ";
      put_value(out, s);
    }
    out += "\r1875/1875 [==============================] - 5s 3ms/step - loss: ";
    put_value(out, s);
    out += " - accuracy: ";
    put_value(out, s);
    out += " - val_loss: ";
    put_value(out, s);
    out += " - val_accuracy: ";
    put_value(out, s);
    out += "\n";
    f << out;
    written += static_cast<std::int64_t>(out.size());
    out.clear();
  }
}

void write_lightning_csv(std::ofstream& f, std::int64_t bytes) {
  std::uint64_t s = 2;
  f << "epoch,step,train_acc_epoch,train_acc_step,train_loss_epoch,train_loss_step,val/acc,"
       "val_loss\n";
  std::string out;
  std::int64_t written = 0;
  for (std::int64_t step = 0; written < bytes; ++step) {
    const std::int64_t epoch = step / 1000;
    out += std::to_string(epoch) + "," + std::to_string(step) + ",,";
    put_long_value(out, s);
    out += ",,";
    put_long_value(out, s);
    out += ",,\n";
    if (step % 1000 == 999) {
      out += std::to_string(epoch) + "," + std::to_string(step) + ",,,,,";
      put_long_value(out, s);
      out += ",";
      put_long_value(out, s);
      out += "\n" + std::to_string(epoch) + "," + std::to_string(step) + ",";
      put_long_value(out, s);
      out += ",,";
      put_long_value(out, s);
      out += ",,,\n";
    }
    if (out.size() > (1 << 20)) {
      f << out;
      written += static_cast<std::int64_t>(out.size());
      out.clear();
    }
  }
  f << out;
}

void write_keras_csv(std::ofstream& f, std::int64_t bytes) {
  std::uint64_t s = 3;
  f << "epoch,accuracy,loss,val_accuracy,val_loss\n";
  std::string out;
  std::int64_t written = 0;
  for (std::int64_t e = 0; written < bytes; ++e) {
    out += std::to_string(e);
    for (int k = 0; k < 4; ++k) {
      out += ",";
      put_long_value(out, s);
    }
    out += "\n";
    if (out.size() > (1 << 20)) {
      f << out;
      written += static_cast<std::int64_t>(out.size());
      out.clear();
    }
  }
  f << out;
}

void write_jsonl(std::ofstream& f, std::int64_t bytes) {
  std::uint64_t s = 4;
  std::string out;
  std::int64_t written = 0;
  for (std::int64_t step = 0; written < bytes; ++step) {
    out += "{\"epoch\": " + std::to_string(step / 1000) + ", \"step\": " + std::to_string(step) +
           ", \"loss\": ";
    put_long_value(out, s);
    out += ", \"accuracy\": ";
    put_long_value(out, s);
    out += "}\n";
    if (out.size() > (1 << 20)) {
      f << out;
      written += static_cast<std::int64_t>(out.size());
      out.clear();
    }
  }
  f << out;
}

const fs::path& text_file(const std::string& name, Writer w) {
  static std::map<std::string, fs::path> made;
  auto it = made.find(name);
  if (it != made.end()) return it->second;
  const fs::path p = tmp().path / name;
  {
    std::ofstream f(p, std::ios::binary);
    w(f, target_bytes());
  }
  return made.emplace(name, p).first->second;
}

void BM_TextLog(benchmark::State& st, const std::string& name, Writer w, const char* format) {
  const fs::path& p = text_file(name, w);
  const auto bytes = static_cast<std::int64_t>(fs::file_size(p));
  std::size_t points = 0;
  for (auto _ : st) {
    auto run = metricaudit::audit::read_text_log(p, format);
    points = run.points.size();
    benchmark::DoNotOptimize(run);
  }
  st.SetBytesProcessed(st.iterations() * bytes);
  st.counters["points"] = static_cast<double>(points);
  st.counters["file_MB"] = static_cast<double>(bytes) / 1e6;
}

// ---- dumps ----------------------------------------------------------------------------

// A .npy image: the header as numpy pads it (format.py, ARRAY_ALIGN = 64), then `data`.
std::string npy_image(const std::string& descr, const std::string& shape, const std::string& data) {
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  const auto len = static_cast<std::uint16_t>(header.size());
  out += static_cast<char>(len & 0xFF);
  out += static_cast<char>(len >> 8);
  return out + header + data;
}

constexpr std::int64_t kDumpClasses = 1000;

std::int64_t dump_rows() {
  return std::max<std::int64_t>(1, target_bytes() / (4 * kDumpClasses));
}

// N x 1000 float32 logits (`bytes` of data): 24 random bits per value, so that deflate
// gains as little as it does on real scores.
std::string npy_bytes(std::int64_t bytes) {
  const std::int64_t n = std::max<std::int64_t>(1, bytes / (4 * kDumpClasses));
  std::string data(static_cast<std::size_t>(n * kDumpClasses * 4), '\0');
  std::uint32_t x = 12345;
  for (std::size_t i = 0; i < data.size(); i += 4) {
    x = x * 1664525u + 1013904223u;
    const float v = static_cast<float>(x >> 8) / 16777216.0f;
    std::memcpy(data.data() + i, &v, 4);
  }
  return npy_image("<f4", "(" + std::to_string(n) + ", " + std::to_string(kDumpClasses) + ")",
                   data);
}

std::string target_bytes_npy(std::int64_t n) {
  std::string data(static_cast<std::size_t>(n * 8), '\0');
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t y = (i * 7919) % kDumpClasses;
    std::memcpy(data.data() + i * 8, &y, 8);
  }
  return npy_image("<i8", "(" + std::to_string(n) + ",)", data);
}

const fs::path& npy_file() {
  static fs::path p;
  if (p.empty()) {
    p = tmp().path / "logits.npy";
    const std::string b = npy_bytes(target_bytes());
    std::ofstream(p, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
  }
  return p;
}

// A dump as np.savez (stored) or np.savez_compressed (deflated, zlib's default level)
// writes it: target.npy and logits.npy.
fs::path write_npz(const char* file, zip_int32_t method) {
  const fs::path p = tmp().path / file;
  const std::string logits = npy_bytes(target_bytes());
  const std::string target = target_bytes_npy(dump_rows());
  int err = 0;
  zip_t* z = zip_open(p.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw std::runtime_error("zip_open failed");
  for (const auto& [name, bytes] : {std::pair{"target.npy", &target}, {"logits.npy", &logits}}) {
    zip_source_t* src = zip_source_buffer(z, bytes->data(), bytes->size(), 0);
    const zip_int64_t idx = zip_file_add(z, name, src, ZIP_FL_OVERWRITE);
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), method, 0);
  }
  if (zip_close(z) != 0) throw std::runtime_error("zip_close failed");
  return p;
}

const fs::path& npz_file(bool deflated) {
  static fs::path stored, compressed;
  fs::path& p = deflated ? compressed : stored;
  if (p.empty()) {
    p = deflated ? write_npz("savez_compressed.npz", ZIP_CM_DEFLATE)
                 : write_npz("savez.npz", ZIP_CM_STORE);
  }
  return p;
}

void BM_Npy(benchmark::State& st) {
  const fs::path& p = npy_file();
  for (auto _ : st) {
    auto a = metricaudit::audit::read_npy(p);
    benchmark::DoNotOptimize(a);
  }
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(fs::file_size(p)));
}

// Reading the archive; with `fold`, also folding it into a state (default options, every
// thread), which is what the audit does with a dump. Bytes: the logits' (uncompressed).
void BM_Npz(benchmark::State& st, bool deflated, bool fold) {
  const fs::path& p = npz_file(deflated);
  for (auto _ : st) {
    auto c = metricaudit::audit::read_npz(p);
    if (fold) {
      metricaudit::MulticlassBatch b;
      b.target = c.arrays.at("target").view();
      b.scores = c.arrays.at("logits").view();
      metricaudit::StateOptions o;
      o.num_classes = kDumpClasses;
      auto s = metricaudit::evaluate(b, o);
      benchmark::DoNotOptimize(s.samples);
    }
    benchmark::DoNotOptimize(c);
  }
  st.SetBytesProcessed(st.iterations() * dump_rows() * kDumpClasses * 4);
  st.counters["file_MB"] = static_cast<double>(fs::file_size(p)) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  struct Text {
    const char* name;
    Writer w;
    const char* format;
  };
  const Text texts[] = {
      {"keras_progress.log", write_keras_progress, "keras-progress"},
      {"lightning_metrics.csv", write_lightning_csv, "lightning-csv"},
      {"keras_csvlogger.csv", write_keras_csv, "keras-csv"},
      {"metrics.jsonl", write_jsonl, "jsonl"},
  };
  for (const auto& t : texts) {
    benchmark::RegisterBenchmark(
        (std::string("read_text_log/") + t.format).c_str(),
        [t](benchmark::State& st) { BM_TextLog(st, t.name, t.w, t.format); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(2);
  }
  benchmark::RegisterBenchmark("read_npy/f32", BM_Npy)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(3);
  for (const bool deflated : {false, true}) {
    for (const bool fold : {false, true}) {
      const std::string name = std::string(fold ? "npz_fold" : "read_npz") +
                               (deflated ? "/f32_deflated" : "/f32_stored");
      benchmark::RegisterBenchmark(
          name.c_str(), [deflated, fold](benchmark::State& st) { BM_Npz(st, deflated, fold); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->Iterations(3);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
