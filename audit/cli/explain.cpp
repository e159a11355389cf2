#include "explain.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <regex>
#include <system_error>

#include "format.hpp"
#include "json_support.hpp"
#include "metricaudit/audit/dumps.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace metricaudit::audit::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 5> kRoles = {"target", "logits", "probs", "preds",
                                                    "sample_weight"};

bool is_role(std::string_view s) {
  return std::find(kRoles.begin(), kRoles.end(), s) != kRoles.end();
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Split, epoch and step from a dump name that follows dumps.hpp's convention; other
// names are fine for explain, they just carry no such metadata.
void parse_name(const std::string& stem, DumpLocation& where) {
  static const std::regex kName(R"(^(train|val|valid|validation|test)_(epoch|step)0*(\d+)$)");
  std::smatch m;
  if (!std::regex_match(stem, m, kName)) return;
  const std::string split = m[1].str();
  where.split = split == "train" || split == "test" ? split : "val";
  try {
    const std::int64_t n = std::stoll(m[3].str());
    (m[2].str() == "epoch" ? where.epoch : where.step) = n;
  } catch (const std::out_of_range&) {
    // A number too large for int64 is no epoch anyone logged; leave it unset.
  }
}

// The "<stem>.<role>.npy" files next to `stem` (a path without extension).
std::map<std::string, fs::path> npy_members(const fs::path& stem) {
  std::map<std::string, fs::path> found;
  for (std::string_view role : kRoles) {
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

double element(const NpyArray& a, std::int64_t i) {
  const std::byte* base = a.storage.get();
  switch (a.dtype) {
    case DType::int32:
      return static_cast<double>(reinterpret_cast<const std::int32_t*>(base)[i]);
    case DType::int64:
      return static_cast<double>(reinterpret_cast<const std::int64_t*>(base)[i]);
    case DType::float32:
      return static_cast<double>(reinterpret_cast<const float*>(base)[i]);
    case DType::float64:
      return reinterpret_cast<const double*>(base)[i];
  }
  return 0.0;
}

// Labels as int64: one-hot rows become their argmax (the core takes one label per
// sample), float labels that hold integers are converted. Anything else is refused
// with the first offending row, as the core does for its own arguments.
std::vector<std::int64_t> labels_of(const NpyArray& a, const std::string& what) {
  const std::int64_t n = a.shape.at(0);
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  if (a.shape.size() == 2) {
    const std::int64_t c = a.shape[1];
    for (std::int64_t r = 0; r < n; ++r) {
      std::int64_t hot = -1;
      for (std::int64_t k = 0; k < c; ++k) {
        const double v = element(a, r * c + k);
        if (v == 0.0) continue;
        if (v != 1.0 || hot >= 0) {  // not 0/1, or a second 1
          hot = -1;
          break;
        }
        hot = k;
      }
      if (hot < 0) {
        throw InvalidArgument(what + ": row " + std::to_string(r) +
                              " is not one-hot (exactly one 1, the rest 0); explain reads "
                              "multi-class dumps only");
      }
      out[static_cast<std::size_t>(r)] = hot;
    }
    return out;
  }
  for (std::int64_t r = 0; r < n; ++r) {
    const double v = element(a, r);
    if (!(v == static_cast<double>(static_cast<std::int64_t>(v)))) {
      throw InvalidArgument(what + ": element " + std::to_string(r) + " is " +
                            detail::format_double(v) + "; expected an integer class label");
    }
    out[static_cast<std::size_t>(r)] = static_cast<std::int64_t>(v);
  }
  return out;
}

bool is_integer_dtype(DType d) {
  return d == DType::int32 || d == DType::int64;
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

  MulticlassBatch batch;
  // Converted copies live here, so the views below stay valid through evaluate().
  std::vector<std::int64_t> target_labels, predicted_labels;
  if (dump.target.shape.size() == 2 || !is_integer_dtype(dump.target.dtype)) {
    result.one_hot_target = dump.target.shape.size() == 2;
    target_labels = labels_of(dump.target, result.dump + ": target");
    batch.target =
        ArrayView::vector(target_labels.data(), static_cast<std::int64_t>(target_labels.size()));
  } else {
    batch.target = dump.target.view();
  }

  std::optional<std::int64_t> width;
  if (dump.logits || dump.probs) {
    const NpyArray& scores = dump.logits ? *dump.logits : *dump.probs;
    result.inputs = dump.logits ? "logits" : "probs";
    batch.scores = scores.view();
    width = scores.shape.at(1);
  } else {
    result.inputs = "preds";
    if (is_integer_dtype(dump.preds->dtype)) {
      batch.predicted = dump.preds->view();
    } else {
      predicted_labels = labels_of(*dump.preds, result.dump + ": preds");
      batch.predicted = ArrayView::vector(predicted_labels.data(),
                                          static_cast<std::int64_t>(predicted_labels.size()));
    }
  }
  if (dump.sample_weight) {
    result.weighted = true;
    batch.sample_weight = dump.sample_weight->view();
  }

  if (num_classes) {
    result.num_classes = *num_classes;
    result.num_classes_source = "option";
  } else if (width) {
    result.num_classes = *width;
    result.num_classes_source = "scores";
  } else if (result.one_hot_target) {
    result.num_classes = dump.target.shape.at(1);
    result.num_classes_source = "target";
  } else {
    // Labels only: the largest label seen is all there is to go on. Macro readings that
    // count absent classes depend on C, so say so.
    std::int64_t largest = -1;
    auto scan = [&](const ArrayView& v) {
      for (std::int64_t i = 0; i < v.rows; ++i) {
        const auto x = v.dtype == DType::int32
                           ? static_cast<std::int64_t>(static_cast<const std::int32_t*>(v.data)[i])
                           : static_cast<const std::int64_t*>(v.data)[i];
        largest = std::max(largest, x);
      }
    };
    scan(batch.target);
    scan(batch.predicted);
    result.num_classes = std::max<std::int64_t>(largest + 1, 1);
    result.num_classes_source = "labels";
    result.warnings.push_back("the number of classes was taken as the largest label + 1 (" +
                              std::to_string(result.num_classes) +
                              "); pass --num-classes C if the label space is larger");
  }

  StateOptions options;
  options.num_classes = result.num_classes;
  const SufficientState state = evaluate(batch, options);
  result.samples = state.samples;
  result.accuracy = catalogue(state, MetricKind::accuracy);
  result.loss = catalogue(state, MetricKind::loss);
  return result;
}

void write_explain_text(const ExplainResult& r, std::ostream& out, bool colour) {
  const char* bold = colour ? "\x1b[1m" : "";
  const char* dim = colour ? "\x1b[2m" : "";
  const char* reset = colour ? "\x1b[0m" : "";
  constexpr std::size_t kWidth = 100;

  out << bold << "metricaudit explain" << reset << ' ' << r.dump << '\n';
  out << "  " << r.samples << " samples, " << r.num_classes << " classes";
  if (r.num_classes_source != "option") out << " (from the " << r.num_classes_source << ")";
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

  auto value_text = [](const Candidate& c) {
    if (!c.unavailable.empty()) return std::string("n/a");
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.10g", c.value);
    return std::string(buffer);
  };
  std::size_t w_id = 2, w_value = 5;
  for (const auto* list : {&r.accuracy, &r.loss}) {
    for (const Candidate& c : *list) {
      w_id = std::max(w_id, detail::display_width(c.id));
      w_value = std::max(w_value, value_text(c).size());
    }
  }
  const std::size_t prefix = 2 + w_id + 2 + w_value + 2;
  const std::size_t w_text = prefix + 24 <= kWidth ? kWidth - prefix : 24;

  auto table = [&](const char* title, const std::vector<Candidate>& list) {
    out << '\n' << bold << title << reset << '\n';
    out << "  "
        << "id" << std::string(w_id - 2, ' ') << "  " << std::string(w_value - 5, ' ')
        << "value  libraries\n";
    for (const Candidate& c : list) {
      const std::string value = value_text(c);
      const std::string text =
          c.unavailable.empty() ? c.libraries : "unavailable: " + c.unavailable;
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
  table("accuracy", r.accuracy);
  table("loss", r.loss);
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
  for (const auto& [kind, list] :
       {std::pair{"accuracy", &r.accuracy}, std::pair{"loss", &r.loss}}) {
    for (const Candidate& c : *list) {
      Json cj = Json::object();
      cj["kind"] = kind;
      cj["id"] = c.id;
      cj["description"] = c.description;
      cj["libraries"] = c.libraries;
      detail::put_number(cj, "value", c.value);
      detail::put_optional_string(cj, "unavailable", c.unavailable);
      candidates.push_back(std::move(cj));
    }
  }
  j["candidates"] = std::move(candidates);
  out << detail::dump(j) << '\n';
}

}  // namespace metricaudit::audit::cli
