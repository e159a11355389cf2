// The log-format registry (log_formats.hpp): the table of formats, detection over it,
// and reading through it. A new reader defines its row in its own file and adds it here.
#include "metricaudit/audit/log_formats.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "metricaudit/error.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit {

// What each reader gives the table; defined in its own file.
namespace detail {
using Sniff = std::optional<std::size_t>(const LogCandidate&);
using ReadStream = LoggedRun(std::istream&, std::string_view, const TextLogOptions&);
using Superseded = bool(const std::filesystem::path&, const std::filesystem::path&);
Sniff sniff_keras_progress, sniff_keras_csv, sniff_lightning_csv, sniff_tqdm, sniff_jsonl,
    sniff_tensorboard, sniff_pasted, sniff_hf_trainer, sniff_hf_results, sniff_mlflow;
ReadStream read_keras_progress, read_keras_csv, read_lightning_csv, read_tqdm, read_jsonl,
    read_hf_trainer, read_hf_results;
Superseded superseded_hf_trainer, superseded_hf_results;
std::vector<LoggedRun> read_tensorboard_log(const LogSource&, const TextLogOptions&);
std::vector<LoggedRun> read_pasted(const LogSource&, const TextLogOptions&);
std::vector<LoggedRun> read_mlflow(const LogSource&, const TextLogOptions&);
}  // namespace detail

namespace {

using detail::read_stream;

// The rows, in the order the command lists them (--log-format, messages). rank: the order
// a run directory's logs are read in (0 structured with explicit epochs, 1 structured,
// 2 terminal text); precedence breaks a tie between evidence at the same byte (a name
// rule of the Hugging Face files against the "{" that JSON lines also start with).
constexpr LogFormat kFormats[] = {
    // name, kind, rank, precedence, looks_like, called, sniff, read[, superseded]
    {"keras-progress", LogKind::text, 2, 5,
     "a Keras progress bar ('Epoch 1/10', '1875/1875 [===...')", "Keras progress output",
     detail::sniff_keras_progress, read_stream<detail::read_keras_progress>},
    {"keras-csv", LogKind::text, 0, 4, "a CSV header with an 'epoch' or 'step' column",
     "Keras/Lightning CSV", detail::sniff_keras_csv, read_stream<detail::read_keras_csv>},
    {"lightning-csv", LogKind::text, 0, 4, "a CSV header with an 'epoch' or 'step' column",
     "Keras/Lightning CSV", detail::sniff_lightning_csv, read_stream<detail::read_lightning_csv>},
    {"tqdm", LogKind::text, 2, 6, "a tqdm bar ('Epoch 0: 100%|...')", "tqdm output",
     detail::sniff_tqdm, read_stream<detail::read_tqdm>},
    {"jsonl", LogKind::text, 1, 3, "JSON lines", "JSON lines", detail::sniff_jsonl,
     read_stream<detail::read_jsonl>},
    {"tensorboard", LogKind::binary, 1, 0, "a TensorBoard event file", "TensorBoard events",
     detail::sniff_tensorboard, detail::read_tensorboard_log},
    {"pasted", LogKind::text, 2, 7,
     "pasted per-epoch lines ('loss: 0.1162 - accuracy: 0.9580', '[acc=0.934, loss=0.134]')",
     "pasted per-epoch lines", detail::sniff_pasted, detail::read_pasted},
    {"hf-trainer", LogKind::text, 0, 1,
     "a Hugging Face trainer_state.json (a JSON object with \"log_history\")",
     "Hugging Face trainer_state.json", detail::sniff_hf_trainer,
     read_stream<detail::read_hf_trainer>, detail::superseded_hf_trainer},
    {"hf-results", LogKind::text, 1, 2, "a Hugging Face <split>_results.json",
     "Hugging Face *_results.json", detail::sniff_hf_results, read_stream<detail::read_hf_results>,
     detail::superseded_hf_results},
    {"mlflow", LogKind::directory, 1, 0,
     "an MLflow file store (mlruns/<experiment>/<run>/metrics/<key>)", "MLflow runs",
     detail::sniff_mlflow, detail::read_mlflow},
};

}  // namespace

std::span<const LogFormat> log_formats() {
  return kFormats;
}

const LogFormat* find_log_format(std::string_view name) {
  for (const LogFormat& f : kFormats) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string log_format_names(std::string_view separator, std::string_view last) {
  std::vector<std::string_view> names;
  for (const LogFormat& f : kFormats) names.push_back(f.name);
  return detail::join_words(names, separator, last);
}

namespace {

// Each distinct text of a row field, in list order ("a CSV header ..." stands for both
// CSV formats); with `files_only`, of the rows that read files.
template <class Field>
std::vector<std::string_view> distinct(Field field, bool files_only = false) {
  std::vector<std::string_view> out;
  for (const LogFormat& f : kFormats) {
    if (files_only && f.kind == LogKind::directory) continue;
    const std::string_view text = field(f);
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  return out;
}

}  // namespace

std::string log_format_looks() {
  return detail::join_words(distinct([](const LogFormat& f) { return f.looks_like; }, true), ", ",
                            " or ");
}

std::string log_format_kinds() {
  return detail::join_words(distinct([](const LogFormat& f) { return f.called; }), ", ");
}

const LogFormat* sniff_log_format(const LogCandidate& candidate) {
  const LogFormat* best = nullptr;
  std::size_t best_at = 0;
  for (const LogFormat& f : kFormats) {
    const std::optional<std::size_t> at = f.sniff(candidate);
    if (!at) continue;
    if (best == nullptr || *at < best_at || (*at == best_at && f.precedence < best->precedence)) {
      best = &f;
      best_at = *at;
    }
  }
  return best;
}

const LogFormat* format_by_name(const std::filesystem::path& path) {
  std::error_code ec;
  const bool directory = std::filesystem::is_directory(path, ec);
  return sniff_log_format(LogCandidate{path, {}, directory, directory});
}

const LogFormat* resolve_log_format(const std::filesystem::path& path, std::string_view format) {
  return format == "auto" ? find_log_format(detect_log_format(path)) : find_log_format(format);
}

std::vector<LoggedRun> read_log(const std::filesystem::path& path, std::string_view format,
                                const TextLogOptions& options) {
  const std::string name = path.string();
  const LogFormat* row = resolve_log_format(path, format);
  if (row == nullptr) {
    throw InvalidArgument("unknown log format \"" + std::string(format) + "\"; expected auto, " +
                          log_format_names(", ", " or "));
  }
  LogSource source{name, path, nullptr};
  std::ifstream in;
  if (row->kind == LogKind::text) {
    in = detail::open_log_file(path);
    source.stream = &in;
  }
  std::vector<LoggedRun> runs = row->read(source, options);
  for (LoggedRun& run : runs) {
    run.format = row->name;
    if (run.file.empty()) run.file = name;
  }
  return runs;
}

std::string describe_log_start(const std::filesystem::path& path, const LogFormat& format) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // How much is there: a store of runs that logged nothing reads differently from an
    // empty folder. Counted up to a bound, so a huge tree costs nothing noticeable.
    constexpr std::size_t kCountUpTo = 10000;
    std::size_t files = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator() && files < kCountUpTo;
         it.increment(ec)) {
      if (it->is_regular_file(ec)) ++files;
    }
    return "a directory holding " + std::string(files >= kCountUpTo ? "over " : "") +
           std::to_string(files) + (files == 1 ? " file" : " files");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return "an unreadable file";
  const std::string bytes = "it holds " + std::to_string(size) + " bytes";
  if (format.kind != LogKind::text || size == 0) return bytes;
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const auto first = detail::first_nonblank_line(head);
  if (!first) return bytes + ", all blank";
  return bytes + " and starts with " + detail::quote_text(first->text);
}

namespace detail {

std::string join_words(std::span<const std::string_view> words, std::string_view separator,
                       std::string_view last) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += !last.empty() && i + 1 == words.size() ? last : separator;
    out += words[i];
  }
  return out;
}

}  // namespace detail

}  // namespace metricaudit::audit
