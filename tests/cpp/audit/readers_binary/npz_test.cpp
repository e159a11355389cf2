// The .npz reader against archives written by np.savez / np.savez_compressed (ZIP64
// local headers: numpy always passes force_zip64=True), a hand-made ZIP64 "bomb" and
// a stored member with a flipped byte (tests/data/binary/generate.py).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <zip.h>

#include "metricaudit/audit/npz.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::data;
using testing::input_error_of;
using testing::values;

TEST(Npz, ReadsStoredMembers) {
  const NpzContents c = read_npz(data("npz/savez.npz"));
  ASSERT_EQ(c.arrays.size(), 2u);
  EXPECT_TRUE(c.warnings.empty());
  const NpyArray& target = c.arrays.at("target");
  EXPECT_EQ(target.dtype, DType::int64);
  EXPECT_EQ(values<std::int64_t>(target), (std::vector<std::int64_t>{0, 2, 1, 1, 0, 2, 2, 1}));
  const NpyArray& logits = c.arrays.at("logits");
  EXPECT_EQ(logits.dtype, DType::float32);
  EXPECT_EQ(logits.shape, (std::vector<std::int64_t>{8, 3}));
  const auto v = values<float>(logits);
  EXPECT_EQ(v.front(), -2.0f);
  EXPECT_EQ(v.back(), 2.0f);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(logits.storage.get()) % 64, 0u);
}

TEST(Npz, ReadsDeflatedMembers) {
  const NpzContents c = read_npz(data("npz/savez_compressed.npz"));
  ASSERT_EQ(c.arrays.size(), 3u);
  EXPECT_EQ(c.arrays.at("target").dtype, DType::int32);
  const NpyArray& probs = c.arrays.at("probs");
  EXPECT_EQ(probs.dtype, DType::float64);
  EXPECT_EQ(probs.shape, (std::vector<std::int64_t>{8, 3}));
  for (const double p : values<double>(probs)) EXPECT_EQ(p, 1.0 / 3.0);
  EXPECT_EQ(values<float>(c.arrays.at("sample_weight")), std::vector<float>(8, 1.0f));
  // Inflated into 64-byte aligned storage and used in place.
  for (const auto& [name, array] : c.arrays) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(array.storage.get()) % 64, 0u) << name;
  }
}

TEST(Npz, DeflatedMembersAreCheckedAsTheyInflate) {
  // libdeflate inflates the member whole into its declared size; the CRC-32 is checked
  // after (tests/data/binary/generate.py, gen_npz_inflate).
  const struct {
    const char* file;
    const char* message;
  } cases[] = {
      {"npz/deflated_crc.npz", "cannot read: CRC error"},
      {"npz/deflated_bad_data.npz", "cannot read: invalid deflate data"},
      {"npz/deflated_short.npz", "the member inflates to 224 bytes, fewer than its declared 288"},
      {"npz/deflated_long.npz", "the member inflates to more than its declared 160 bytes"},
  };
  for (const auto& c : cases) {
    const std::string f = data(c.file);
    EXPECT_EQ(input_error_of([&] { read_npz(f); }), f + "[logits.npy]: " + c.message);
  }
}

TEST(Npz, TheFirstBadMemberInArchiveOrderIsReported) {
  // logits.npy (deflated, wrong CRC) comes before target.npy (stored, an object array):
  // the deflated member's error only shows when it inflates, after the directory is read.
  const std::string f = data("npz/deflated_then_bad.npz");
  EXPECT_EQ(input_error_of([&] { read_npz(f); }), f + "[logits.npy]: cannot read: CRC error");
}

TEST(Npz, MembersNotAskedForAreSkippedWithAWarning) {
  const std::string f = data("npz/extra_member.npz");
  const NpzContents c = read_npz(f, {"target", "preds"});
  EXPECT_EQ(c.arrays.size(), 2u);
  EXPECT_EQ(c.arrays.count("notes"), 0u);
  EXPECT_EQ(c.warnings, std::vector<std::string>{
                            f + ": ignored member 'notes.npy' (not one of the arrays read)"});
  EXPECT_EQ(read_npz(f).arrays.size(), 3u);  // nothing asked for: everything read

  const std::string g = data("npz/non_npy_member.npz");
  const NpzContents d = read_npz(g);
  EXPECT_EQ(d.arrays.size(), 1u);
  EXPECT_EQ(d.warnings,
            std::vector<std::string>{g + ": ignored member 'README.txt' (not a .npy array)"});
}

TEST(Npz, DeclaredSizeIsCheckedBeforeInflating) {
  // 11 compressed bytes declaring 1 TiB in their ZIP64 extra field.
  const std::string f = data("npz/bomb.npz");
  EXPECT_EQ(input_error_of([&] { read_npz(f); }),
            f + "[target.npy]: declared uncompressed size 1099511627776 bytes exceeds the limit of "
                "17179869184 (ReadLimits::max_member_bytes)");
  // Under a limit it passes, but 11 deflated bytes cannot inflate to 1 TiB.
  ReadLimits huge;
  huge.max_member_bytes = std::uint64_t{1} << 41;
  EXPECT_EQ(input_error_of([&] { read_npz(f, {}, huge); }),
            f + "[target.npy]: declares 1099511627776 bytes uncompressed, more than its 11 "
                "deflated bytes can hold (at most 1032 to 1)");
  // The same check on a real archive with a small limit: target.npy (192 bytes) passes,
  // logits.npy (224 bytes) does not.
  const std::string g = data("npz/savez.npz");
  ReadLimits limits;
  limits.max_member_bytes = 200;
  EXPECT_EQ(input_error_of([&] { read_npz(g, {}, limits); }),
            g + "[logits.npy]: declared uncompressed size 224 bytes exceeds the limit of 200 "
                "(ReadLimits::max_member_bytes)");
}

TEST(Npz, CorruptMemberFailsOnItsCrc) {
  const std::string f = data("npz/corrupt_crc.npz");
  EXPECT_EQ(input_error_of([&] { read_npz(f); }), f + "[logits.npy]: cannot read: CRC error");
}

TEST(Npz, MalformedMemberNamesArchiveMemberAndOffset) {
  const std::string f = data("npz/bad_member.npz");
  EXPECT_EQ(input_error_of([&] { read_npz(f); }),
            f + "[target.npy]@20: header: dtype '|O' is an object array (pickled Python "
                "objects); metricaudit reads numeric arrays only: save with a numeric dtype, e.g. "
                "np.asarray(x, dtype=np.float32)");
}

TEST(Npz, EveryTruncationFailsCleanly) {
  std::ifstream in(data("npz/savez_compressed.npz"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const metricaudit::testing::ScratchDir dir;
  const std::string cut = (dir / "cut.npz").string();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    {
      std::ofstream out(cut, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(n));
    }
    EXPECT_THROW(read_npz(cut), InputError) << n;
  }
}

// A deflated member of 80 MB: above PageFaulter's 64 MiB, so its pages are faulted in on
// a second thread while libdeflate inflates it from the archive's map (npz.cpp). Written
// with libzip (zlib), float32 values that say where they belong.
TEST(Npz, ALargeDeflatedMemberInflatesWhileItsPagesAreFaultedIn) {
  constexpr std::size_t kCount = 20'000'000;  // 80 MB of float32
  std::string npy = "\x93NUMPY";
  npy += '\x01';
  npy += '\x00';
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(kCount) + ",), }";
  // Padded with spaces so that the data starts at a multiple of 64 (10 bytes before it).
  header.resize((10 + header.size() + 1 + 63) / 64 * 64 - 10 - 1, ' ');
  header += '\n';
  npy += static_cast<char>(header.size() & 0xFF);
  npy += static_cast<char>(header.size() >> 8);
  npy += header;
  const std::size_t data_at = npy.size();
  npy.resize(data_at + kCount * sizeof(float));
  for (std::size_t i = 0; i < kCount; ++i) {
    const auto v = static_cast<float>(i % 1000);
    std::memcpy(npy.data() + data_at + i * sizeof(float), &v, sizeof v);
  }
  const metricaudit::testing::ScratchDir dir;
  const std::string f = (dir / "large.npz").string();
  {
    int code = 0;
    zip_t* z = zip_open(f.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    ASSERT_NE(z, nullptr);
    zip_source_t* src = zip_source_buffer(z, npy.data(), npy.size(), 0);
    ASSERT_NE(src, nullptr);
    const zip_int64_t index = zip_file_add(z, "scores.npy", src, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0);
    ASSERT_EQ(zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 1), 0);
    ASSERT_EQ(zip_close(z), 0);
  }
  const NpzContents c = read_npz(f);
  ASSERT_EQ(c.arrays.size(), 1u);
  const auto v = values<float>(c.arrays.at("scores"));
  ASSERT_EQ(v.size(), kCount);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < kCount; ++i) wrong += v[i] != static_cast<float>(i % 1000);
  EXPECT_EQ(wrong, 0u);
}

TEST(Npz, NotAnArchive) {
  const std::string f = data("npz/not_a_zip.npz");
  EXPECT_EQ(input_error_of([&] { read_npz(f); }),
            f + ": not a readable .npz (ZIP) archive: Not a zip archive");
  const std::string g = data("npz/does_not_exist.npz");
  EXPECT_EQ(input_error_of([&] { read_npz(g); }),
            g + ": not a readable .npz (ZIP) archive: No such file");
}

}  // namespace
}  // namespace metricaudit::audit
