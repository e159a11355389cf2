// The terminal report. Layout decisions only: which columns, how wide, what colour.
// Widths are computed from the content so that the tables stay readable at 100
// columns; the free-text column (explaining conventions) wraps in what is left.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "format.hpp"
#include "metricaudit/audit/report_writers.hpp"
#include "metricaudit/audit/rules.hpp"
#include "text_style.hpp"

namespace metricaudit::audit {
namespace {

using detail::join;
using detail::kWidth;
using detail::pad_left;
using detail::pad_right;
using detail::Palette;
using detail::write_list;
using detail::write_paragraph;

std::string optional_int(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string("-");
}

// How a point's row is marked. This restates the report (is the implied convention
// among those that explain the value?); the verdicts themselves are the findings.
enum class Mark { implied, other, none };

Mark mark_of(const PointResult& p) {
  if (p.explained_by.empty()) return Mark::none;
  const bool implied = std::find(p.explained_by.begin(), p.explained_by.end(), p.expected_id) !=
                       p.explained_by.end();
  return implied ? Mark::implied : Mark::other;
}

void write_header(const AuditReport& r, std::ostream& out, const Palette& c) {
  out << c.bold << "metricaudit" << c.reset;
  if (!r.tool_version.empty()) out << ' ' << r.tool_version;
  out << '\n';
  for (std::size_t i = 0; i < r.logs.size(); ++i) {
    out << "  log:         " << r.logs[i];
    if (i < r.log_formats.size() && !r.log_formats[i].empty()) {
      out << c.dim << " (" << r.log_formats[i] << ')' << c.reset;
    }
    out << '\n';
  }
  out << "  predictions: "
      << (r.predictions.empty() ? std::string("(none: log-only rules)") : r.predictions) << '\n';
}

std::string shorten(const std::string& file, const std::string& common_dir) {
  return !common_dir.empty() && file.starts_with(common_dir) ? file.substr(common_dir.size())
                                                             : file;
}

void write_points(const AuditReport& r, std::ostream& out, const Palette& c) {
  if (r.points.empty()) return;

  // Group rows by metric (and split and kind, which a name normally fixes, and log file,
  // since two logs of one run print the same metric at different precisions) in order
  // of first appearance: one small table per logged metric.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::vector<Key> order;
  std::map<Key, std::vector<const PointResult*>> groups;
  for (const PointResult& p : r.points) {
    Key key{p.metric, std::string(split_name(p.point.split)), p.kind, p.file};
    auto [it, inserted] = groups.try_emplace(key);
    if (inserted) order.push_back(key);
    it->second.push_back(&p);
  }

  // With several logs, each table names its log relative to the folder they share (the
  // header lists them in full).
  std::string common_dir;
  if (r.logs.size() > 1) {
    common_dir = r.logs.front().substr(0, r.logs.front().rfind('/') + 1);
    for (const std::string& log : r.logs) {
      while (!common_dir.empty() && !log.starts_with(common_dir)) {
        common_dir.pop_back();
        common_dir.erase(common_dir.rfind('/') == std::string::npos ? 0
                                                                    : common_dir.rfind('/') + 1);
      }
    }
  }

  // Column widths over every row so that all the tables line up.
  std::size_t w_epoch = 5, w_step = 4, w_logged = 6, w_recomputed = 10;
  for (const PointResult& p : r.points) {
    w_epoch = std::max(w_epoch, optional_int(p.point.epoch).size());
    w_step = std::max(w_step, optional_int(p.point.step).size());
    w_logged = std::max(w_logged, detail::format_value(p.point.value, p.point.precision).size());
    if (p.expected) {
      w_recomputed =
          std::max(w_recomputed, detail::format_value(*p.expected, p.point.precision).size());
    }
  }
  // "  ok  " + columns separated by two spaces; the rest is for the explaining conventions.
  const std::size_t prefix = 2 + 2 + 2 + w_epoch + 2 + w_step + 2 + w_logged + 2 + w_recomputed + 2;
  const std::size_t w_explained = prefix + 20 <= kWidth ? kWidth - prefix : 20;

  out << '\n' << c.bold << "Logged values, recomputed from the predictions" << c.reset << '\n';
  out << c.dim
      << "  recomputed: under the convention the metric's name implies. "
         "ok: that convention explains\n  the logged value; !!: only other conventions do; "
         "??: no known convention does.\n"
      << c.reset;

  for (const Key& key : order) {
    const auto& rows = groups.at(key);
    const PointResult& first = *rows.front();
    std::string details = "(split " + std::string(split_name(first.point.split)) + ", " +
                          (first.kind.empty() ? "?" : first.kind) + ", implied " +
                          (first.expected_id.empty() ? "-" : first.expected_id);
    if (r.logs.size() > 1) details += ", " + shorten(first.file, common_dir);
    details += ")";
    // The details follow the name, or go on the next line when both do not fit.
    const std::size_t name_width = detail::display_width(first.metric);
    out << '\n' << c.bold << first.metric << c.reset;
    if (name_width + 2 + detail::display_width(details) <= kWidth) {
      out << "  " << c.dim << details << c.reset << '\n';
    } else {
      out << '\n';
      for (const std::string& line : detail::wrap(details, kWidth - 2)) {
        out << "  " << c.dim << line << c.reset << '\n';
      }
    }
    out << "      " << pad_left("epoch", w_epoch) << "  " << pad_left("step", w_step) << "  "
        << pad_right("logged", w_logged) << "  " << pad_right("recomputed", w_recomputed)
        << "  explained by\n";
    for (const PointResult* p : rows) {
      const Mark m = mark_of(*p);
      const char* colour = m == Mark::implied ? c.green : m == Mark::other ? c.yellow : c.red;
      const char* text = m == Mark::implied ? "ok" : m == Mark::other ? "!!" : "??";
      const std::string explained =
          p->explained_by.empty() ? std::string("(none)") : join(p->explained_by, ", ");
      const std::vector<std::string> lines = detail::wrap(explained, w_explained);
      out << "  " << colour << text << c.reset << "  "
          << pad_left(optional_int(p->point.epoch), w_epoch) << "  "
          << pad_left(optional_int(p->point.step), w_step) << "  "
          << pad_right(detail::format_value(p->point.value, p->point.precision), w_logged) << "  "
          << pad_right(p->expected ? detail::format_value(*p->expected, p->point.precision) : "-",
                       w_recomputed)
          << "  " << colour << lines.front() << c.reset << '\n';
      for (std::size_t i = 1; i < lines.size(); ++i) {
        out << std::string(prefix, ' ') << colour << lines[i] << c.reset << '\n';
      }
    }
  }
}

// A finding's logged and expected values printed like the logged point they come from
// (the report locates it by file and line); %.6g when no point matches.
std::string finding_value(const AuditReport& r, const Finding& f, double value) {
  for (const PointResult& p : r.points) {
    if (p.metric == f.metric && p.file == f.file && p.point.line == f.line &&
        p.point.offset == f.offset) {
      return detail::format_value(value, p.point.precision);
    }
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

void write_findings(const AuditReport& r, std::ostream& out, const Palette& c) {
  out << '\n' << c.bold << "Findings (" << r.findings.size() << ")" << c.reset << '\n';
  if (r.findings.empty()) {
    out << "  none\n";
    return;
  }
  for (const Finding& f : r.findings) {
    std::string name = f.name;
    if (name.empty()) {
      if (const RuleInfo* info = find_rule(f.rule)) name = info->name;
    }
    out << '\n'
        << "  " << c.bold << f.rule << c.reset << "  " << c.severity(f.severity)
        << severity_name(f.severity) << c.reset << "  " << name << '\n';

    std::string where = f.metric;
    if (!f.split.empty()) where += " [" + f.split + "]";
    if (!f.epochs.empty()) {
      where += (f.epochs.size() == 1 ? " epoch " : " epochs ") + detail::format_ranges(f.epochs);
    }
    if (!f.steps.empty()) {
      where += (f.steps.size() == 1 ? " step " : " steps ") + detail::format_ranges(f.steps);
    }
    write_paragraph(out, "", where, 4, "", "");
    if (!f.file.empty()) {
      std::string at = f.file;
      if (f.line > 0) {
        at += ":" + std::to_string(f.line);
      } else if (f.offset > 0) {
        at += "@" + std::to_string(f.offset);
      }
      out << "    " << c.dim << "at " << at << c.reset << '\n';
    }

    std::vector<std::string> facts;
    if (f.logged) facts.push_back("logged " + finding_value(r, f, *f.logged));
    if (!f.explained_by.empty()) facts.push_back("explained by " + f.explained_by);
    if (!f.expected_convention.empty()) {
      std::string expected = f.expected_convention;
      expected += f.expected ? " gives " + finding_value(r, f, *f.expected) : " was meant";
      facts.push_back(expected);
    }
    if (!facts.empty()) write_paragraph(out, "", join(facts, "; "), 4, "", "");
    if (!f.message.empty()) write_paragraph(out, "", f.message, 4, "", "");
    if (!f.fix.empty()) write_paragraph(out, "fix: ", f.fix, 4, c.green, c.reset);
  }
}

void write_summary(const AuditReport& r, std::ostream& out, const Palette& c) {
  std::size_t by_severity[3] = {0, 0, 0};
  for (const Finding& f : r.findings) ++by_severity[static_cast<int>(f.severity)];
  std::string counts;
  const char* names[3] = {"note", "warning", "error"};
  for (int s = 2; s >= 0; --s) {
    if (by_severity[s] == 0) continue;
    if (!counts.empty()) counts += ", ";
    counts += std::to_string(by_severity[s]) + " " + names[s] + (by_severity[s] == 1 ? "" : "s");
  }
  out << '\n'
      << c.bold << "Summary:" << c.reset << ' ' << r.findings.size()
      << (r.findings.size() == 1 ? " finding" : " findings");
  if (!counts.empty()) out << " (" << counts << ")";
  out << "; " << r.points.size() << (r.points.size() == 1 ? " value" : " values") << " recomputed; "
      << r.undecided.size() << " undecided.\n";
}

}  // namespace

void write_text(const AuditReport& report, std::ostream& out, bool colour, bool points_table) {
  const Palette c = Palette::make(colour);
  write_header(report, out, c);
  if (points_table) write_points(report, out, c);
  write_findings(report, out, c);
  write_list(out, c, "Undecided: not checked", report.undecided);
  write_list(out, c, "Warnings", report.warnings);
  write_summary(report, out, c);
}

}  // namespace metricaudit::audit
