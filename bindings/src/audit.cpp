// The audit command and the audit itself, bound for the Python package: one
// implementation behind `metricaudit` (the console script and `python -m metricaudit`),
// the CMake-built command and `metricaudit.audit()`. Nothing here decides anything: it
// forwards to cli::run, run_audit and the report writers.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "cli.hpp"
#include "metricaudit/audit/audit.hpp"
#include "metricaudit/audit/report_writers.hpp"
#include "metricaudit/version.hpp"

namespace metricaudit::python {
namespace {

// A std::streambuf over a Python text stream (sys.stdout, sys.stderr, a StringIO):
// what the command writes reaches whatever Python has put there (a notebook's cell,
// pytest's capture), not the process's file descriptors. Text is collected and handed
// to write() at each flush, which the command issues after every complete message, so
// a UTF-8 sequence is never split. Runs with the GIL released; takes it to write.
class PythonStreambuf : public std::streambuf {
 public:
  explicit PythonStreambuf(py::object stream) : stream_(std::move(stream)) {}
  PythonStreambuf(const PythonStreambuf&) = delete;
  PythonStreambuf& operator=(const PythonStreambuf&) = delete;
  ~PythonStreambuf() override {
    py::gil_scoped_acquire gil;
    stream_ = py::object();
  }

  /// The first Python exception write() raised (e.g. BrokenPipeError), to re-raise
  /// once the command has returned.
  std::optional<py::error_already_set> error;

 protected:
  int_type overflow(int_type ch) override {
    if (ch != traits_type::eof()) pending_.push_back(traits_type::to_char_type(ch));
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    pending_.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int sync() override {
    if (pending_.empty() || error) {
      pending_.clear();
      return error ? -1 : 0;
    }
    py::gil_scoped_acquire gil;
    try {
      // "replace": a log path that is not UTF-8 must not turn the report into an error.
      py::str text(PyUnicode_DecodeUTF8(pending_.data(), static_cast<Py_ssize_t>(pending_.size()),
                                        "replace"));
      pending_.clear();
      stream_.attr("write")(text);
      stream_.attr("flush")();
      return 0;
    } catch (py::error_already_set& e) {
      pending_.clear();
      error.emplace(std::move(e));
      return -1;
    }
  }

 private:
  py::object stream_;
  std::string pending_;
};

// `metricaudit ARGS...` with the streams and terminal facts Python gives; the exit status.
int run_command(const std::vector<std::string>& args, const py::object& out, const py::object& err,
                bool stdout_is_tty, bool stderr_is_tty, bool no_color, const py::object& html) {
  std::vector<const char*> argv{"metricaudit"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  audit::cli::Terminal terminal;
  terminal.stdout_is_tty = stdout_is_tty;
  terminal.stderr_is_tty = stderr_is_tty;
  terminal.no_color = no_color;
  if (!html.is_none()) {
    // --format html: html(command, json_text) -> page (metricaudit/_html.py), called with
    // the GIL held; a Python error becomes the command's error (exit 2).
    terminal.html = [&html](const std::string& command, const std::string& json) {
      py::gil_scoped_acquire gil;
      try {
        return html(command, json).cast<std::string>();
      } catch (py::error_already_set& e) {
        // The message without pybind11's traceback ("At: ..."): _html.py raises RuntimeError
        // with a sentence for people (matplotlib missing); anything else keeps its type.
        const bool runtime = e.matches(PyExc_RuntimeError);
        std::string what = py::str(e.value());
        if (!runtime) what = py::str(e.type().attr("__name__")).cast<std::string>() + ": " + what;
        throw std::runtime_error("--format html: " + what);
      }
    };
  }
  PythonStreambuf out_buf(out), err_buf(err);
  int status = 0;
  {
    std::ostream out_stream(&out_buf), err_stream(&err_buf);
    py::gil_scoped_release release;
    status = audit::cli::run(static_cast<int>(argv.size()), argv.data(), out_stream, err_stream,
                             terminal);
    out_stream.flush();
    err_stream.flush();
  }
  if (out_buf.error) throw std::move(*out_buf.error);
  if (err_buf.error) throw std::move(*err_buf.error);
  return status;
}

template <typename Write>
std::string render(const audit::AuditReport& report, Write write) {
  std::ostringstream out;
  write(report, out);
  return out.str();
}

}  // namespace

void bind_audit_dumps(py::module_& m);  // audit_dumps.cpp

void bind_audit(py::module_& m) {
  // InputError ("file:line: what") gets its own Python class, a ValueError as before.
  // Registered after the module's own translator, so it is tried first.
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);

  m.attr("__version__") = kVersion;

  m.def("run_command", &run_command, py::arg("args"), py::arg("out"), py::arg("err"),
        py::arg("stdout_is_tty"), py::arg("stderr_is_tty"), py::arg("no_color"),
        py::arg("html") = py::none(),
        "Runs the metricaudit command (audit/cli) with args (without the program name), "
        "writing to the Python text streams out and err; returns the exit status.");

  py::class_<audit::AuditReport>(m, "AuditReport")
      .def_property_readonly("exit_status", &audit::AuditReport::exit_status)
      .def("json",
           [](const audit::AuditReport& r) {
             return render(r, [](const auto& rep, std::ostream& o) { audit::write_json(rep, o); });
           })
      .def("sarif",
           [](const audit::AuditReport& r) {
             return render(r, [](const auto& rep, std::ostream& o) { audit::write_sarif(rep, o); });
           })
      .def(
          "text",
          [](const audit::AuditReport& r, bool colour, bool points_table) {
            return render(r, [&](const auto& rep, std::ostream& o) {
              audit::write_text(rep, o, colour, points_table);
            });
          },
          py::arg("colour") = false, py::arg("points_table") = true);

  m.def(
      "run_audit",
      [](const std::filesystem::path& path, const std::optional<std::filesystem::path>& preds,
         const std::string& log_format, std::optional<std::int64_t> num_classes,
         std::optional<std::int64_t> eval_size, std::optional<std::int64_t> batch_size,
         const std::map<std::string, std::string>& metric_kinds) {
        audit::AuditOptions options;
        options.path = path;
        options.preds = preds;
        options.log_format = log_format;
        options.num_classes = num_classes;
        options.eval_size = eval_size;
        options.batch_size = batch_size;
        options.metric_kinds = metric_kinds;
        py::gil_scoped_release release;
        return audit::run_audit(options);
      },
      py::arg("path"), py::arg("preds") = py::none(), py::arg("log_format") = "auto",
      py::arg("num_classes") = py::none(), py::arg("eval_size") = py::none(),
      py::arg("batch_size") = py::none(),
      py::arg("metric_kinds") = std::map<std::string, std::string>{},
      "run_audit (audit/include/metricaudit/audit/audit.hpp) on one log or run directory.");

  bind_audit_dumps(m);
}

}  // namespace metricaudit::python
