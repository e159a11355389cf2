// The .npz reader against archives written by np.savez / np.savez_compressed (ZIP64
// local headers: numpy always passes force_zip64=True), a hand-made ZIP64 "bomb" and
// a stored member with a flipped byte (tests/data/binary/generate.py).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

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
