// TensorBoard event files. Framing: tensorflow/tensorboard
// tensorboard/summary/writer/record_writer.py (RecordWriter.write) and
// tensorboard/compat/tensorflow_stub/pywrap_tensorflow.py (masked_crc32c);
// payloads: tensorboard/compat/proto/{event,summary,tensor}.proto, of which
// proto/tensorboard_subset.proto keeps the fields read here.
#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <unordered_map>

#include <boost/crc.hpp>

#include "internal.hpp"
#include "metricaudit/audit/epoch_series.hpp"
#include "metricaudit/audit/log_formats.hpp"
#include "metricaudit/audit/split_names.hpp"
#include "metricaudit/audit/tensorboard_reader.hpp"
#include "proto/tensorboard_subset.pb.h"

namespace metricaudit::audit {

namespace detail {

std::uint32_t crc32c(std::span<const std::byte> data) {
  // CRC-32C (Castagnoli): polynomial 0x1EDC6F41, reflected in and out, init and final
  // xor 0xFFFFFFFF (RFC 3720, appendix B.4). Boost.CRC because Debian packages no crc32c
  // library; crc32c("123456789") = 0xE3069283 is checked by the tests.
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

std::uint32_t masked_crc32c(std::span<const std::byte> data) {
  const std::uint32_t crc = crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

}  // namespace detail

namespace {

using detail::fail_at;

// tensorboard/plugins/scalar/metadata.py: PLUGIN_NAME
constexpr std::string_view kScalarsPlugin = "scalars";
constexpr std::string_view kKerasEpochPrefix = "epoch_";
constexpr std::string_view kKerasBatchPrefix = "batch_";
constexpr std::string_view kKerasEvaluationPrefix = "evaluation_";
constexpr std::string_view kKerasEvaluationSuffix = "_vs_iterations";
constexpr std::string_view kEpochTag = "epoch";

// tensorboard/compat/proto/types.proto
constexpr int kDtFloat = 1;
constexpr int kDtDouble = 2;
constexpr int kDtString = 7;

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::uint64_t le_u64(const std::byte* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<std::uint64_t>(p[i]);
  return v;
}

std::uint32_t le_u32(const std::byte* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint32_t>(p[i]);
  return v;
}

struct Scalar {
  double value;
  Precision::Kind kind;
  bool tensor;  // stored as a tensor (TF2's summary API, torch new_style), not simple_value
};

// The scalar a Summary.Value holds, or nullopt when it holds something else.
std::optional<Scalar> scalar_of(const metricaudit::tbproto::Summary::Value& v,
                                const std::string& name, std::uint64_t offset,
                                std::vector<std::string>& warnings) {
  using Value = metricaudit::tbproto::Summary::Value;
  if (v.value_case() == Value::kSimpleValue) {
    return Scalar{static_cast<double>(v.simple_value()), Precision::Kind::float32, false};
  }
  if (v.value_case() != Value::kTensor) return std::nullopt;  // image, histogram, audio
  const auto& t = v.tensor();
  if (t.tensor_shape().unknown_rank()) return std::nullopt;
  std::int64_t count = 1;
  for (const auto& d : t.tensor_shape().dim()) {
    if (d.size() < 0) return std::nullopt;
    if (d.size() != 1) count = d.size() == 0 ? 0 : 2;  // only "exactly one element" matters
    if (count == 0) break;
  }
  if (count != 1) return std::nullopt;  // histograms, text batches, images as tensors
  const std::string tag = "tag '" + v.tag() + "': ";
  if (t.dtype() != kDtFloat && t.dtype() != kDtDouble) {
    if (t.dtype() != kDtString) {  // text summaries are string scalars: not numbers, not noise
      warnings.push_back(name + "@" + std::to_string(offset) + ": skipped " + tag +
                         "a scalar tensor of dtype " + std::to_string(t.dtype()) +
                         ", not DT_FLOAT (1) or DT_DOUBLE (2)");
    }
    return std::nullopt;
  }
  const bool is_double = t.dtype() == kDtDouble;
  const Precision::Kind kind = is_double ? Precision::Kind::float64 : Precision::Kind::float32;
  const char* dt = is_double ? "DT_DOUBLE" : "DT_FLOAT";
  if (!t.tensor_content().empty()) {
    // TF2's tf.summary.scalar: tf.make_tensor_proto stores the value as raw bytes, in the
    // writing machine's order, which for every platform TensorFlow supports is little-endian.
    const std::string& c = t.tensor_content();
    const std::size_t want = is_double ? 8 : 4;
    if (c.size() != want) {
      fail_at(name, offset,
              tag + "tensor_content holds " + std::to_string(c.size()) + " bytes, expected " +
                  std::to_string(want) + " for a " + dt + " scalar");
    }
    const auto* p = reinterpret_cast<const std::byte*>(c.data());
    if (is_double) return Scalar{std::bit_cast<double>(le_u64(p)), kind, true};
    return Scalar{static_cast<double>(std::bit_cast<float>(le_u32(p))), kind, true};
  }
  const int n = is_double ? t.double_val_size() : t.float_val_size();
  // tensorboard/util/tensor_util.py (make_ndarray): one value fills the shape; none or
  // several for a one-element tensor do not make a scalar.
  if (n != 1) {
    fail_at(name, offset,
            tag + "a " + dt + " scalar tensor with " + std::to_string(n) + " " +
                (is_double ? "double_val" : "float_val") + " values, expected 1");
  }
  if (is_double) return Scalar{t.double_val(0), kind, true};
  return Scalar{static_cast<double>(t.float_val(0)), kind, true};
}

// The tags of Keras' TensorBoard callback (keras/src/callbacks/tensorboard.py, TF2's
// summary API: values stored as tensors): "epoch_<name>" at step = epoch
// (_log_epoch_metrics), "batch_<name>" at the global batch (on_train_batch_end),
// "evaluation_<name>_vs_iterations" at the optimizer's iterations (on_test_end). Training
// values are the History's running means over the epoch.
// Returns true for a batch or evaluation value, whose epoch place_keras_values finds.
bool keras_tag(LoggedPoint& p, std::string_view tag) {
  bool pending = false;
  if (tag.starts_with(kKerasEpochPrefix)) {
    p.epoch = p.step;
  } else if (tag.starts_with(kKerasBatchPrefix)) {
    p.per_step = true;
    pending = true;
  } else if (tag.starts_with(kKerasEvaluationPrefix) && tag.ends_with(kKerasEvaluationSuffix)) {
    pending = true;
  } else {
    return false;
  }
  p.running_mean = p.split == Split::train;
  return pending;
}

// A Keras batch or evaluation value is written before the epoch_ values of its epoch
// (on_train_batch_end and on_test_end run before on_epoch_end): it takes the epoch of the
// next epoch_ value in the file; none follows a final model.evaluate(). `pending` holds
// the indices of those values, in file order.
void place_keras_values(LoggedRun& run, const std::vector<std::size_t>& pending) {
  if (pending.empty()) return;
  std::optional<std::int64_t> next_epoch;
  auto waiting = pending.rbegin();
  for (std::size_t i = run.points.size(); i-- > 0 && waiting != pending.rend();) {
    LoggedPoint& p = run.points[i];
    if (i == *waiting) {
      p.epoch = next_epoch;
      ++waiting;
    } else if (p.epoch && run.metric(p).starts_with(kKerasEpochPrefix)) {
      next_epoch = p.epoch;
    }
  }
}

// Lightning's "epoch" scalar (epoch_series.hpp) gives the values logged at its steps their
// epoch, and their names Lightning's per_step meaning; it is consumed. Values that already
// have an epoch (Keras' epoch_ tags) keep it. An "epoch" series that is not made of epoch
// indices is left as it is, with a warning.
void place_by_epoch_scalar(LoggedRun& run) {
  const auto tag = std::find(run.metrics.begin(), run.metrics.end(), kEpochTag);
  if (tag == run.metrics.end()) return;
  const auto epoch_id = static_cast<MetricId>(tag - run.metrics.begin());
  EpochsByStep epochs;
  for (const LoggedPoint& p : run.points) {
    if (p.metric_id != epoch_id || p.epoch) continue;
    if (!epochs.add(*p.step, p.offset, p.value)) {
      run.warnings.push_back(run.file + "@" + std::to_string(p.offset) +
                             ": an 'epoch' value that is not a whole number >= 0; values are "
                             "left without epochs");
      return;
    }
  }
  if (epochs.empty()) return;
  std::erase_if(run.points,
                [&](const LoggedPoint& p) { return p.metric_id == epoch_id && !p.epoch; });
  for (LoggedPoint& p : run.points) {
    if (p.epoch) continue;
    p.epoch = epochs.at(*p.step, p.offset);
    p.per_step = detail::lightning_per_step(run.metric(p), p.split);
  }
}

LoggedRun read_records(detail::ByteSource& source, const std::string& name) {
  LoggedRun run;
  run.format = "tensorboard";
  run.file = name;
  // The Keras TensorBoard callback writes logs/train/ and logs/validation/ with the same
  // tags; the folder is then the only place the split is written.
  const std::string folder = std::filesystem::path(name).parent_path().filename().string();
  const Split dir_split = split_from_metric_name(folder, Split::train);
  // Each tag's plugin, from the first value that carries metadata: TF2's writer sends a
  // tag's SummaryMetadata with its first value only.
  std::map<std::string, std::string, std::less<>> plugin_of_tag;
  std::vector<std::size_t> keras_pending;             // batch_ and evaluation_ values (keras_tag)
  std::unordered_map<std::string, MetricId> tag_ids;  // run.metrics' index

  const std::uint64_t total = source.size();
  std::vector<std::byte> data;  // reused across records; sized only from checked lengths
  metricaudit::tbproto::Event event;
  for (std::uint64_t offset = 0; offset < total;) {
    const std::uint64_t left = total - offset;
    std::array<std::byte, 12> header{};
    if (left < header.size()) {
      fail_at(name, offset,
              "truncated record: expected a 12-byte header (8-byte length, 4-byte CRC), found " +
                  std::to_string(left) + " bytes");
    }
    if (source.read(header.data(), header.size()) != header.size()) {
      fail_at(name, offset, "truncated record: the file ended while reading its header");
    }
    const std::uint64_t length = le_u64(header.data());
    const std::uint32_t stored_length_crc = le_u32(header.data() + 8);
    const std::uint32_t length_crc = detail::masked_crc32c(std::span(header.data(), 8));
    if (stored_length_crc != length_crc) {
      fail_at(name, offset,
              "length CRC mismatch: the record stores masked CRC-32C " + hex32(stored_length_crc) +
                  " for its length bytes, computed " + hex32(length_crc));
    }
    // Checked before `data` is sized from it: a corrupt or hostile length must not allocate.
    const std::uint64_t rest = left - header.size();
    if (length > rest || rest - length < 4) {
      fail_at(name, offset,
              "truncated record: length " + std::to_string(length) +
                  " plus the 4-byte data CRC exceeds the " + std::to_string(rest) +
                  " bytes left in the file");
    }
    data.resize(static_cast<std::size_t>(length));
    std::array<std::byte, 4> trailer{};
    if (source.read(data.data(), data.size()) != data.size() ||
        source.read(trailer.data(), trailer.size()) != trailer.size()) {
      fail_at(name, offset, "truncated record: the file ended while reading its data");
    }
    const std::uint32_t stored_data_crc = le_u32(trailer.data());
    const std::uint32_t data_crc = detail::masked_crc32c(data);
    if (stored_data_crc != data_crc) {
      fail_at(name, offset,
              "data CRC mismatch: the record stores masked CRC-32C " + hex32(stored_data_crc) +
                  " for its " + std::to_string(length) + " data bytes, computed " +
                  hex32(data_crc));
    }
    if (length > static_cast<std::uint64_t>(INT_MAX) ||
        !event.ParseFromArray(data.data(), static_cast<int>(length))) {
      fail_at(name, offset,
              "the record's " + std::to_string(length) +
                  " data bytes are not a valid Event protocol buffer");
    }
    if (offset == 0 && !(event.what_case() == metricaudit::tbproto::Event::kFileVersion &&
                         event.file_version().starts_with("brain.Event:"))) {
      // event.proto: the first event of a file holds file_version "brain.Event:2".
      run.warnings.push_back(name +
                             "@0: the first record is not a file_version event "
                             "(expected \"brain.Event:2\"); reading on");
    }
    if (event.what_case() == metricaudit::tbproto::Event::kSummary) {
      for (const auto& value : event.summary().value()) {
        const std::string& plugin = value.metadata().plugin_data().plugin_name();
        if (!plugin.empty()) plugin_of_tag.try_emplace(value.tag(), plugin);
        if (value.value_case() == metricaudit::tbproto::Summary::Value::kTensor) {
          // A tensor of another plugin (hparams, a Keras model's text, pr_curves) is not a
          // scalar even when it holds one number.
          const auto known = plugin_of_tag.find(value.tag());
          if (known != plugin_of_tag.end() && known->second != kScalarsPlugin) continue;
        }
        const auto scalar = scalar_of(value, name, offset, run.warnings);
        if (!scalar) continue;
        if (event.step() == LoggedIndex::kNone) {
          fail_at(name, offset, "the step " + std::to_string(event.step()) + " is out of range");
        }
        LoggedPoint p;
        const auto [id, added] =
            tag_ids.try_emplace(value.tag(), static_cast<MetricId>(run.metrics.size()));
        if (added) run.metrics.push_back(value.tag());
        p.metric_id = id->second;
        p.split = split_from_metric_name(value.tag(), dir_split);
        p.step = event.step();
        if (scalar->tensor && keras_tag(p, value.tag())) keras_pending.push_back(run.points.size());
        p.value = scalar->value;
        p.precision.kind = scalar->kind;
        p.line = 0;
        p.offset = static_cast<std::int64_t>(offset);
        run.points.push_back(std::move(p));
      }
    }
    offset += header.size() + length + trailer.size();
  }
  place_keras_values(run, keras_pending);
  place_by_epoch_scalar(run);
  return run;
}

}  // namespace

std::string split_from_tag(std::string_view tag) {
  return std::string(split_name(split_from_metric_name(tag, Split::train)));
}

LoggedRun read_tensorboard(const std::filesystem::path& file) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) throw InputError(file.string() + ": cannot read: " + ec.message());
  detail::FileSource source(file, size);
  if (!source.is_open()) throw InputError(file.string() + ": cannot open for reading");
  return read_records(source, file.string());
}

LoggedRun parse_tensorboard(std::span<const std::byte> bytes, const std::string& name) {
  detail::MemorySource source(bytes);
  return read_records(source, name);
}

namespace detail {

// A file named "*tfevents*", or one whose first 12 bytes are a TFRecord header: a length
// and the masked CRC-32C of its 8 bytes (tensorflow/core/lib/io/record_writer.cc).
std::optional<std::size_t> sniff_tensorboard(const LogCandidate& c) {
  if (c.directory) return std::nullopt;
  if (c.path.string().find("tfevents") != std::string::npos) return 0;
  if (c.head.size() < 12) return std::nullopt;
  const auto* b = reinterpret_cast<const std::byte*>(c.head.data());
  if (detail::masked_crc32c(std::span(b, 8)) != le_u32(b + 8)) return std::nullopt;
  return 0;
}

std::vector<LoggedRun> read_tensorboard_log(const LogSource& source, const TextLogOptions&) {
  std::vector<LoggedRun> runs;
  if (!source.path.empty()) {
    runs.push_back(read_tensorboard(source.path));
  } else {
    const std::string bytes(std::istreambuf_iterator<char>(*source.stream), {});
    runs.push_back(parse_tensorboard(std::as_bytes(std::span(bytes)), source.name));
  }
  return runs;
}

}  // namespace detail

}  // namespace metricaudit::audit
