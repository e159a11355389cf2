// Shared helpers of the text log readers: error and warning messages, text cleaning
// (UTF-8, ANSI escapes, blanks, BOM), the points' reservation and split naming. Records
// are in record_reader.hpp, numbers in numbers.hpp, CSV in csv.hpp; what belongs to one
// format lives in its reader. Private to audit/readers (the tests include it to check the
// helpers directly).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "metricaudit/audit/epoch_series.hpp"  // lightning_per_step
#include "metricaudit/audit/logged_series.hpp"
#include "metricaudit/audit/text_log_readers.hpp"

namespace metricaudit::audit::detail {

/// Throws InputError "file:line: message".
[[noreturn]] void fail(std::string_view file, std::int64_t line, std::string_view message);

/// Opens a log file for reading, or throws InputError "file:1: cannot open the file: why".
std::ifstream open_log_file(const std::filesystem::path& path);

/// `text` quoted for a message: at most 40 bytes, control and non-ASCII bytes as \xNN.
std::string quote_text(std::string_view text);

/// `words` joined with `separator`, the last two with `last` when it is given
/// ("a, b or c").
std::string join_words(std::span<const std::string_view> words, std::string_view separator,
                       std::string_view last = {});

/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

/// True when `text` is valid UTF-8; otherwise *bad_at is the offset of the first bad byte.
bool valid_utf8(std::string_view text, std::size_t* bad_at);

/// Removes ANSI escape sequences (CSI "ESC [ ... final" and two-byte "ESC x") from text,
/// writing into `scratch` only when there is one. Returns the cleaned view.
std::string_view strip_ansi(std::string_view text, std::string& scratch);

std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);

/// Strips a UTF-8 byte order mark.
std::string_view strip_bom(std::string_view s);

/// Reserves a reader's point vector once from the rate seen in the first MiB and the
/// stream's size: a dense 1 GB CSV gives ~50-80 million points of 56 bytes, and growing
/// the vector by doubling would move them all again and touch twice the memory.
class PointReserver {
 public:
  /// Measures the bytes left in `in` when it can seek (a file); otherwise does nothing.
  explicit PointReserver(std::istream& in);
  /// Call with the bytes consumed so far (a record's offset); cheap until the sample is in.
  void check(std::vector<LoggedPoint>& points, std::int64_t consumed) {
    if (consumed >= kSample && !done_) reserve(points, consumed);
  }

 private:
  static constexpr std::int64_t kSample = std::int64_t{1} << 20;
  void reserve(std::vector<LoggedPoint>& points, std::int64_t consumed);
  std::int64_t total_ = -1;
  bool done_ = false;
};

/// Collects warnings up to a cap, then counts the rest.
class WarningSink {
 public:
  WarningSink(std::vector<std::string>& out, std::string_view file, std::size_t cap)
      : out_(out), file_(file), cap_(cap) {}
  void add(std::int64_t line, std::string_view message);
  /// Appends "... and N more warnings" when some were dropped.
  void finish();

 private:
  std::vector<std::string>& out_;
  std::string_view file_;
  std::size_t cap_;
  std::size_t dropped_ = 0;
};

/// A reader's index of its run's metric names (LoggedRun::metrics): one hash lookup per
/// name read, the name stored once.
class MetricNames {
 public:
  explicit MetricNames(LoggedRun& run) : run_(run) {}
  MetricId id(std::string_view name) {
    const auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    const auto id = static_cast<MetricId>(run_.metrics.size());
    run_.metrics.emplace_back(name);
    index_.emplace(std::string(name), id);
    return id;
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  LoggedRun& run_;
  std::unordered_map<std::string, MetricId, Hash, std::equal_to<>> index_;
};

/// Appends the point `metric` = `value` (printed with `precision`) read at `line` /
/// `offset` of the run's file, built in place (no temporary to move); the caller sets the
/// epoch, step and flags.
inline LoggedPoint& add_point(LoggedRun& run, MetricId metric, Split split, double value,
                              const Precision& precision, std::int64_t line, std::int64_t offset) {
  LoggedPoint& p = run.points.emplace_back();
  p.metric_id = metric;
  p.split = split;
  p.value = value;
  p.precision = precision;
  p.line = line;
  p.offset = offset;
  return p;
}

}  // namespace metricaudit::audit::detail
