// The TensorBoard event file reader (events.out.tfevents.*).
//
// Framing (TFRecord; tensorflow/tensorboard tensorboard/summary/writer/record_writer.py):
// each record is  uint64 length | uint32 masked_crc32c(length bytes) | data |
// uint32 masked_crc32c(data), all little-endian, where
// masked(crc) = ((crc >> 15) | (crc << 17)) + 0xA282EAD8. Every CRC is checked.
// Payloads are `Event` protocol buffers (tensorboard/compat/proto/event.proto);
// a scalar arrives in Summary.Value as simple_value (float32; torch's default),
// tensor.float_val (float32; torch new_style=True), tensor.double_val (float64;
// torch double_precision=True) or 4/8 raw little-endian bytes in
// tensor.tensor_content (TF2's tf.summary.scalar, dtype DT_FLOAT=1 / DT_DOUBLE=2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "metricaudit/audit/logged_series.hpp"

namespace metricaudit::audit {

/// Reads every scalar of an event file: one LoggedPoint per scalar value, metric = tag,
/// step = the event's step, offset = the byte offset of its record, line = 0, precision
/// float32 or float64 as stored. The split is the tag's (split_from_metric_name), else the
/// folder's holding the file ("validation" -> val: the Keras TensorBoard callback writes
/// logs/train/ and logs/validation/ with the same tags), else "train". A tensor value is
/// read when its tag's plugin (from the first value of the tag that carries metadata) is
/// "scalars" or not given; other plugins' tensors (hparams, text, a Keras model) and
/// non-scalar summaries (images, histograms) are skipped.
/// Epochs: a tensor-stored tag "epoch_<name>" (Keras' callback, _log_epoch_metrics, writes
/// them at step = epoch; its training values are running means) has epoch = step. An
/// "epoch" scalar (Lightning's TensorBoardLogger writes one with every logging call) gives
/// every other value at the same step its epoch (epoch_series.hpp) and names Lightning's
/// per_step meaning, and is not itself a point. Other values have a step only.
/// Throws InputError "file@offset: ..." for a truncated record, a length larger
/// than the rest of the file, a CRC mismatch, or a payload that is not an Event. Memory
/// stays bounded: a record's length is checked against the rest of the file before any
/// buffer is sized from it.
LoggedRun read_tensorboard(const std::filesystem::path& file);

/// The same over an in-memory image of a file; `name` stands for the file in messages.
LoggedRun parse_tensorboard(std::span<const std::byte> bytes, const std::string& name);

/// The split a tag names: split_from_metric_name(tag, "train") (split_names.hpp).
std::string split_from_tag(std::string_view tag);

namespace detail {
/// CRC-32C (Castagnoli, reflected, init and xor-out 0xFFFFFFFF) of `data`.
std::uint32_t crc32c(std::span<const std::byte> data);
/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xA282EAD8.
std::uint32_t masked_crc32c(std::span<const std::byte> data);
}  // namespace detail

}  // namespace metricaudit::audit
