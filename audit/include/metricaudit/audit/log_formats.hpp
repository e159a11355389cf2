// The log-format registry: one row per format the audit reads, and the only list of
// them. Format detection, the command's --log-format choices, the order in which a run
// directory's logs are read, the messages that list formats and the fuzz harnesses all
// read these rows; a new reader adds its row to the table in audit/readers/log_formats.cpp
// and nothing else lists it.
//
// Detection (detect_log_format): every row's sniff looks at the candidate (its name, the
// first 64 KiB of a file, or a directory); the row whose evidence starts earliest in the
// file wins, ties going to the lower `precedence`. Name rules and magic numbers answer at
// offset 0 before any content is read (a "tfevents" name is TensorBoard even when
// unreadable, "trainer_state.json" is Hugging Face's). A directory row claims a folder
// (an MLflow store) that is then read as one log.
#pragma once

#include <cstddef>
#include <filesystem>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/logged_series.hpp"
#include "metricaudit/audit/text_log_readers.hpp"

namespace metricaudit::audit {

/// What a sniff is shown: a file's name and first bytes, or a directory.
struct LogCandidate {
  std::filesystem::path path;
  /// The first 64 KiB of a file; empty for a directory, and empty in the first round of
  /// detection, when only name rules can answer.
  std::string_view head;
  bool directory = false;
  /// False in the first round of detection (the file is not opened yet).
  bool head_read = false;
};

/// What a reader reads: a file through a stream, or a directory.
struct LogSource {
  std::string name;                ///< the log as points and messages name it
  std::filesystem::path path;      ///< on disk; empty for an in-memory stream
  std::istream* stream = nullptr;  ///< a file's bytes from its start; null for a directory
};

enum class LogKind {
  text,       ///< a text file, read through read_text_log too
  binary,     ///< a binary file (TensorBoard)
  directory,  ///< a folder of files read as one log
};

struct LogFormat {
  std::string_view name;  ///< "keras-csv": --log-format, LoggedRun::format, reports
  LogKind kind = LogKind::text;
  /// Order in which a run directory's logs are read, lowest first: 0 structured logs with
  /// explicit epochs, 1 other structured logs, 2 text captured from a terminal. The first
  /// log read is the one a finding's location names.
  int rank = 2;
  /// Breaks a tie between two formats whose evidence starts at the same byte: lowest wins.
  int precedence = 0;
  /// How the format looks, for the "cannot tell the log format" message.
  std::string_view looks_like;
  /// What the format is called in "no training log found (looked for ...)".
  std::string_view called;
  /// Where the first evidence of this format starts in the candidate (a byte offset into
  /// the head; 0 for a name rule or a magic number), or nullopt when there is none.
  std::optional<std::size_t> (*sniff)(const LogCandidate&) = nullptr;
  /// Reads the log. Most formats give one run; a file may hold several (pasted blocks).
  /// Throws InputError naming the file (and line or offset) for malformed input.
  std::vector<LoggedRun> (*read)(const LogSource&, const TextLogOptions&) = nullptr;
  /// True for a file that another file of the same run, inside the folder being walked
  /// (`root`), holds in full (Hugging Face's checkpoint-N/trainer_state.json beside a
  /// later state, eval_results.json beside all_results.json): a run directory's walk does
  /// not read it, so no value is read twice. Named on its own, or the newest inside the
  /// walked folder, such a file is read. nullptr: never.
  bool (*superseded)(const std::filesystem::path& file,
                     const std::filesystem::path& root) = nullptr;
};

/// Every row, in the order the command lists them.
std::span<const LogFormat> log_formats();

/// The row named `name`, or nullptr.
const LogFormat* find_log_format(std::string_view name);

/// The names in list order joined with `separator` ("keras-progress, keras-csv, ...");
/// with `last` given, the final two are joined with it instead (" or ").
std::string log_format_names(std::string_view separator = ", ", std::string_view last = {});

/// Each distinct `looks_like` of the rows that read files, in list order, the last two
/// joined with " or " (what the "cannot tell the log format" message of a file expects).
std::string log_format_looks();

/// Each distinct `called` in list order, joined with ", " (what a run directory was
/// searched for).
std::string log_format_kinds();

/// The format of a candidate: the row whose sniff answers earliest (see above), or
/// nullptr when none does.
const LogFormat* sniff_log_format(const LogCandidate& candidate);

/// The row that a name rule ("trainer_state.json", "tfevents") or a directory's layout (an
/// MLflow store) gives `path` before any content is read; nullptr when only the content
/// could tell, that is when detection guesses from the first bytes.
const LogFormat* format_by_name(const std::filesystem::path& path);

/// The row for `format`, or for the format detect_log_format finds when it is "auto";
/// nullptr for an unknown name.
const LogFormat* resolve_log_format(const std::filesystem::path& path, std::string_view format);

/// Reads a log file or directory in `format` ("auto" detects it first) with its row's
/// reader; each run's `format` and `file` are set from the row and the path. Throws
/// InputError for malformed input and InvalidArgument for an unknown format.
std::vector<LoggedRun> read_log(const std::filesystem::path& path, std::string_view format = "auto",
                                const TextLogOptions& options = {});

/// What a log that gave no value holds, for the message that says so: "it starts with
/// 'first line'" for a text file, "it holds N bytes" for a binary one, "a directory
/// holding N files" (counted through its subfolders).
std::string describe_log_start(const std::filesystem::path& path, const LogFormat& format);

namespace detail {
/// A row's `read` for a reader that turns one stream into one run.
template <LoggedRun (*Read)(std::istream&, std::string_view, const TextLogOptions&)>
std::vector<LoggedRun> read_stream(const LogSource& source, const TextLogOptions& options) {
  std::vector<LoggedRun> runs;
  runs.push_back(Read(*source.stream, source.name, options));
  return runs;
}
}  // namespace detail

}  // namespace metricaudit::audit
