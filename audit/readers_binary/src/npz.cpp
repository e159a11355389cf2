// The .npz reader. numpy's np.savez / np.savez_compressed (numpy/lib/npyio.py, _savez)
// write one "<name>.npy" member per array through Python's zipfile, ZIP_STORED or
// ZIP_DEFLATED, with force_zip64=True for members whose size it cannot bound in advance.
//
// libzip reads the archive's directory (and ZIP64) and every stored member, straight into
// the array's storage (no intermediate copy; libzip checks the CRC-32). A deflated member
// is inflated whole by libdeflate, from a read-only memory map of the archive where its
// bytes can be located (zip_layout.hpp; else read raw by libzip into memory), into a
// 64-byte aligned image whose data the array then uses in place; the CRC-32 is checked by
// libdeflate's. Deflated members inflate in parallel, one thread each (OpenMP).
#include <fcntl.h>
#include <libdeflate.h>
#include <omp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include <zip.h>

#include "internal.hpp"
#include "metricaudit/audit/npz.hpp"
#include "zip_layout.hpp"

namespace metricaudit::audit {

namespace {

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }  // read-only: nothing to write back
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// One member, inflated as it is read. Its size is the size the archive declares; the
// npy parser never asks for more, and the caller checks the stream ends there.
class ZipMemberSource final : public detail::ByteSource {
 public:
  ZipMemberSource(zip_file_t* file, std::uint64_t declared, std::string name)
      : file_(file), declared_(declared), name_(std::move(name)) {}
  std::uint64_t size() const override { return declared_; }
  std::size_t read(std::byte* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n) {
      const zip_int64_t k = zip_fread(file_, dst + got, n - got);
      if (k < 0) throw InputError(name_ + ": cannot read: " + zip_file_strerror(file_));
      if (k == 0) break;
      got += static_cast<std::size_t>(k);
    }
    return got;
  }

 private:
  zip_file_t* file_;
  std::uint64_t declared_;
  std::string name_;
};

struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// The archive mapped read-only (MAP_PRIVATE): its deflated members are inflated from the
// page cache without a copy. Measured on a 3.7 GB np.savez_compressed dump on this
// project's VM: metricaudit explain 18.8-24.5 s with the member read into fresh memory,
// 11.4-12.0 s mapped (system time 9-15 s -> 2 s: fresh pages are dear in a VM).
class MappedFile {
 public:
  /// The mapping of `path` (`bytes` long), or null where the system refuses it.
  static std::shared_ptr<const MappedFile> open(const std::string& path, std::uint64_t bytes) {
    if (bytes == 0) return nullptr;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    void* p = mmap(nullptr, static_cast<std::size_t>(bytes), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);  // the mapping keeps the file
    if (p == MAP_FAILED) return nullptr;
    return std::shared_ptr<const MappedFile>(new MappedFile(p, bytes));
  }
  ~MappedFile() { munmap(data_, static_cast<std::size_t>(bytes_)); }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::span<const std::byte> bytes() const {
    return {static_cast<const std::byte*>(data_), static_cast<std::size_t>(bytes_)};
  }

 private:
  MappedFile(void* p, std::uint64_t bytes) : data_(p), bytes_(bytes) {}
  void* data_;
  std::uint64_t bytes_;
};

// A deflated member's stored bytes, to be inflated: in the archive's mapping, or read raw
// through libzip into memory of its own.
struct Deflated {
  std::string key, name;
  std::shared_ptr<const MappedFile> map;
  std::unique_ptr<std::byte[]> owned;  // not zeroed: read over at once
  const std::byte* compressed = nullptr;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;  // declared uncompressed size
  std::uint32_t crc = 0;   // declared CRC-32
};

std::unique_ptr<std::byte[]> read_raw(zip_t* archive, zip_uint64_t index, std::uint64_t bytes,
                                      const std::string& name) {
  std::unique_ptr<zip_file_t, FileCloser> handle(
      zip_fopen_index(archive, index, ZIP_FL_COMPRESSED));
  if (!handle) throw InputError(name + ": cannot open the member: " + zip_strerror(archive));
  std::unique_ptr<std::byte[]> out(new std::byte[std::max<std::uint64_t>(bytes, 1)]);
  ZipMemberSource source(handle.get(), bytes, name);
  if (source.read(out.get(), static_cast<std::size_t>(bytes)) != bytes) {
    throw InputError(name + ": truncated: the archive holds fewer than the " +
                     std::to_string(bytes) + " compressed bytes it declares");
  }
  return out;
}

// Large images are backed by huge pages where the kernel offers them on request
// (transparent_hugepage=madvise): one page fault per 2 MiB instead of per 4 KiB as
// the inflater first writes them. Advice only: nothing changes if it is refused.
void advise_huge_pages(std::byte* p, std::uint64_t bytes) {
  constexpr std::uint64_t kHuge = std::uint64_t{2} << 20;
  if (bytes < 4 * kHuge) return;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// Faults a large image's pages in on a thread of its own while the inflater fills it from
// the start: MADV_POPULATE_WRITE (Linux >= 5.14) maps each page writable and leaves its
// contents alone, so it may run ahead of the writes or behind them. The inflater then
// finds its pages mapped: the kernel's work of zeroing them leaves its thread, the one
// that bounds a dump's load (on this project's VM, fresh pages cost about 1 s of system
// time per GB). Where the kernel refuses the advice, nothing happens.
class PageFaulter {
 public:
  PageFaulter(std::byte* p, std::uint64_t bytes) {
#ifdef MADV_POPULATE_WRITE
    constexpr std::uint64_t kMin = std::uint64_t{64} << 20;
    if (bytes < kMin) return;
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) / page * page;
    try {
      thread_ = std::thread([this, begin, end] {
        constexpr std::uintptr_t kStep = std::uintptr_t{32} << 20;  // 32 MiB a call: stops soon
        for (std::uintptr_t at = begin; at < end && !stop_.load(std::memory_order_relaxed);
             at += kStep) {
          const std::uintptr_t n = std::min(kStep, end - at);
          if (madvise(reinterpret_cast<void*>(at), n, MADV_POPULATE_WRITE) != 0) return;
        }
      });
    } catch (const std::system_error&) {
      // No thread to spare: the inflater faults its pages in itself, as without the advice.
    }
#else
    (void)p;
    (void)bytes;
#endif
  }
  ~PageFaulter() {
    stop_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
  }
  PageFaulter(const PageFaulter&) = delete;
  PageFaulter& operator=(const PageFaulter&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

NpyArray inflate(Deflated& m, libdeflate_decompressor* d, const ReadLimits& limits) {
  auto image = detail::allocate_aligned(m.size);
  advise_huge_pages(image.get(), m.size);
  std::optional<PageFaulter> faulter(std::in_place, image.get(), m.size);
  std::size_t got = 0;
  const libdeflate_result r =
      libdeflate_deflate_decompress(d, m.compressed, static_cast<std::size_t>(m.compressed_size),
                                    image.get(), static_cast<std::size_t>(m.size), &got);
  faulter.reset();
  if (r == LIBDEFLATE_BAD_DATA) throw InputError(m.name + ": cannot read: invalid deflate data");
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
    throw InputError(m.name + ": the member inflates to more than its declared " +
                     std::to_string(m.size) + " bytes");
  }
  if (r != LIBDEFLATE_SUCCESS || got != m.size) {
    throw InputError(m.name + ": the member inflates to " + std::to_string(got) +
                     " bytes, fewer than its declared " + std::to_string(m.size));
  }
  m.owned.reset();  // before the array is parsed (converted dtypes take a copy)
  m.map.reset();
  if (libdeflate_crc32(0, image.get(), got) != m.crc) {
    throw InputError(m.name + ": cannot read: CRC error");
  }
  return detail::parse_npy_image(std::move(image), m.size, m.name, limits);
}

// Inflates the members, largest first, one thread each; the error of the first member in
// archive order wins, whatever the thread count.
std::vector<NpyArray> inflate_all(std::vector<Deflated>& members, const ReadLimits& limits) {
  const auto n = static_cast<std::int64_t>(members.size());
  std::vector<std::int64_t> order(members.size());
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return members[static_cast<std::size_t>(a)].size > members[static_cast<std::size_t>(b)].size;
  });
  std::vector<NpyArray> out(members.size());
  std::vector<std::exception_ptr> errors(members.size());
#pragma omp parallel num_threads( \
    static_cast <int>(std::min <std::int64_t>(n, omp_get_max_threads()))) if (n > 1)
  {
    std::unique_ptr<libdeflate_decompressor, DecompressorFree> d(libdeflate_alloc_decompressor());
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t k = 0; k < n; ++k) {
      const auto i = static_cast<std::size_t>(order[static_cast<std::size_t>(k)]);
      try {
        if (!d) throw std::bad_alloc();
        out[i] = inflate(members[i], d.get(), limits);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return out;
}

}  // namespace

NpzContents read_npz(const std::filesystem::path& file, const std::vector<std::string>& only,
                     const ReadLimits& limits) {
  const std::string path = file.string();
  int code = 0;
  std::unique_ptr<zip_t, ArchiveCloser> archive(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string what = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw InputError(path + ": not a readable .npz (ZIP) archive: " + what);
  }

  std::error_code ec;
  const std::uint64_t archive_bytes = std::filesystem::file_size(file, ec);
  if (ec) throw InputError(path + ": cannot read: " + ec.message());

  NpzContents out;
  std::vector<Deflated> deflated;
  std::shared_ptr<const MappedFile> map;  // mapped at the first deflated member
  bool map_tried = false;
  std::set<std::string> keys;
  // One entry of the directory: checked, then read now (stored) or raw for inflating.
  auto visit = [&](zip_uint64_t index) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), index, 0, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0) {
      throw InputError(path + ": cannot read entry " + std::to_string(index) +
                       " of the archive: " + zip_strerror(archive.get()));
    }
    const std::string member = st.name;
    const std::string member_name = path + "[" + member + "]";
    constexpr std::string_view kExt = ".npy";
    if (member.size() <= kExt.size() || !member.ends_with(kExt)) {
      out.warnings.push_back(path + ": ignored member '" + member + "' (not a .npy array)");
      return;
    }
    const std::string key = member.substr(0, member.size() - kExt.size());
    if (!only.empty() && std::find(only.begin(), only.end(), key) == only.end()) {
      out.warnings.push_back(path + ": ignored member '" + member +
                             "' (not one of the arrays read)");
      return;
    }
    if (!keys.insert(key).second) {
      throw InputError(path + ": member '" + member + "' appears more than once");
    }
    if ((st.valid & ZIP_STAT_SIZE) == 0) {
      throw InputError(member_name + ": the archive does not declare the member's size");
    }
    // Zip bomb defence: the declared size bounds everything read below, and it is checked
    // before a byte is inflated.
    if (st.size > limits.max_member_bytes) {
      throw InputError(member_name + ": declared uncompressed size " + std::to_string(st.size) +
                       " bytes exceeds the limit of " + std::to_string(limits.max_member_bytes) +
                       " (ReadLimits::max_member_bytes)");
    }
    constexpr zip_uint64_t kRaw =
        ZIP_STAT_COMP_METHOD | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC | ZIP_STAT_ENCRYPTION_METHOD;
    if ((st.valid & kRaw) == kRaw && st.comp_method == ZIP_CM_DEFLATE &&
        st.encryption_method == ZIP_EM_NONE) {
      if (st.comp_size > archive_bytes) {
        throw InputError(member_name + ": declares " + std::to_string(st.comp_size) +
                         " compressed bytes, more than the archive's " +
                         std::to_string(archive_bytes));
      }
      // Deflate expands at most 1032:1 (a 258-byte match per 2 bits); a declared size
      // beyond that is a lie, refused before its image is allocated (and faulted in).
      constexpr std::uint64_t kMaxRatio = 1032, kSlack = 1024;
      if (st.size > st.comp_size * kMaxRatio + kSlack) {
        throw InputError(member_name + ": declares " + std::to_string(st.size) +
                         " bytes uncompressed, more than its " + std::to_string(st.comp_size) +
                         " deflated bytes can hold (at most 1032 to 1)");
      }
      Deflated m{key, member_name, nullptr, nullptr, nullptr, st.comp_size, st.size, st.crc};
      if (!map_tried) {
        map_tried = true;
        map = MappedFile::open(path, archive_bytes);
      }
      const auto span =
          map ? detail::member_data_span(map->bytes(), member, st.comp_size) : std::nullopt;
      if (span) {
        m.compressed = map->bytes().data() + span->offset;
        m.map = map;
        // Read ahead (the inflater walks it once, from the start).
        const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
        const std::uint64_t first = span->offset / page * page;
        madvise(const_cast<std::byte*>(map->bytes().data()) + first,
                static_cast<std::size_t>(span->offset + span->size - first), MADV_WILLNEED);
      } else {
        m.owned = read_raw(archive.get(), index, st.comp_size, member_name);
        m.compressed = m.owned.get();
      }
      deflated.push_back(std::move(m));
      return;
    }
    // Stored (and whatever else libzip inflates itself): read into the array's storage.
    std::unique_ptr<zip_file_t, FileCloser> handle(zip_fopen_index(archive.get(), index, 0));
    if (!handle) {
      throw InputError(member_name + ": cannot open the member: " + zip_strerror(archive.get()));
    }
    ZipMemberSource source(handle.get(), st.size, member_name);
    NpyArray array = detail::parse_npy_source(source, member_name, limits);
    // The parser consumed exactly the declared size. Reading on must hit the end: that is
    // also when libzip compares the member's CRC-32 (zip_source_crc), so a corrupt
    // member is caught here, and one that inflates past its declared size too.
    std::byte extra{};
    if (source.read(&extra, 1) != 0) {
      throw InputError(member_name + ": the member inflates to more than its declared " +
                       std::to_string(st.size) + " bytes");
    }
    out.arrays.emplace(key, std::move(array));
  };
  // The error reported is the first in archive order: a deflated member's only shows when
  // it is inflated, so an error met in the directory waits for the members before it.
  std::exception_ptr later;
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < entries && !later; ++i) {
    try {
      visit(static_cast<zip_uint64_t>(i));
    } catch (...) {
      later = std::current_exception();
    }
  }
  std::vector<NpyArray> inflated = inflate_all(deflated, limits);
  if (later) std::rethrow_exception(later);
  for (std::size_t i = 0; i < deflated.size(); ++i) {
    out.arrays.emplace(deflated[i].key, std::move(inflated[i]));
  }
  return out;
}

}  // namespace metricaudit::audit
