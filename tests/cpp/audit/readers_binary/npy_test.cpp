// The .npy reader against files written by numpy itself (np.save, write_array versions
// 2.0 and 3.0) and against hand-made malformed headers (tests/data/binary/generate.py).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>

#include "metricaudit/audit/npy.hpp"
#include "support.hpp"

namespace metricaudit::audit {
namespace {

using testing::data;
using testing::input_error_of;
using testing::values;

TEST(Npy, Float32MatrixIsReadDirectlyIntoAlignedStorage) {
  const NpyArray a = read_npy(data("npy/f4_2d.npy"));
  EXPECT_EQ(a.dtype, DType::float32);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(a.elements(), 12);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.storage.get()) % 64, 0u);
  EXPECT_EQ(values<float>(a), (std::vector<float>{0.5f, -1.25f, 2.0f, 0.0f, 1.0f, 1.5f, -2.5f,
                                                  3.25f, -0.75f, 0.25f, 4.0f, -1.0f}));
  const ArrayView v = a.view();
  EXPECT_EQ(v.data, a.storage.get());
  EXPECT_EQ(v.dtype, DType::float32);
  EXPECT_EQ(v.rows, 3);
  EXPECT_EQ(v.cols, 4);
  EXPECT_EQ(v.ndim, 2);
}

TEST(Npy, Float64VectorKeepsEveryBit) {
  const NpyArray a = read_npy(data("npy/f8_1d.npy"));
  EXPECT_EQ(a.dtype, DType::float64);
  const auto v = values<double>(a);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], 0.1);
  EXPECT_EQ(v[1], 0.2);
  EXPECT_EQ(v[2], -3.5);
  EXPECT_EQ(v[3], 1e300);
  EXPECT_TRUE(v[4] == 0.0 && std::signbit(v[4]));
  const ArrayView view = a.view();
  EXPECT_EQ(view.ndim, 1);
  EXPECT_EQ(view.rows, 5);
  EXPECT_EQ(view.cols, 1);
}

TEST(Npy, Int32AndInt64AreReadDirectly) {
  const NpyArray i4 = read_npy(data("npy/i4_1d.npy"));
  EXPECT_EQ(i4.dtype, DType::int32);
  EXPECT_EQ(values<std::int32_t>(i4), (std::vector<std::int32_t>{0, 3, 2, -1, 2147483647}));
  const NpyArray i8 = read_npy(data("npy/i8_1d.npy"));
  EXPECT_EQ(i8.dtype, DType::int64);
  EXPECT_EQ(values<std::int64_t>(i8),
            (std::vector<std::int64_t>{0, 1, std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max()}));
}

TEST(Npy, NarrowIntegersAndBoolsWidenToInt64) {
  using V = std::vector<std::int64_t>;
  const struct {
    const char* file;
    V expected;
  } cases[] = {
      {"npy/b1.npy", V{1, 0, 1, 1, 0, 0}},
      {"npy/u1.npy", V{0, 1, 200, 255}},
      {"npy/i1.npy", V{-128, -1, 0, 127}},
      {"npy/i2.npy", V{-32768, -2, 7, 32767}},
      {"npy/u2.npy", V{0, 40000, 65535}},
      {"npy/u4.npy", V{0, 3000000000, 4294967295}},
      {"npy/u8.npy", V{0, std::numeric_limits<std::int64_t>::max()}},
      {"npy/be_u2.npy", V{1, 65535}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const NpyArray a = read_npy(data(c.file));
    EXPECT_EQ(a.dtype, DType::int64);
    EXPECT_EQ(values<std::int64_t>(a), c.expected);
  }
}

TEST(Npy, Uint64AboveInt64MaxIsRefusedAtItsByte) {
  const std::string f = data("npy/u8_too_large.npy");
  EXPECT_EQ(input_error_of([&] { read_npy(f); }),
            f + "@136: element 1 of a '<u8' array is larger than the int64 it is widened to");
}

TEST(Npy, Float16WidensExactlyToFloat32) {
  for (const char* file : {"npy/f2.npy"}) {
    const NpyArray a = read_npy(data(file));
    EXPECT_EQ(a.dtype, DType::float32);
    const auto v = values<float>(a);
    ASSERT_EQ(v.size(), 6u);
    EXPECT_EQ(v[0], 1.5f);
    EXPECT_EQ(v[1], std::ldexp(1.0f, -24));  // the smallest half subnormal
    EXPECT_EQ(v[2], 65504.0f);               // the largest half
    EXPECT_TRUE(v[3] == 0.0f && std::signbit(v[3]));
    EXPECT_TRUE(std::isinf(v[4]) && v[4] > 0);
    EXPECT_EQ(v[5], -2.0f);
  }
  const NpyArray be = read_npy(data("npy/be_f2.npy"));
  EXPECT_EQ(values<float>(be), (std::vector<float>{0.5f, -3.0f}));
}

TEST(Npy, BigEndianIsByteSwapped) {
  const NpyArray f8 = read_npy(data("npy/be_f8_2d.npy"));
  EXPECT_EQ(f8.dtype, DType::float64);
  EXPECT_EQ(f8.shape, (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(values<double>(f8), (std::vector<double>{1.5, -2.25, 3.0, 1e-300, 0.0, 7.0}));
  const NpyArray i4 = read_npy(data("npy/be_i4.npy"));
  EXPECT_EQ(i4.dtype, DType::int32);
  EXPECT_EQ(values<std::int32_t>(i4), (std::vector<std::int32_t>{1, -2, 65536}));
}

TEST(Npy, FortranOrderIsTransposedToCOrder) {
  const NpyArray c = read_npy(data("npy/f4_2d.npy"));
  const NpyArray f = read_npy(data("npy/fortran_f4.npy"));
  EXPECT_EQ(f.shape, c.shape);
  EXPECT_EQ(values<float>(f), values<float>(c));

  const NpyArray f3 = read_npy(data("npy/fortran_i8_3d.npy"));  // np.arange(24).reshape(2, 3, 4)
  EXPECT_EQ(f3.shape, (std::vector<std::int64_t>{2, 3, 4}));
  std::vector<std::int64_t> arange(24);
  for (std::size_t i = 0; i < arange.size(); ++i) arange[i] = static_cast<std::int64_t>(i);
  EXPECT_EQ(values<std::int64_t>(f3), arange);

  const NpyArray fbe = read_npy(data("npy/fortran_be_f8.npy"));  // swapped and transposed
  EXPECT_EQ(fbe.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(values<double>(fbe), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, FormatVersions2And3) {
  const NpyArray v2 = read_npy(data("npy/v2.npy"));
  EXPECT_EQ(values<float>(v2), (std::vector<float>{1, 2, 3}));
  const NpyArray v3 = read_npy(data("npy/v3.npy"));
  EXPECT_EQ(v3.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(values<std::int64_t>(v3), (std::vector<std::int64_t>{7, 8, 9, 10}));
}

TEST(Npy, ZeroDimensionalAndEmptyArrays) {
  const NpyArray s = read_npy(data("npy/scalar.npy"));
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.elements(), 1);
  EXPECT_EQ(values<double>(s), (std::vector<double>{2.5}));
  EXPECT_THROW(s.view(), ShapeError);

  const NpyArray e = read_npy(data("npy/empty.npy"));
  EXPECT_EQ(e.shape, (std::vector<std::int64_t>{0, 3}));
  EXPECT_EQ(e.elements(), 0);
  const ArrayView v = e.view();
  EXPECT_FALSE(v.empty());  // a zero-row array is still given, not "absent"
  EXPECT_EQ(v.rows, 0);
  EXPECT_EQ(v.cols, 3);
}

TEST(Npy, ThreeDimensionalArraysHaveNoView) {
  const NpyArray a = read_npy(data("npy/fortran_i8_3d.npy"));
  try {
    a.view();
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "NpyArray::view: expected a 1-D (N,) or 2-D (N, C) array, got shape (2, 3, 4)");
  }
}

TEST(Npy, ParsesAnImageInMemory) {
  std::ifstream in(data("npy/be_i4.npy"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto span = std::as_bytes(std::span(bytes.data(), bytes.size()));
  const NpyArray a = parse_npy(span, "memory.npy");
  EXPECT_EQ(values<std::int32_t>(a), (std::vector<std::int32_t>{1, -2, 65536}));
  EXPECT_EQ(
      input_error_of([&] { parse_npy(span.first(span.size() - 1), "memory.npy"); }),
      "memory.npy@128: shape (3,) of '>i4' needs 12 data bytes, but only 11 follow the header");
}

TEST(Npy, EveryTruncationFailsCleanly) {
  // Every prefix of a real file is an InputError, never a crash or an allocation.
  std::ifstream in(data("npy/fortran_be_f8.npy"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto span = std::as_bytes(std::span(bytes.data(), bytes.size()));
  for (std::size_t n = 0; n < span.size(); ++n) {
    EXPECT_THROW(parse_npy(span.first(n), "cut.npy"), InputError) << n;
  }
}

TEST(Npy, MutatedHeadersReadOrFailCleanly) {
  // Every header byte replaced by bytes that matter to the grammar: each result either
  // parses or is an InputError naming the image; nothing crashes (the sanitizer build
  // runs this too).
  std::ifstream in(data("npy/fortran_i8_3d.npy"), std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t i = 0; i < 128; ++i) {
    for (const char c : {'\0', '\xff', '(', ')', ',', '\'', '{', '}', '9', ' ', '\n', 'T'}) {
      std::string bad = good;
      bad[i] = c;
      try {
        parse_npy(std::as_bytes(std::span(bad.data(), bad.size())), "mutated.npy");
      } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("mutated.npy@", 0), 0u) << e.what();
      }
    }
  }
}

TEST(Npy, LimitOnArrayBytes) {
  const std::string f = data("npy/f4_2d.npy");
  ReadLimits limits;
  limits.max_array_bytes = 40;
  EXPECT_EQ(input_error_of([&] { read_npy(f, limits); }),
            f + "@128: shape (3, 4) of '<f4' takes 48 bytes, over the limit of 40 "
                "(ReadLimits::max_array_bytes)");
  // widening counts: 4 uint8 → 32 bytes of int64
  const std::string u1 = data("npy/u1.npy");
  limits.max_array_bytes = 31;
  EXPECT_EQ(input_error_of([&] { read_npy(u1, limits); }),
            u1 + "@128: shape (4,) of '|u1' takes 32 bytes, over the limit of 31 "
                 "(ReadLimits::max_array_bytes)");
}

TEST(Npy, MissingFile) {
  const std::string f = data("npy/does_not_exist.npy");
  EXPECT_EQ(input_error_of([&] { read_npy(f); }), f + ": cannot read: No such file or directory");
}

TEST(Npy, RefusedDtypesSayWhy) {
  const std::string object = data("npy/object.npy");
  EXPECT_EQ(input_error_of([&] { read_npy(object); }),
            object +
                "@20: header: dtype '|O' is an object array (pickled Python objects); "
                "metricaudit reads numeric arrays only: save with a numeric dtype, e.g. "
                "np.asarray(x, dtype=np.float32)");
  const std::string unicode = data("npy/unicode.npy");
  EXPECT_EQ(input_error_of([&] { read_npy(unicode); }),
            unicode +
                "@20: header: unsupported dtype '<U2'; expected bool, (u)int8/16/32/64 or "
                "float16/32/64 ('|b1', '<i8', '<f4', ...)");
  const std::string complex = data("npy/complex.npy");
  EXPECT_EQ(input_error_of([&] { read_npy(complex); }),
            complex +
                "@20: header: unsupported dtype '<c8'; expected bool, (u)int8/16/32/64 or "
                "float16/32/64 ('|b1', '<i8', '<f4', ...)");
  const std::string structured = data("npy/structured.npy");
  EXPECT_EQ(input_error_of([&] { read_npy(structured); }),
            structured +
                "@20: header: structured dtypes (a list 'descr') are not supported; "
                "save one plain numeric array per member");
}

struct BadHeader {
  const char* file;
  const char* message;  // after "<path>@"
};

class NpyMalformed : public ::testing::TestWithParam<BadHeader> {};

TEST_P(NpyMalformed, ExactMessage) {
  const std::string f = data(std::string("npy_bad/") + GetParam().file);
  EXPECT_EQ(input_error_of([&] { read_npy(f); }), f + "@" + GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Files, NpyMalformed,
    ::testing::Values(
        BadHeader{"bad_magic.npy", "0: not a .npy file: expected the magic string \\x93NUMPY"},
        BadHeader{"bad_version.npy",
                  "6: unsupported .npy format version 4.0 (expected 1.0, 2.0 or 3.0)"},
        BadHeader{"too_short.npy",
                  "0: not a .npy file: expected at least 10 bytes (magic, version, header "
                  "length), found 7"},
        BadHeader{"header_len_too_big.npy",
                  "8: header length 60000 exceeds the 8 bytes left in the file"},
        BadHeader{"header_len_over_limit.npy",
                  "8: header length 10001 exceeds numpy's limit of 10000 bytes"},
        BadHeader{"unknown_key.npy",
                  "66: header: unknown key 'extra' (expected 'descr', 'fortran_order', 'shape')"},
        BadHeader{"unknown_key_bool.npy",
                  "66: header: unknown key 'extra' (expected 'descr', 'fortran_order', 'shape')"},
        BadHeader{"duplicate_key.npy", "27: header: duplicate key 'descr'"},
        BadHeader{"missing_shape.npy", "10: header: missing key 'shape'"},
        BadHeader{"bad_tuple.npy", "60: header: '(N)' is not a tuple; expected '(N,)'"},
        BadHeader{"negative_dim.npy", "61: header: expected a non-negative integer"},
        BadHeader{"shape_list.npy", "60: header: 'shape' must be a tuple of non-negative integers"},
        BadHeader{"shape_overflow.npy",
                  "60: header: shape has more elements than fit in a 64-bit count"},
        BadHeader{"shape_larger_than_file.npy",
                  "128: shape (1000000, 1000) of '<f8' needs 8000000000 data bytes, but only 8 "
                  "follow the header"},
        BadHeader{"trailing_bytes.npy",
                  "136: 3 unexpected bytes after the 8 data bytes of shape (2,) of '<f4'"},
        BadHeader{"fortran_not_bool.npy", "44: header: 'fortran_order' must be True or False"},
        BadHeader{"descr_not_string.npy",
                  "20: header: 'descr' must be a dtype string such as '<f4'"},
        BadHeader{"native_order.npy",
                  "20: header: dtype '=f4' has byte order '='; expected '<' or '>' (or '|' for "
                  "one-byte types)"},
        BadHeader{"not_a_dict.npy",
                  "10: header: expected the header to start with '{' (the repr of a Python dict)"},
        BadHeader{"no_newline.npy",
                  "128: header: expected the header to end with spaces and a '\\n' after the dict"},
        BadHeader{"unterminated_string.npy", "20: header: unterminated string"}),
    [](const auto& param_info) {
      std::string name = param_info.param.file;
      return name.substr(0, name.find('.'));
    });

}  // namespace
}  // namespace metricaudit::audit
