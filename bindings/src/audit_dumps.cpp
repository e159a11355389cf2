// Prediction dumps checked by the audit's own reader, for metricaudit.capture: a
// capture helper writes its .npz to a temporary file, has it read back here exactly
// as the audit will read it (load_dump, then the batch conversion the audit applies),
// and only then moves it into place. The messages are the reader's.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "metricaudit/audit/dump_batch.hpp"
#include "metricaudit/audit/dumps.hpp"

namespace metricaudit::python {

void bind_audit_dumps(py::module_& m) {
  m.def(
      "check_dump",
      [](const std::filesystem::path& npz, const std::string& split,
         std::optional<std::int64_t> epoch, std::optional<std::int64_t> step,
         std::optional<std::int64_t> num_classes) {
        audit::DumpLocation where;
        where.split = split;
        where.epoch = epoch;
        where.step = step;
        where.npz = npz;
        py::dict summary;
        std::vector<std::string> warnings;
        {
          py::gil_scoped_release release;
          const audit::Dump dump = audit::load_dump(where, {}, &warnings);
          const audit::DumpTask task = audit::dump_task(dump);
          std::int64_t classes = 0;
          std::string inputs, task_name;
          if (task == audit::DumpTask::multiclass) {
            const audit::DumpBatch batch = audit::multiclass_batch(dump, dump.path, num_classes);
            classes = batch.num_classes;
            inputs = batch.inputs;
            warnings.insert(warnings.end(), batch.warnings.begin(), batch.warnings.end());
            task_name = "multiclass";
          } else {
            const audit::LabelwiseDumpBatch batch = audit::labelwise_batch(dump, dump.path);
            classes = batch.num_labels;
            inputs = batch.inputs;
            task_name = batch.multilabel ? "multilabel" : "binary";
          }
          py::gil_scoped_acquire gil;
          summary["num_samples"] = dump.target.shape.at(0);
          summary["task"] = task_name;
          summary["num_classes"] = classes;
          summary["inputs"] = inputs;
        }
        summary["warnings"] = warnings;
        return summary;
      },
      py::arg("npz"), py::arg("split"), py::arg("epoch") = py::none(), py::arg("step") = py::none(),
      py::arg("num_classes") = py::none(),
      "Reads the .npz dump at npz as the audit does (load_dump, dump_task, the batch "
      "conversion) and returns what it holds; raises InputError / ValueError with the "
      "reader's message otherwise.");

  m.def(
      "list_dumps",
      [](const std::filesystem::path& dir) {
        std::vector<std::string> warnings;
        py::list found;
        for (const audit::DumpLocation& d : audit::list_dumps(dir, &warnings)) {
          found.append(py::make_tuple(d.display_path(), d.split, d.epoch, d.step));
        }
        return found;
      },
      py::arg("dir"),
      "The dumps the audit finds in dir (list_dumps): (path, split, epoch, step) tuples, "
      "split canonical ('val' for 'valid'); raises InputError for conflicting names.");
}

}  // namespace metricaudit::python
