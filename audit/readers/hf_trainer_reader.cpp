// Hugging Face Trainer output: trainer_state.json (format "hf-trainer") and the
// save_metrics files all_results.json / <split>_results.json (format "hf-results").
// Sources, transformers 4.46: trainer.py (Trainer.log appends {**logs, "step":
// global_step} to state.log_history with logs["epoch"] = state.epoch, where
// state.epoch = epoch + (step + 1) / steps_in_epoch during training; the training loss
// is logged as round(mean since the last log, 4)), trainer_callback.py
// (TrainerState.save_to_json: json.dumps(..., indent=2, sort_keys=True)),
// trainer_pt_utils.py (save_metrics: <split>_results.json, and all_results.json updated
// with every split's metrics), trainer_utils.py (speed_metrics: <split>_runtime,
// _samples_per_second, _steps_per_second, _tokens_per_second).
//
// What a record of log_history gives: every number but the Trainer's bookkeeping (epoch,
// step, total_flos, runtimes and rates, memory deltas, tokens seen) is a point, split
// from its name ("eval_accuracy" val, "test_f1" test, "loss" train), step = "step",
// precision as printed. The float "epoch" gives the epoch index: a record at epoch e is
// in epoch ceil(e) - 1 (0 at e = 0), so an evaluation at epoch 1.0 is the end of epoch 0.
// Evaluation values at a whole epoch are that epoch's values; evaluation values
// between epochs (eval_strategy="steps") and every training value (means over the
// logging interval) are per_step. The training summary (the record holding
// "train_runtime") has no epoch: its train_loss is a mean over the whole training.
// The *_results.json files are the final evaluation (after training, maybe of the best
// checkpoint): their values have no epoch and no step.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_records.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "record_reader.hpp"
#include "text_parsing.hpp"

namespace metricaudit::audit::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStateFile = "trainer_state.json";
constexpr std::string_view kAllResults = "all_results.json";
constexpr std::string_view kResultsSuffix = "_results.json";

// Numbers the Trainer logs about itself, not metrics of the model.
bool bookkeeping(std::string_view key) {
  for (std::string_view name : {"epoch", "step", "total_flos", "num_input_tokens_seen"}) {
    if (key == name) return true;
  }
  for (std::string_view suffix :
       {"_runtime", "_samples_per_second", "_steps_per_second", "_tokens_per_second",
        "_jit_compilation_time", "_model_preparation_time"}) {
    if (key.ends_with(suffix)) return true;
  }
  // TrainerMemoryTracker: "<stage>_mem_<cpu|gpu>_<alloc|peaked>_delta".
  return key.find("_mem_") != std::string_view::npos && key.ends_with("_delta");
}

std::string read_all(std::istream& in, std::string_view file) {
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (in.bad()) fail(file, 1, "read error");
  return text;
}

// A member's number, or an InputError naming its JSON pointer when it must be one.
double required_number(const JsonRecord& record, const JsonMember& m, std::string_view file) {
  if (m.type != JsonMember::Type::number) {
    fail(file, m.line,
         json_pointer(record.pointer, m.key) + ": expected a number, found " +
             std::string(json_type_name(m.type)));
  }
  return m.number.value;
}

// Where a record sits in the training.
struct Place {
  std::optional<std::int64_t> epoch;
  std::optional<std::int64_t> step;
  bool at_epoch_end = false;  // a whole epoch: the end of epoch `epoch`
};

Place place_of(const JsonRecord& record, std::string_view file) {
  Place place;
  for (const JsonMember& m : record.members) {
    if (m.key == "epoch") {
      const double e = required_number(record, m, file);
      if (!std::isfinite(e) || e < 0 || e > 1e15) {
        fail(file, m.line,
             json_pointer(record.pointer, m.key) + ": expected an epoch >= 0, found " +
                 quote_text(std::to_string(e)));
      }
      const double whole = std::ceil(e);
      place.epoch = whole == 0 ? 0 : static_cast<std::int64_t>(whole) - 1;
      place.at_epoch_end = e > 0 && whole == e;
    } else if (m.key == "step") {
      const double s = required_number(record, m, file);
      if (!(s >= 0 && s < 9.0e15 && s == std::floor(s))) {
        fail(file, m.line,
             json_pointer(record.pointer, m.key) + ": expected a whole step >= 0, found " +
                 quote_text(std::to_string(s)));
      }
      place.step = static_cast<std::int64_t>(s);
    }
  }
  return place;
}

// One point per metric of `record`; non-numbers are skipped with a warning.
void add_points(LoggedRun& run, const JsonRecord& record, const Place& place, bool final_values,
                Split fallback_split, std::string_view file, WarningSink& warnings) {
  const bool summary = std::any_of(record.members.begin(), record.members.end(),
                                   [](const JsonMember& m) { return m.key == "train_runtime"; });
  for (const JsonMember& m : record.members) {
    if (bookkeeping(m.key)) continue;
    if (m.type != JsonMember::Type::number) {
      if (m.type != JsonMember::Type::null) {
        warnings.add(m.line, "skipped " + json_pointer(record.pointer, m.key) + ": " +
                                 std::string(json_type_name(m.type)) + ", not a number");
      }
      continue;
    }
    if (m.key.empty()) {
      fail(file, m.line,
           json_pointer(record.pointer, m.key) +
               ": a number under an empty key; expected a "
               "metric name");
    }
    const Split split = split_from_metric_name(m.key, fallback_split);
    LoggedPoint& p = add_point(run, run.metric_id(m.key), split, m.number.value, m.number.precision,
                               m.line, m.offset);
    if (final_values || summary) {
      // The final evaluation and the training summary belong to no one epoch.
      if (summary && !final_values) p.step = place.step;
      continue;
    }
    p.epoch = place.epoch;
    p.step = place.step;
    p.per_step = split == Split::train || !place.at_epoch_end;
  }
}

bool checkpoint_step(const fs::path& dir, std::int64_t* step) {
  const std::string name = dir.filename().string();
  constexpr std::string_view prefix = "checkpoint-";
  if (!name.starts_with(prefix)) return false;
  std::int64_t value = 0;
  const std::string_view digits = std::string_view(name).substr(prefix.size());
  if (digits.empty() || read_digits(digits, &value) != digits.size()) return false;
  *step = value;
  return true;
}

}  // namespace

std::optional<std::size_t> sniff_hf_trainer(const LogCandidate& c) {
  if (c.directory) return std::nullopt;
  if (c.path.filename() == kStateFile) return 0;
  // A renamed copy: a pretty-printed JSON object (its first line "{" alone) with a
  // "log_history" member, as TrainerState.save_to_json writes it.
  const auto first = first_nonblank_line(c.head);
  if (!first || first->text != "{" || c.head.find("\"log_history\"") == std::string_view::npos) {
    return std::nullopt;
  }
  return first->offset;
}

std::optional<std::size_t> sniff_hf_results(const LogCandidate& c) {
  if (c.directory) return std::nullopt;
  const std::string name = c.path.filename().string();
  if (name.size() > kResultsSuffix.size() && name.ends_with(kResultsSuffix)) return 0;
  return std::nullopt;
}

LoggedRun read_hf_trainer(std::istream& in, std::string_view file, const TextLogOptions& options) {
  LoggedRun run;
  WarningSink warnings(run.warnings, file, options.max_warnings);
  const std::string text = read_all(in, file);
  bool found = false;
  read_json_records(
      text, file, "log_history",
      [&](const JsonRecord& record) {
        add_points(run, record, place_of(record, file), false, Split::train, file, warnings);
      },
      &found);
  if (!found) {
    fail(file, 1,
         "no \"log_history\" array at the top level; expected a Hugging Face trainer_state.json");
  }
  warnings.finish();
  return run;
}

LoggedRun read_hf_results(std::istream& in, std::string_view file, const TextLogOptions& options) {
  LoggedRun run;
  WarningSink warnings(run.warnings, file, options.max_warnings);
  const std::string text = read_all(in, file);
  // "eval_results.json": names without a split word are the file's split.
  const std::string stem = fs::path(file).stem().string();
  const Split fallback = split_from_metric_name(stem, Split::train);
  read_json_records(text, file, "", [&](const JsonRecord& record) {
    add_points(run, record, Place{}, true, fallback, file, warnings);
  });
  warnings.finish();
  return run;
}

bool superseded_hf_trainer(const fs::path& file, const fs::path& root) {
  // checkpoint-<N>/trainer_state.json is a copy of the state at step N: the run's own
  // trainer_state.json, or a later checkpoint's, holds every record it holds. Only when
  // the run's folder is being walked: a walk of checkpoint-8/ alone reads its state.
  std::int64_t step = 0;
  const fs::path dir = file.parent_path();
  if (file.filename() != kStateFile || !checkpoint_step(dir, &step)) return false;
  const fs::path run = dir.parent_path();
  const fs::path inside = run.lexically_relative(root);
  if (inside.empty() || *inside.begin() == "..") return false;
  std::error_code ec;
  if (fs::exists(run / kStateFile, ec)) return true;
  for (fs::directory_iterator it(run, ec), end; !ec && it != end; it.increment(ec)) {
    std::int64_t other = 0;
    if (checkpoint_step(it->path(), &other) && other > step &&
        fs::exists(it->path() / kStateFile, ec)) {
      return true;
    }
  }
  return false;
}

bool superseded_hf_results(const fs::path& file, const fs::path& /*root*/) {
  // save_metrics(split, ...) updates all_results.json with the same metrics.
  std::error_code ec;
  return file.filename() != kAllResults && fs::exists(file.parent_path() / kAllResults, ec);
}

}  // namespace metricaudit::audit::detail
