// The .npz reader, over libzip. numpy's np.savez / np.savez_compressed
// (numpy/lib/npyio.py, _savez) write one "<name>.npy" member per array through
// Python's zipfile, ZIP_STORED or ZIP_DEFLATED, with force_zip64=True for members
// whose size it cannot bound in advance; libzip reads both and ZIP64.
#include <algorithm>
#include <memory>
#include <set>

#include <zip.h>

#include "internal.hpp"
#include "metricaudit/audit/npz.hpp"

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

  NpzContents out;
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), index, 0, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0) {
      throw InputError(path + ": cannot read entry " + std::to_string(i) +
                       " of the archive: " + zip_strerror(archive.get()));
    }
    const std::string member = st.name;
    const std::string member_name = path + "[" + member + "]";
    constexpr std::string_view kExt = ".npy";
    if (member.size() <= kExt.size() || !member.ends_with(kExt)) {
      out.warnings.push_back(path + ": ignored member '" + member + "' (not a .npy array)");
      continue;
    }
    const std::string key = member.substr(0, member.size() - kExt.size());
    if (!only.empty() && std::find(only.begin(), only.end(), key) == only.end()) {
      out.warnings.push_back(path + ": ignored member '" + member +
                             "' (not one of the arrays read)");
      continue;
    }
    if (out.arrays.count(key) != 0) {
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
  }
  return out;
}

}  // namespace metricaudit::audit
