// The text log readers of the audit command: Keras progress-bar captures, Keras and
// Lightning CSVLogger files, Lightning's tqdm postfixes, JSON lines, pasted lines and
// the Hugging Face Trainer's JSON files. Each one turns a log into a LoggedRun
// (logged_series.hpp) and computes nothing (../shared/DESIGN.md).
//
// Every reader is strict about structure and tolerant of noise: lines that are not part
// of the format (warnings, framework banners, stderr interleaved with stdout) are
// skipped, while a line that *is* part of it and is malformed (a truncated bar, a
// non-numeric value, a ragged CSV row, invalid UTF-8 in a CSV/JSON line) throws
// metricaudit::InputError whose message starts with "file:line: " and says what was
// expected. Files are streamed through a 1 MiB buffer; memory is bounded by the longest
// line (at most TextLogOptions::max_line_bytes) plus the points produced. The Hugging
// Face files are JSON documents, read whole (a trainer_state.json is a few MB).
//
// What each format yields (LoggedPoint fields not named are left at their defaults):
//
// keras-progress   Keras 2 ("1875/1875 [=====] - 5s 3ms/step - loss: 0.0402") and Keras 3
//                  ("1875/1875 ━━━━ 5s 3ms/step - accuracy: 0.9858") bars, verbose=1 or 2.
//                  "\r", "\b" and "\n" all end a redraw; only the final redraw of an epoch
//                  (current == target) is read, one point per metric with epoch = k-1 for
//                  the "Epoch k/n" header above it (Keras 3 may draw "22/22" at the last
//                  batch and again, with the val_ values, at epoch end: the second
//                  replaces the first). Training metrics: split "train",
//                  running_mean = true; "val_" metrics: split "val", running_mean = false.
//                  A final bar outside an epoch (model.evaluate() after fit) gives points
//                  with no epoch, split "test" unless the name says otherwise.
//                  keep_redraws adds the intermediate redraws of each epoch as per_step
//                  points (running means so far; step = epoch * target + current).
// keras-csv        CSVLogger: header "epoch<sep><sorted keys>", sep ',' ';' or tab, epoch
//                  column 0-based, "NA" cells skipped, list cells skipped with a warning.
// lightning-csv    metrics.csv: sparse rows, "epoch" and "step" columns, any header order.
//                  per_step: "*_step" true, "*_epoch" false, otherwise true for training
//                  names and false for val/test names (Lightning's self.log defaults).
// tqdm             Lightning's "Epoch 3: 100%|███| 100/100 [00:02<00:00, 45.1it/s, v_num=0,
//                  loss=0.134]": the last redraw of each epoch; v_num skipped. Values are
//                  printed with 3 significant digits, so `decimals` counts only digits that
//                  carry information ("12.30" -> 1).
// jsonl            one JSON object per line: "epoch", "step"/"global_step" and numeric
//                  metric keys (nested objects flattened with '/'); NaN/Infinity accepted;
//                  "split"/"phase"/"mode": "val" names the split of unprefixed keys;
//                  per_step for "*_step" names. epoch is taken as written (no 1-based fix).
// pasted           "loss: 0.1162 - accuracy: 0.9580" or "[acc=0.934, loss=0.134]" lines pasted
//                  without bars or headers: each line an epoch in order, each block of them
//                  a run (read_log keeps blocks apart, read_text_log joins them); prose
//                  around them skipped (audit/readers/pasted_reader.cpp).
// hf-trainer       Hugging Face trainer_state.json: every number of each log_history
//                  record but the Trainer's bookkeeping; step = "step", epoch =
//                  ceil("epoch") - 1 (an evaluation at 1.0 ends epoch 0); training values
//                  and evaluations between epochs per_step; the training summary without
//                  an epoch (audit/readers/hf_trainer_reader.cpp).
// hf-results       all_results.json, <split>_results.json: the final evaluation, without
//                  epoch or step.
//
// Precision: Kind::decimal, decimals = digits after the point as printed. For exponent
// form ("1.2345e-04") significant_digits = digits of the mantissa (5) and decimals =
// mantissa decimals minus the exponent, at least 0 (4 + 4 = 8), so decimals alone still
// gives the absolute resolution whenever it is at least 1.
//
// Splits come from the metric name (split_from_metric_name, split_names.hpp), else from
// the log's structure (see above).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>
#include <string_view>

#include "metricaudit/audit/logged_series.hpp"
#include "metricaudit/audit/split_names.hpp"  // split_from_metric_name

namespace metricaudit::audit {

struct TextLogOptions {
  /// keras-progress only: also keep the intermediate redraws within each epoch.
  bool keep_redraws = false;
  /// A line (or redraw) longer than this is an InputError rather than an allocation.
  std::size_t max_line_bytes = std::size_t{64} << 20;
  /// At most this many warnings are kept in LoggedRun::warnings; the rest are counted
  /// in one final "... and N more" warning.
  std::size_t max_warnings = 100;
};

/// The format of a log file or directory: the name of a row of the registry
/// (log_formats.hpp), text or not ("tensorboard" is read by audit/readers_binary). Name
/// rules answer first ("tfevents" in the name is TensorBoard); otherwise the first 64 KiB
/// decide. Throws InputError "file:1: ..." when the file is empty, unreadable or
/// unrecognised.
std::string detect_log_format(const std::filesystem::path& path);

/// The same decision over the first bytes of a file; `file_name` is used for the
/// "tfevents" rule and in messages.
std::string detect_log_format(std::string_view head, std::string_view file_name);

/// Reads a text log in `format` ("auto" detects it first). Throws InputError for malformed
/// input, InvalidArgument for an unknown format or one that is not text ("tensorboard";
/// read_log in log_formats.hpp reads every format).
LoggedRun read_text_log(const std::filesystem::path& path, std::string_view format = "auto",
                        const TextLogOptions& options = {});

/// The same over a stream; `file_name` stands for the file in points and messages.
LoggedRun read_text_log(std::istream& in, std::string_view file_name, std::string_view format,
                        const TextLogOptions& options = {});

}  // namespace metricaudit::audit
