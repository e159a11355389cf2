// member_data_span (audit/readers_binary/src/zip_layout.hpp), with libzip as the oracle:
// on numpy's archives and on hand-built ZIP64 ones, the span holds exactly the bytes
// libzip reads raw (ZIP_FL_COMPRESSED) for that member; anything off the plain layout
// gives nullopt (the reader then goes through libzip), and no prefix or flipped byte of
// an archive makes it read out of bounds (ASan builds run this too).
#include <gtest/gtest.h>
#include <zip.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../../../audit/readers_binary/src/zip_layout.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using detail::member_data_span;
using testing::as_span;
using testing::data;
using testing::file_bytes;

struct RawMember {
  std::string name;
  std::uint64_t compressed_size = 0;
  std::string raw;  // the stored bytes, as libzip reads them with ZIP_FL_COMPRESSED
};

// Every member of `file`, read by libzip.
std::vector<RawMember> libzip_members(const std::string& file) {
  std::vector<RawMember> out;
  int code = 0;
  zip_t* z = zip_open(file.c_str(), ZIP_RDONLY, &code);
  if (!z) return out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st);
    RawMember m{st.name, st.comp_size, std::string(st.comp_size, '\0')};
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), ZIP_FL_COMPRESSED);
    if (f) {
      const zip_int64_t got = zip_fread(f, m.raw.data(), m.raw.size());
      m.raw.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
      zip_fclose(f);
    }
    out.push_back(std::move(m));
  }
  zip_discard(z);
  return out;
}

::testing::AssertionResult spans_are_libzips(const std::string& file) {
  const std::string bytes = file_bytes(file);
  const auto members = libzip_members(file);
  if (members.empty()) return ::testing::AssertionFailure() << file << ": libzip reads nothing";
  for (const RawMember& m : members) {
    const auto span = member_data_span(as_span(bytes), m.name, m.compressed_size);
    if (!span) return ::testing::AssertionFailure() << file << "[" << m.name << "]: not found";
    if (span->size != m.compressed_size || bytes.compare(span->offset, span->size, m.raw) != 0) {
      return ::testing::AssertionFailure() << file << "[" << m.name << "]: the span at "
                                           << span->offset << " is not the member's stored bytes";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(ZipLayout, NumpyArchivesSpansAreTheBytesLibzipReads) {
  for (const char* f :
       {"npz/savez.npz", "npz/savez_compressed.npz", "npz/extra_member.npz",
        "npz/non_npy_member.npz", "npz/deflated_long.npz", "npz/deflated_then_bad.npz"}) {
    EXPECT_TRUE(spans_are_libzips(data(f)));
  }
}

// ---- archives built here -------------------------------------------------------------

void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

struct Layout {
  bool zip64_sizes = false;   // both sizes 0xFFFFFFFF, in the central ZIP64 extra field
  bool zip64_offset = false;  // the local header offset 0xFFFFFFFF, in that field
  bool zip64_end = false;     // the end record's fields 0xFFFF..., a ZIP64 end record
  std::string comment;        // the archive comment
  std::string local_name;     // the name the local header gives (empty: the same)
  std::uint16_t flags = 0;
  std::string first_name = "first.npy";  // the member before "a.npy"
};

// A layout with `change` applied to the default one.
template <typename Change>
Layout layout(Change&& change) {
  Layout l;
  change(l);
  return l;
}

Layout zip64(bool sizes, bool offset, bool end) {
  return layout([&](Layout& l) {
    l.zip64_sizes = sizes;
    l.zip64_offset = offset;
    l.zip64_end = end;
  });
}

// A stored member "a.npy" after a stored member "first.npy", as Python's zipfile lays
// them out; the data of "a.npy" starts at data_offset.
struct Built {
  std::string bytes;
  std::uint64_t data_offset = 0, size = 0;
};

Built build(const Layout& l) {
  struct Member {
    std::string name, data;
  };
  const Member members[] = {{l.first_name, "0123456789"}, {"a.npy", "the member's bytes"}};
  std::string out, central;
  Built b;
  for (const Member& m : members) {
    const bool target = &m == &members[1];
    const std::uint64_t offset = out.size();
    const std::string& local_name = target && !l.local_name.empty() ? l.local_name : m.name;
    put(out, 0x04034b50, 4);
    put(out, 45, 2);
    put(out, target ? l.flags : 0, 2);
    put(out, 0, 2);  // stored
    put(out, 0, 4);  // time, date
    put(out, 0, 4);  // crc (not checked here)
    put(out, m.data.size(), 4);
    put(out, m.data.size(), 4);
    put(out, local_name.size(), 2);
    put(out, 0, 2);
    out += local_name;
    if (target) {
      b.data_offset = out.size();
      b.size = m.data.size();
    }
    out += m.data;
    std::string extra;
    const bool sizes = target && l.zip64_sizes, at = target && l.zip64_offset;
    if (sizes || at) {
      put(extra, 1, 2);
      put(extra, 8 * ((sizes ? 2 : 0) + (at ? 1 : 0)), 2);
      if (sizes) {
        put(extra, m.data.size(), 8);
        put(extra, m.data.size(), 8);
      }
      if (at) put(extra, offset, 8);
    }
    put(central, 0x02014b50, 4);
    put(central, 45, 2);
    put(central, 45, 2);
    put(central, target ? l.flags : 0, 2);
    put(central, 0, 2);
    put(central, 0, 4);
    put(central, 0, 4);
    put(central, sizes ? 0xFFFFFFFFu : m.data.size(), 4);
    put(central, sizes ? 0xFFFFFFFFu : m.data.size(), 4);
    put(central, m.name.size(), 2);
    put(central, extra.size(), 2);
    put(central, 0, 2);  // comment
    put(central, 0, 2);  // disk
    put(central, 0, 2);
    put(central, 0, 4);
    put(central, at ? 0xFFFFFFFFu : offset, 4);
    central += m.name + extra;
  }
  const std::uint64_t directory = out.size();
  out += central;
  if (l.zip64_end) {
    const std::uint64_t record = out.size();
    put(out, 0x06064b50, 4);
    put(out, 44, 8);
    put(out, 45, 2);
    put(out, 45, 2);
    put(out, 0, 4);
    put(out, 0, 4);
    put(out, 2, 8);
    put(out, 2, 8);
    put(out, central.size(), 8);
    put(out, directory, 8);
    put(out, 0x07064b50, 4);
    put(out, 0, 4);
    put(out, record, 8);
    put(out, 1, 4);
  }
  put(out, 0x06054b50, 4);
  put(out, 0, 2);
  put(out, 0, 2);
  put(out, l.zip64_end ? 0xFFFF : 2, 2);
  put(out, l.zip64_end ? 0xFFFF : 2, 2);
  put(out, l.zip64_end ? 0xFFFFFFFFu : central.size(), 4);
  put(out, l.zip64_end ? 0xFFFFFFFFu : directory, 4);
  put(out, l.comment.size(), 2);
  out += l.comment;
  b.bytes = out;
  return b;
}

TEST(ZipLayout, Zip64RecordsAndExtraFieldsAndComments) {
  const metricaudit::testing::ScratchDir dir;
  Layout commented = zip64(false, false, true);
  commented.comment = "a comment, PK\x05\x06 in it";
  const Layout layouts[] = {Layout{}, zip64(true, false, false), zip64(false, true, false),
                            zip64(true, true, true), commented};
  int n = 0;
  for (const Layout& l : layouts) {
    const Built b = build(l);
    const auto span = member_data_span(as_span(b.bytes), "a.npy", b.size);
    ASSERT_TRUE(span) << "layout " << n;
    EXPECT_EQ(span->offset, b.data_offset) << "layout " << n;
    EXPECT_EQ(span->size, b.size) << "layout " << n;
    // libzip reads the hand-built archive and agrees.
    const std::string file = (dir / ("layout" + std::to_string(n++) + ".zip")).string();
    std::ofstream(file, std::ios::binary) << b.bytes;
    EXPECT_TRUE(spans_are_libzips(file)) << "layout " << n - 1;
  }
}

TEST(ZipLayout, AnythingOffThePlainLayoutIsNotFound) {
  const Built plain = build({});
  const auto bytes = as_span(plain.bytes);
  EXPECT_FALSE(member_data_span(bytes, "b.npy", plain.size)) << "no such member";
  EXPECT_FALSE(member_data_span(bytes, "a.npy", plain.size + 1)) << "another size";
  EXPECT_FALSE(member_data_span(bytes, "a.np", plain.size)) << "a prefix of the name";
  const Built renamed = build(layout([](Layout& l) { l.local_name = "b.npy"; }));
  EXPECT_FALSE(member_data_span(as_span(renamed.bytes), "a.npy", renamed.size))
      << "the local header names another member";
  const Built encrypted = build(layout([](Layout& l) { l.flags = 1; }));
  EXPECT_FALSE(member_data_span(as_span(encrypted.bytes), "a.npy", encrypted.size));
  // The same name twice: the data could be either.
  const Built twice = build(layout([](Layout& l) { l.first_name = "a.npy"; }));
  EXPECT_FALSE(member_data_span(as_span(twice.bytes), "a.npy", twice.size));
  // A second disk.
  Built disk = plain;
  disk.bytes[disk.bytes.size() - 22 + 4] = 1;
  EXPECT_FALSE(member_data_span(as_span(disk.bytes), "a.npy", disk.size));
  EXPECT_FALSE(member_data_span({}, "a.npy", 1));
}

TEST(ZipLayout, EveryPrefixAndFlippedByteStaysInBounds) {
  for (const Layout& l : {Layout{}, zip64(true, true, true)}) {
    const Built b = build(l);
    int found = 0;
    for (std::size_t n = 0; n < b.bytes.size(); ++n) {
      const auto span = member_data_span(as_span(b.bytes).first(n), "a.npy", b.size);
      if (span) {
        ++found;
        EXPECT_LE(span->offset + span->size, n);
      }
    }
    EXPECT_EQ(found, 0) << "the end record is the last thing in the file";
    for (std::size_t i = 0; i < b.bytes.size(); ++i) {
      for (const int bit : {0x01, 0x80}) {
        std::string flipped = b.bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ bit);
        const auto span = member_data_span(as_span(flipped), "a.npy", b.size);
        if (span) {
          EXPECT_LE(span->offset + span->size, flipped.size()) << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace metricaudit::audit
