// Format detection and the read_text_log entry points, over the registry (log_formats.hpp).
#include "metricaudit/audit/text_log_readers.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/log_formats.hpp"
#include "metricaudit/error.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit {
namespace {

constexpr std::size_t kHeadBytes = std::size_t{64} << 10;

[[noreturn]] void reject_format(std::string_view file_name, std::string_view format,
                                const LogFormat* row) {
  if (row != nullptr && row->kind == LogKind::binary) {
    throw InvalidArgument(std::string(file_name) + " is " + std::string(row->looks_like) +
                          " (binary); read it with read_tensorboard (audit/readers_binary), not "
                          "read_text_log");
  }
  if (row != nullptr) {
    throw InvalidArgument(std::string(file_name) + ": \"" + std::string(format) +
                          "\" is a directory format; read it with read_log, not read_text_log");
  }
  std::vector<std::string_view> names = {"auto"};
  for (const LogFormat& f : log_formats()) {
    if (f.kind == LogKind::text) names.push_back(f.name);
  }
  throw InvalidArgument("unknown log format \"" + std::string(format) + "\"; expected " +
                        detail::join_words(names, ", ", " or "));
}

}  // namespace

std::string detect_log_format(std::string_view head, std::string_view file_name) {
  LogCandidate candidate{std::filesystem::path(file_name), {}, false, false};
  // Name rules first: they hold even for a file that cannot be read.
  if (const LogFormat* f = sniff_log_format(candidate)) return std::string(f->name);
  const std::string name(file_name);
  if (head.empty()) detail::fail(name, 1, "empty file; expected a training log");
  candidate.head = head;
  candidate.head_read = true;
  if (const LogFormat* f = sniff_log_format(candidate)) return std::string(f->name);
  detail::fail(name, 1,
               "cannot tell the log format from the first " +
                   std::to_string(detail::strip_bom(head).size()) + " bytes; expected " +
                   log_format_looks());
}

std::string detect_log_format(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    const LogCandidate candidate{path, {}, true, true};
    if (const LogFormat* f = sniff_log_format(candidate)) return std::string(f->name);
    throw InputError(name + ": a directory that no reader recognises; expected a log file");
  }
  if (const LogFormat* f = sniff_log_format({path, {}, false, false})) return std::string(f->name);
  std::ifstream in = detail::open_log_file(path);
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
  const LogFormat* row = find_log_format(format);
  if (row == nullptr || row->kind != LogKind::text) reject_format(file_name, format, row);
  std::vector<LoggedRun> runs = row->read(LogSource{std::string(file_name), {}, &in}, options);
  // A file that holds several runs (pasted blocks) gives their points in one LoggedRun
  // here; read_log keeps them apart.
  LoggedRun run = runs.empty() ? LoggedRun{} : std::move(runs.front());
  for (std::size_t i = 1; i < runs.size(); ++i) {
    // Each block has its own name table: its points take the ids of the merged run's.
    std::vector<MetricId> ids;
    for (const std::string& metric : runs[i].metrics) ids.push_back(run.metric_id(metric));
    for (LoggedPoint& p : runs[i].points) p.metric_id = ids[p.metric_id];
    run.points.insert(run.points.end(), std::make_move_iterator(runs[i].points.begin()),
                      std::make_move_iterator(runs[i].points.end()));
    run.warnings.insert(run.warnings.end(), runs[i].warnings.begin(), runs[i].warnings.end());
  }
  run.format = row->name;
  run.file.assign(file_name);
  return run;
}

LoggedRun read_text_log(const std::filesystem::path& path, std::string_view format,
                        const TextLogOptions& options) {
  const std::string name = path.string();
  const LogFormat* row = resolve_log_format(path, format);
  if (row == nullptr || row->kind != LogKind::text) reject_format(name, format, row);
  std::ifstream in = detail::open_log_file(path);
  return read_text_log(in, name, row->name, options);
}

}  // namespace metricaudit::audit
