// The compare report on a terminal. Layout only: the verdicts, numbers and sentences
// are the report's.
#include <array>
#include <cstdio>
#include <string>

#include "format.hpp"
#include "metricaudit/audit/compare_writers.hpp"
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

std::string signed_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.4f", v);
  return buf;
}

void write_run(const CompareRun& r, const char* label, std::ostream& out, const Palette& c) {
  out << "  " << c.bold << label << c.reset << ": " << r.path << '\n';
  std::vector<std::string> logs;
  for (std::size_t i = 0; i < r.logs.size(); ++i) {
    logs.push_back(r.logs[i] + (i < r.log_formats.size() ? " (" + r.log_formats[i] + ")" : ""));
  }
  write_paragraph(out, "logs: ", logs.empty() ? "(none)" : join(logs, ", "), 5, c.dim, c.reset);
  write_paragraph(out, "predictions: ",
                  r.predictions.empty() ? "(none: nothing can be read under a common convention)"
                                        : r.predictions,
                  5, c.dim, c.reset);
}

const char* verdict_colour(const Palette& c, Verdict v) {
  switch (v) {
    case Verdict::real:
      return c.red;
    case Verdict::convention:
      return c.yellow;
    case Verdict::negligible:
    case Verdict::noise:
      return c.green;
    case Verdict::undecided:
      return c.cyan;
  }
  return "";
}

std::string value_or_dash(const std::optional<double>& v, const Precision& p) {
  return v ? detail::format_value(*v, p) : std::string("-");
}

void write_comparison(const Comparison& k, std::ostream& out, const Palette& c) {
  std::string title = k.kind + " [" + (k.split.empty() ? "-" : k.split) + "]";
  title += k.epoch ? ", epoch " + std::to_string(*k.epoch) : ", no shared epoch";
  out << '\n'
      << c.bold << title << c.reset << c.dim << "   A " << k.a.metric << "  vs  B " << k.b.metric
      << c.reset << '\n';
  if (k.epoch) {
    const std::string common = "under " + (k.convention.empty() ? "-" : k.convention);
    std::size_t w_logged = 7, w_common = 7;
    for (const CompareSide* s : {&k.a, &k.b}) {
      w_logged = std::max(w_logged, value_or_dash(s->logged, s->precision).size());
      w_common = std::max(w_common, value_or_dash(s->common, s->precision).size());
    }
    out << "         " << pad_left("logged", w_logged) << "  " << pad_left("common", w_common)
        << "  " << c.dim << "explained by" << c.reset << '\n';
    for (const auto& [label, s] : {std::pair{"A", &k.a}, std::pair{"B", &k.b}}) {
      const std::string explained = s->explained_by.empty()
                                        ? (s->dump.empty() ? "(no dump)" : "(none)")
                                        : join(s->explained_by, ", ");
      const std::size_t prefix = 9 + w_logged + 2 + w_common + 2;
      const std::vector<std::string> lines = detail::wrap(explained, kWidth - prefix);
      out << "  " << pad_right(label, 7)
          << pad_left(value_or_dash(s->logged, s->precision), w_logged) << "  "
          << pad_left(value_or_dash(s->common, s->precision), w_common) << "  " << lines.front()
          << '\n';
      for (std::size_t i = 1; i < lines.size(); ++i)
        out << std::string(prefix, ' ') << lines[i] << '\n';
    }
    out << "  " << pad_right("B - A", 7)
        << pad_left(k.logged_difference ? signed_number(*k.logged_difference) : "-", w_logged)
        << "  " << pad_left(k.difference ? signed_number(*k.difference) : "-", w_common) << "  "
        << c.dim << common << c.reset << '\n';
    if (!k.test.empty()) {
      std::string test = k.test + (k.tested == "logged" ? " on the logged values" : "");
      if (k.p_value) test += ": p = " + detail::format_p(*k.p_value);
      if (k.ci95) {
        test += (k.p_value ? ", " : ": ") + std::string("95% CI [") + signed_number(k.ci95->low) +
                ", " + signed_number(k.ci95->high) + "]";
      }
      if (!k.pairing.empty()) test += " (" + k.pairing + ")";
      write_paragraph(out, "test: ", test, 2, c.dim, c.reset);
    }
  }
  if (k.verdict) {
    const std::string label = std::string(verdict_name(*k.verdict)) + ": ";
    write_paragraph(out, label, k.reason, 2, verdict_colour(c, *k.verdict), c.reset);
  }
}

void write_findings(const CompareRun& r, const char* label, std::ostream& out, const Palette& c) {
  for (const Finding& f : r.findings) {
    std::string name = f.name;
    if (name.empty()) {
      if (const RuleInfo* info = find_rule(f.rule)) name = info->name;
    }
    out << "  " << label << "  " << c.bold << f.rule << c.reset << "  " << c.severity(f.severity)
        << severity_name(f.severity) << c.reset << "  " << name << '\n';
    std::string where = f.metric + " [" + f.split + "]";
    if (!f.epochs.empty()) {
      where += (f.epochs.size() == 1 ? " epoch " : " epochs ") + detail::format_ranges(f.epochs);
    }
    if (!f.explained_by.empty()) where += ": " + f.explained_by;
    write_paragraph(out, "", where, 5, "", "");
    if (!f.fix.empty()) write_paragraph(out, "fix: ", f.fix, 5, c.green, c.reset);
  }
}

std::string judged_text(const CompareReport& r) {
  if (r.judged == "all") return "every epoch both runs logged";
  if (r.judged == "epoch" && r.judged_epoch) return "epoch " + std::to_string(*r.judged_epoch);
  return "the last epoch both runs logged, for each pair (--epoch E or --epoch all judge others)";
}

}  // namespace

void write_compare_text(const CompareReport& report, std::ostream& out, bool colour) {
  const Palette c = Palette::make(colour);
  out << c.bold << "metricaudit compare" << c.reset;
  if (!report.tool_version.empty()) out << ' ' << report.tool_version;
  out << '\n';
  write_run(report.a, "A", out, c);
  write_run(report.b, "B", out, c);
  write_paragraph(out, "",
                  "Differences are B - A. Judged: " + judged_text(report) +
                      "; alpha = " + detail::format_p(report.alpha) + ".",
                  2, "", "");

  std::array<std::size_t, kVerdicts.size()> counts{};
  std::size_t judged = 0;
  for (const Comparison& k : report.comparisons) {
    if (!k.judged) continue;
    write_comparison(k, out, c);
    if (k.verdict) {
      ++counts[static_cast<int>(*k.verdict)];
      ++judged;
    }
  }
  if (!report.a.findings.empty() || !report.b.findings.empty()) {
    out << '\n'
        << c.bold << "Findings of the runs" << c.reset << c.dim
        << " (metricaudit audit RUN shows each in full)" << c.reset << '\n';
    write_findings(report.a, "A", out, c);
    write_findings(report.b, "B", out, c);
  }
  write_list(out, c, "Notes", report.notes);
  write_list(out, c, "Logged by one run only", report.unpaired);
  write_list(out, c, "Warnings", report.warnings);
  const std::size_t others = report.comparisons.size() - judged;
  out << '\n' << c.bold << "Summary:" << c.reset << ' ' << judged << " judged: ";
  std::string verdicts;
  for (const Verdict v : kVerdicts) {
    if (!verdicts.empty()) verdicts += ", ";
    verdicts += std::to_string(counts[static_cast<int>(v)]) + " " + std::string(verdict_name(v));
  }
  out << verdicts << '.';
  if (others > 0) {
    out << ' ' << others << " other epoch" << (others == 1 ? "" : "s")
        << " compared (--format json).";
  }
  out << '\n';
}

}  // namespace metricaudit::audit
