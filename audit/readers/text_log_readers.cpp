// Format detection and the read_text_log entry points.
#include "metricaudit/audit/text_log_readers.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/error.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit {
namespace {

constexpr std::size_t kHeadBytes = std::size_t{64} << 10;

// TFRecord framing (tensorflow/core/lib/io/record_writer.cc): uint64 length, then the
// masked CRC-32C of those 8 bytes; mask ((crc >> 15) | (crc << 17)) + 0xA282EAD8.
bool looks_like_tfrecord(std::string_view head) {
  if (head.size() < 12) return false;
  const auto* b = reinterpret_cast<const unsigned char*>(head.data());
  const std::uint32_t crc = detail::crc32c_bytes(b, 8);
  const std::uint32_t masked = ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
  const std::uint32_t stored =
      static_cast<std::uint32_t>(b[8]) | (static_cast<std::uint32_t>(b[9]) << 8) |
      (static_cast<std::uint32_t>(b[10]) << 16) | (static_cast<std::uint32_t>(b[11]) << 24);
  return masked == stored;
}

// The format a CSV header line names, or empty.
std::string csv_format(std::string_view line) {
  char sep = 0;
  for (char c : {',', ';', '\t'}) {
    if (line.find(c) != std::string_view::npos) {
      sep = c;
      break;
    }
  }
  if (sep == 0) return line == "epoch" ? "keras-csv" : "";
  bool epoch = false;
  bool step = false;
  bool lightning_names = false;
  bool first_is_epoch = false;
  std::size_t i = 0;
  for (std::size_t col = 0;; ++col) {
    const std::size_t s = line.find(sep, i);
    std::string_view cell = line.substr(i, s == std::string_view::npos ? line.size() - i : s - i);
    if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
      cell = cell.substr(1, cell.size() - 2);
    if (cell == "epoch") {
      epoch = true;
      first_is_epoch = first_is_epoch || col == 0;
    }
    if (cell == "step") step = true;
    if (cell.ends_with("_step") || cell.ends_with("_epoch") ||
        cell.find('/') != std::string_view::npos)
      lightning_names = true;
    if (s == std::string_view::npos) break;
    i = s + 1;
  }
  if (step || (epoch && (lightning_names || !first_is_epoch))) return "lightning-csv";
  if (first_is_epoch) return "keras-csv";
  return "";
}

bool is_text_format(std::string_view format) {
  return format == "keras-progress" || format == "keras-csv" || format == "lightning-csv" ||
         format == "tqdm" || format == "jsonl";
}

[[noreturn]] void reject_format(std::string_view file_name, std::string_view format) {
  if (format == "tensorboard") {
    throw InvalidArgument(std::string(file_name) +
                          " is a TensorBoard event file (binary); read it with read_tensorboard "
                          "(audit/readers_binary), not read_text_log");
  }
  throw InvalidArgument("unknown log format \"" + std::string(format) +
                        "\"; expected auto, keras-progress, keras-csv, lightning-csv, tqdm or "
                        "jsonl");
}

}  // namespace

std::string detect_log_format(std::string_view head, std::string_view file_name) {
  if (file_name.find("tfevents") != std::string_view::npos) return "tensorboard";
  if (looks_like_tfrecord(head)) return "tensorboard";
  const std::string name(file_name);
  if (head.empty()) detail::fail(name, 1, "empty file; expected a training log");
  head = detail::strip_bom(head);

  // The first non-blank line decides the line-structured formats.
  std::string_view first;
  std::size_t pos = 0;
  while (pos < head.size()) {
    const std::size_t nl = head.find('\n', pos);
    const std::string_view line =
        head.substr(pos, nl == std::string_view::npos ? head.size() - pos : nl - pos);
    if (!detail::trim(line).empty()) {
      first = detail::trim(line);
      break;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (first.starts_with("{")) return "jsonl";
  if (first.find('\r') == std::string_view::npos && first.find('\b') == std::string_view::npos) {
    const std::string csv = csv_format(first);
    if (!csv.empty()) return csv;
  }

  // Progress-bar captures: the first record that is a Keras header/bar or a tqdm epoch bar.
  std::string scratch;
  pos = 0;
  while (pos < head.size()) {
    std::size_t end = head.find_first_of("\n\r\b", pos);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view text = detail::strip_ansi(head.substr(pos, end - pos), scratch);
    const std::string_view t = detail::trim_left(text);
    bool malformed = false;
    if (detail::keras_epoch_header(t, &malformed) || malformed) return "keras-progress";
    if (detail::starts_with_digit(t)) {
      if (const auto counter = detail::keras_counter(t)) {
        const std::string_view rest = t.substr(counter->rest);
        if (rest.find("/step") != std::string_view::npos || rest.find(" [") == 0 ||
            rest.find(" \xE2\x94\x81") == 0 || rest.find("ETA") != std::string_view::npos)
          return "keras-progress";
      }
    }
    std::size_t after = 0;
    if (detail::tqdm_epoch_prefix(t, &after)) {
      const std::string_view rest = t.substr(after);
      if (rest.find("%|") != std::string_view::npos || rest.find("it [") != std::string_view::npos)
        return "tqdm";
    }
    pos = end + 1;
  }
  detail::fail(name, 1,
               "cannot tell the log format from the first " + std::to_string(head.size()) +
                   " bytes; expected a Keras progress bar ('Epoch 1/10', '1875/1875 [===...'), "
                   "a CSV header with an 'epoch' or 'step' column, a tqdm bar ('Epoch 0: "
                   "100%|...'), JSON lines or a TensorBoard event file");
}

std::string detect_log_format(const std::filesystem::path& path) {
  const std::string name = path.string();
  if (name.find("tfevents") != std::string::npos) return "tensorboard";
  std::ifstream in(path, std::ios::binary);
  if (!in) detail::fail(name, 1, std::string("cannot open the file: ") + std::strerror(errno));
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  if (in.bad()) detail::fail(name, 1, "read error");
  head.resize(static_cast<std::size_t>(in.gcount()));
  return detect_log_format(std::string_view(head), name);
}

LoggedRun read_text_log(std::istream& in, std::string_view file_name, std::string_view format,
                        const TextLogOptions& options) {
  if (format == "auto") {
    // Detect from the head, then read the whole stream again from its start.
    std::string head(kHeadBytes, '\0');
    const auto start = in.tellg();
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    in.clear();
    in.seekg(start);
    if (!in) {
      throw InvalidArgument("read_text_log: format \"auto\" needs a seekable stream for " +
                            std::string(file_name));
    }
    const std::string detected = detect_log_format(head, file_name);
    return read_text_log(in, file_name, detected, options);
  }
  if (format == "keras-progress") return detail::read_keras_progress(in, file_name, options);
  if (format == "keras-csv") return detail::read_keras_csv(in, file_name, options);
  if (format == "lightning-csv") return detail::read_lightning_csv(in, file_name, options);
  if (format == "tqdm") return detail::read_tqdm(in, file_name, options);
  if (format == "jsonl") return detail::read_jsonl(in, file_name, options);
  reject_format(file_name, format);
}

LoggedRun read_text_log(const std::filesystem::path& path, std::string_view format,
                        const TextLogOptions& options) {
  const std::string name = path.string();
  if (format == "auto") {
    const std::string detected = detect_log_format(path);
    return read_text_log(path, detected, options);
  }
  if (!is_text_format(format)) reject_format(name, format);
  std::ifstream in(path, std::ios::binary);
  if (!in) detail::fail(name, 1, std::string("cannot open the file: ") + std::strerror(errno));
  return read_text_log(in, name, format, options);
}

}  // namespace metricaudit::audit
