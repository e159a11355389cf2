// libFuzzer harness: .npz archives through libzip (directory, ZIP64, stored and deflated
// members, declared sizes vs what inflates, CRC-32), then the dump checks of load_dump
// and the recomputation the audit does on a dump it accepts (SufficientState from the
// scores' width, one update, both catalogues). The archive is handed to libzip as a
// memfd, so nothing touches the disk.
//
// seeds: tests/data/binary/npz/*.npz tests/data/binary/dumps/**/*.npz
// seeds: examples/*/predictions/train_step1*.npz examples/clean/predictions/val_epoch0.npz
// dict: fuzz/dicts/npz.dict
// max_len: 131072
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "fuzz_support.hpp"
#include "metricaudit/audit/dumps.hpp"
#include "metricaudit/audit/npz.hpp"
#include "metricaudit/catalogue.hpp"
#include "metricaudit/error.hpp"
#include "metricaudit/evaluate.hpp"

namespace {

struct Memfd {
  int fd = memfd_create("fuzz.npz", 0);
  ~Memfd() {
    if (fd >= 0) close(fd);
  }
};

void recompute(const metricaudit::audit::Dump& d) {
  using namespace metricaudit;
  const audit::NpyArray* scores = d.logits ? &*d.logits : (d.probs ? &*d.probs : nullptr);
  if (scores == nullptr || scores->shape.size() != 2) return;
  if (d.target.shape.size() != 1 || d.target.dtype == DType::float32 ||
      d.target.dtype == DType::float64) {
    return;
  }
  MulticlassBatch batch;
  batch.scores = scores->view();
  batch.target = d.target.view();
  if (d.sample_weight) batch.sample_weight = d.sample_weight->view();
  StateOptions o;
  o.num_classes = batch.scores.cols;
  o.smoothing_terms = false;
  o.threads = 1;
  try {
    const SufficientState s = evaluate(batch, o);
    (void)catalogue(s, MetricKind::accuracy);
    (void)catalogue(s, MetricKind::loss);
  } catch (const InvalidArgument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metricaudit;
  static Memfd memfd;
  if (memfd.fd < 0) metricaudit::fuzz::violated("memfd_create failed");
  if (ftruncate(memfd.fd, 0) != 0) metricaudit::fuzz::violated("ftruncate failed");
  for (std::size_t done = 0; done < size;) {
    const ssize_t k = pwrite(memfd.fd, data + done, size - done, static_cast<off_t>(done));
    if (k <= 0) metricaudit::fuzz::violated("pwrite failed");
    done += static_cast<std::size_t>(k);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(memfd.fd);
  audit::ReadLimits limits;  // the command's defaults: the zip bomb defence is under test
  try {
    const audit::NpzContents c = audit::read_npz(path, {}, limits);
    for (const auto& [key, array] : c.arrays) {
      fuzz::check(!key.empty(), "member names are not empty");
      fuzz::check(array.storage != nullptr, "storage is never null");
    }
  } catch (const InputError&) {
  }
  audit::DumpLocation where;
  where.split = "val";
  where.epoch = 0;
  where.npz = path;
  try {
    std::vector<std::string> warnings;
    const audit::Dump d = audit::load_dump(where, limits, &warnings);
    recompute(d);
  } catch (const InputError&) {
  }
  return 0;
}
