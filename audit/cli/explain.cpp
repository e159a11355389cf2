#include "explain.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <system_error>

#include "format.hpp"
#include "json_support.hpp"
#include "metricaudit/audit/dump_batch.hpp"
#include "metricaudit/audit/dumps.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit::audit::cli {
namespace {

namespace fs = std::filesystem;

bool is_role(std::string_view s) {
  return std::find(kDumpRoles.begin(), kDumpRoles.end(), s) != kDumpRoles.end();
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Split, epoch and step from a dump name that follows dumps.hpp's convention; other
// names are fine for explain, they just carry no such metadata.
void parse_name(const std::string& stem, DumpLocation& where) {
  const std::optional<DumpName> name = parse_dump_name(stem);
  if (!name || !name->extension.empty() || !name->role.empty()) return;
  where.split = name->split;
  // A number too large for int64 is no epoch anyone logged; leave it unset.
  if (name->number) (name->unit == "epoch" ? where.epoch : where.step) = *name->number;
}

// The "<stem>.<role>.npy" files next to `stem` (a path without extension).
std::map<std::string, fs::path> npy_members(const fs::path& stem) {
  std::map<std::string, fs::path> found;
  for (std::string_view role : kDumpRoles) {
    fs::path candidate = stem;
    candidate += "." + std::string(role) + ".npy";
    if (is_file(candidate)) found.emplace(std::string(role), candidate);
  }
  return found;
}

DumpLocation locate(const fs::path& dump) {
  DumpLocation where;
  fs::path stem;
  if (dump.extension() == ".npz") {
    if (!is_file(dump)) throw InputError(dump.string() + ": no such file");
    where.npz = dump;
    stem = dump;
    stem.replace_extension();
  } else if (dump.extension() == ".npy") {
    if (!is_file(dump)) throw InputError(dump.string() + ": no such file");
    fs::path without = dump;
    without.replace_extension();                                // "val_epoch1.target"
    const std::string role_ext = without.extension().string();  // ".target"
    if (role_ext.empty() || !is_role(std::string_view(role_ext).substr(1))) {
      throw InputError(dump.string() +
                       ": a dump of .npy files is named <stem>.<role>.npy with role one of "
                       "target, logits, probs, preds, sample_weight");
    }
    stem = without;
    stem.replace_extension();
    where.npy = npy_members(stem);
  } else {
    fs::path npz = dump;
    npz += ".npz";
    if (is_file(npz)) {
      where.npz = npz;
    } else {
      where.npy = npy_members(dump);
      if (where.npy.empty()) {
        throw InputError(dump.string() + ": no such dump (expected " + npz.string() + " or " +
                         dump.string() + ".<role>.npy files)");
      }
    }
    stem = dump;
  }
  parse_name(stem.filename().string(), where);
  return where;
}

// A binary / multilabel dump under the labelwise catalogue; --num-classes does not
// apply (L is the scores' width).
void explain_labelwise(const Dump& dump, DumpTask task, ExplainResult& result) {
  LabelwiseDumpBatch b = labelwise_batch(dump, result.dump);
  result.labelwise = true;
  result.inputs = b.inputs;
  result.num_classes = b.num_labels;
  result.num_classes_source = task == DumpTask::binary ? "binary" : "multilabel";
  LabelwiseOptions options;
  options.num_labels = b.num_labels;
  std::optional<LabelwiseState> evaluated;
  try {
    evaluated.emplace(evaluate(b.batch, options));
  } catch (const InvalidArgument& e) {
    throw InputError(result.dump + ": " + e.what());
  }
  result.samples = evaluated->samples;
  const ScoresAre scores = b.inputs == "logits" ? ScoresAre::logits : ScoresAre::probabilities;
  result.labelwise_accuracy = catalogue(*evaluated, MetricKind::accuracy, scores);
  result.labelwise_loss = catalogue(*evaluated, MetricKind::loss, scores);
}

// One table row, whichever catalogue it came from.
struct Row {
  std::string_view id, description, libraries;
  double value;
  std::string_view unavailable;
};

template <typename C>
std::vector<Row> rows_of(const std::vector<C>& list) {
  std::vector<Row> rows;
  for (const C& c : list)
    rows.push_back({c.id, c.description, c.libraries, c.value, c.unavailable});
  return rows;
}

std::vector<Row> accuracy_rows(const ExplainResult& r) {
  return r.labelwise ? rows_of(r.labelwise_accuracy) : rows_of(r.accuracy);
}

std::vector<Row> loss_rows(const ExplainResult& r) {
  return r.labelwise ? rows_of(r.labelwise_loss) : rows_of(r.loss);
}

}  // namespace

ExplainResult explain_dump(const fs::path& path, std::optional<std::int64_t> num_classes) {
  const DumpLocation where = locate(path);
  ExplainResult result;
  Dump dump = load_dump(where, {}, &result.warnings);
  result.dump = dump.path;
  result.split = dump.split;
  result.epoch = dump.epoch;
  result.step = dump.step;

  result.weighted = dump.sample_weight.has_value();
  if (const DumpTask task = dump_task(dump); task != DumpTask::multiclass) {
    explain_labelwise(dump, task, result);
    return result;
  }
  DumpBatch b = multiclass_batch(dump, result.dump, num_classes);
  result.one_hot_target = b.one_hot_target;
  result.inputs = b.inputs;
  result.num_classes = b.num_classes;
  result.num_classes_source = b.num_classes_source;
  for (auto& w : b.warnings) result.warnings.push_back(std::move(w));
  const MulticlassBatch& batch = b.batch;

  StateOptions options;
  options.num_classes = result.num_classes;
  // The core names the argument and index; the dump's path says which file (as the audit
  // does in recompute.cpp).
  std::optional<SufficientState> evaluated;
  try {
    evaluated.emplace(evaluate(batch, options));
  } catch (const InvalidArgument& e) {
    throw InputError(result.dump + ": " + e.what());
  }
  const SufficientState& state = *evaluated;
  result.samples = state.samples;
  // The dump says what its scores are; a logits array whose values lie in [0, 1] is
  // still logits.
  const ScoresAre scores = result.inputs == "logits"  ? ScoresAre::logits
                           : result.inputs == "probs" ? ScoresAre::probabilities
                                                      : ScoresAre::infer;
  result.accuracy = catalogue(state, MetricKind::accuracy, scores);
  result.loss = catalogue(state, MetricKind::loss, scores);
  return result;
}

void write_explain_text(const ExplainResult& r, std::ostream& out, bool colour) {
  const char* bold = colour ? "\x1b[1m" : "";
  const char* dim = colour ? "\x1b[2m" : "";
  const char* reset = colour ? "\x1b[0m" : "";
  constexpr std::size_t kWidth = 100;

  out << bold << "metricaudit explain" << reset << ' ' << r.dump << '\n';
  out << "  " << r.samples << " samples, ";
  if (r.labelwise) {
    out << r.num_classes << (r.num_classes == 1 ? " label (binary)" : " labels (multilabel)");
  } else {
    out << r.num_classes << " classes";
    if (r.num_classes_source != "option") out << " (from the " << r.num_classes_source << ")";
  }
  out << ", inputs: " << r.inputs;
  if (r.one_hot_target) out << ", one-hot target read as labels";
  out << (r.weighted ? ", sample-weighted" : "") << '\n';
  if (!r.split.empty()) {
    out << "  split " << r.split;
    if (r.epoch) out << ", epoch " << *r.epoch;
    if (r.step) out << ", step " << *r.step;
    out << '\n';
  }
  for (const std::string& w : r.warnings) {
    for (const std::string& line : detail::wrap("warning: " + w, kWidth - 2)) {
      out << "  " << line << '\n';
    }
  }

  const std::vector<Row> accuracy = accuracy_rows(r), loss = loss_rows(r);
  auto value_text = [](const Row& c) {
    if (!c.unavailable.empty()) return std::string("n/a");
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.10g", c.value);
    return std::string(buffer);
  };
  std::size_t w_id = 2, w_value = 5;
  for (const auto* list : {&accuracy, &loss}) {
    for (const Row& c : *list) {
      w_id = std::max(w_id, detail::display_width(c.id));
      w_value = std::max(w_value, value_text(c).size());
    }
  }
  const std::size_t prefix = 2 + w_id + 2 + w_value + 2;
  const std::size_t w_text = prefix + 24 <= kWidth ? kWidth - prefix : 24;

  auto table = [&](const char* title, const std::vector<Row>& list) {
    out << '\n' << bold << title << reset << '\n';
    out << "  "
        << "id" << std::string(w_id - 2, ' ') << "  " << std::string(w_value - 5, ' ')
        << "value  libraries\n";
    for (const Row& c : list) {
      const std::string value = value_text(c);
      const std::string text = c.unavailable.empty() ? std::string(c.libraries)
                                                     : "unavailable: " + std::string(c.unavailable);
      const std::vector<std::string> lines = detail::wrap(text, w_text);
      out << "  " << c.id << std::string(w_id - detail::display_width(c.id), ' ') << "  "
          << std::string(w_value - value.size(), ' ') << value << "  "
          << (c.unavailable.empty() ? "" : dim) << lines.front() << reset << '\n';
      for (std::size_t i = 1; i < lines.size(); ++i) {
        out << std::string(prefix, ' ') << (c.unavailable.empty() ? "" : dim) << lines[i] << reset
            << '\n';
      }
    }
  };
  table("accuracy", accuracy);
  table("loss", loss);
}

void write_explain_json(const ExplainResult& r, std::ostream& out) {
  using detail::Json;
  Json j = Json::object();
  j["schema_version"] = 1;
  j["dump"] = r.dump;
  detail::put_optional_string(j, "split", r.split);
  if (r.epoch) {
    j["epoch"] = *r.epoch;
  } else {
    j["epoch"] = nullptr;
  }
  if (r.step) {
    j["step"] = *r.step;
  } else {
    j["step"] = nullptr;
  }
  j["samples"] = r.samples;
  j["num_classes"] = r.num_classes;
  j["num_classes_source"] = r.num_classes_source;
  j["inputs"] = r.inputs;
  j["one_hot_target"] = r.one_hot_target;
  j["weighted"] = r.weighted;
  j["warnings"] = r.warnings;
  Json candidates = Json::array();
  const std::vector<Row> accuracy = accuracy_rows(r), loss = loss_rows(r);
  for (const auto& [kind, list] : {std::pair{"accuracy", &accuracy}, std::pair{"loss", &loss}}) {
    for (const Row& c : *list) {
      Json cj = Json::object();
      cj["kind"] = kind;
      cj["id"] = std::string(c.id);
      cj["description"] = std::string(c.description);
      cj["libraries"] = std::string(c.libraries);
      detail::put_number(cj, "value", c.value);
      detail::put_optional_string(cj, "unavailable", std::string(c.unavailable));
      candidates.push_back(std::move(cj));
    }
  }
  j["candidates"] = std::move(candidates);
  out << detail::dump(j) << '\n';
}

}  // namespace metricaudit::audit::cli
