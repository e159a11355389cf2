// The .npy parser. Format: numpy/lib/format.py (the module docstring is the
// specification: "Format Version 1.0" / "2.0" / "3.0") and NEP 1. Written by the
// project rather than taken from cnpy so that every field is validated and every
// error names the file and the byte offset of what was wrong.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "internal.hpp"
#include "metricaudit/audit/npy.hpp"

namespace metricaudit::audit {

namespace {

using detail::fail_at;

constexpr std::size_t kMagicLen = 6;
// numpy/lib/format.py: _MAX_HEADER_SIZE = 10000, the largest header np.load reads
// without max_header_size (a guard against headers made to exhaust literal_eval).
// Headers of the plain dtypes we accept are about 120 bytes.
constexpr std::uint64_t kMaxHeaderLen = 10000;
constexpr std::size_t kChunk = std::size_t{1} << 20;

// ---------------------------------------------------------------------------
// The header: the repr of a Python dict, parsed strictly.

struct HeaderValue {
  enum class Kind { string, boolean, tuple, list, other };
  Kind kind = Kind::other;
  std::string text;                 // string
  bool flag = false;                // boolean
  std::vector<std::uint64_t> ints;  // tuple
  std::uint64_t offset = 0;         // where the value starts in the file
};

class HeaderParser {
 public:
  HeaderParser(const std::string& name, std::string_view text, std::uint64_t base)
      : name_(name), s_(text), base_(base) {}

  std::vector<std::pair<std::string, HeaderValue>> parse_dict() {
    std::vector<std::pair<std::string, HeaderValue>> entries;
    skip_ws();
    expect('{', "the header to start with '{' (the repr of a Python dict)");
    skip_ws();
    while (peek() != '}') {
      const std::uint64_t key_at = here();
      if (peek() != '\'' && peek() != '"') fail(key_at, "expected a quoted key or '}'");
      std::string key = parse_string();
      skip_ws();
      expect(':', "':' after the key '" + key + "'");
      skip_ws();
      HeaderValue value = parse_value();
      entries.emplace_back(std::move(key), std::move(value));
      key_offsets_.push_back(key_at);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        skip_ws();
      } else if (peek() != '}') {
        fail(here(), "expected ',' or '}' after a value");
      }
    }
    ++pos_;  // '}'
    // numpy pads with spaces and ends the header with '\n' (format.py, _wrap_header).
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    if (pos_ == s_.size() || s_[pos_] != '\n') {
      fail(here(), "expected the header to end with spaces and a '\\n' after the dict");
    }
    ++pos_;
    if (pos_ != s_.size()) fail(here(), "unexpected bytes after the header's '\\n'");
    return entries;
  }

  std::uint64_t key_offset(std::size_t i) const { return key_offsets_[i]; }

 private:
  [[noreturn]] void fail(std::uint64_t at, const std::string& what) const {
    fail_at(name_, at, "header: " + what);
  }
  std::uint64_t here() const { return base_ + pos_; }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void expect(char c, const std::string& what) {
    if (peek() != c) fail(here(), "expected " + what);
    ++pos_;
  }
  bool consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  std::string parse_string() {
    const char quote = s_[pos_++];
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      // numpy's reprs of dtype strings and keys never need escapes; refusing them keeps
      // this a literal reader rather than a Python string evaluator.
      if (s_[pos_] == '\n') break;  // the header's last byte: the string never closed
      if (s_[pos_] == '\\') fail(here(), "unsupported escape in a string");
      ++pos_;
    }
    if (pos_ == s_.size() || s_[pos_] != quote) fail(base_ + start - 1, "unterminated string");
    std::string out(s_.substr(start, pos_ - start));
    ++pos_;
    return out;
  }

  std::uint64_t parse_int() {
    const std::uint64_t at = here();
    if (!(peek() >= '0' && peek() <= '9')) fail(at, "expected a non-negative integer");
    std::uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const auto digit = static_cast<std::uint64_t>(peek() - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
        fail(at, "integer does not fit in 64 bits");
      }
      v = v * 10 + digit;
      ++pos_;
    }
    // Python 2 wrote longs as "3L"; numpy's reader still accepts them
    // (format.py, _filter_header), so old dumps stay readable.
    if (peek() == 'L') ++pos_;
    return v;
  }

  HeaderValue parse_value() {
    HeaderValue v;
    v.offset = here();
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = HeaderValue::Kind::string;
      v.text = parse_string();
    } else if (consume("True")) {
      v.kind = HeaderValue::Kind::boolean;
      v.flag = true;
    } else if (consume("False")) {
      v.kind = HeaderValue::Kind::boolean;
    } else if (c == '(') {
      v.kind = HeaderValue::Kind::tuple;
      ++pos_;
      skip_ws();
      bool trailing_comma = false;
      while (peek() != ')') {
        v.ints.push_back(parse_int());
        skip_ws();
        trailing_comma = false;
        if (peek() == ',') {
          ++pos_;
          trailing_comma = true;
          skip_ws();
        } else if (peek() != ')') {
          fail(here(), "expected ',' or ')' in a tuple of integers");
        }
      }
      // "(3)" is the integer 3 in Python, not a tuple: numpy always writes "(3,)".
      if (v.ints.size() == 1 && !trailing_comma)
        fail(v.offset, "'(N)' is not a tuple; expected '(N,)'");
      ++pos_;
    } else if (c >= '0' && c <= '9') {
      parse_int();  // a Python int: valid in a dict, but no field numpy writes is one
    } else if (c == '[') {
      v.kind = HeaderValue::Kind::list;  // a structured dtype's descr; refused by the caller
      int depth = 0;
      while (pos_ < s_.size()) {
        if (s_[pos_] == '[') ++depth;
        if (s_[pos_] == ']' && --depth == 0) break;
        ++pos_;
      }
      if (pos_ == s_.size()) fail(v.offset, "unterminated list");
      ++pos_;
    } else {
      fail(v.offset, "expected a string, True, False or a tuple of integers");
    }
    return v;
  }

  const std::string& name_;
  std::string_view s_;
  std::uint64_t base_;
  std::size_t pos_ = 0;
  std::vector<std::uint64_t> key_offsets_;
};

// ---------------------------------------------------------------------------
// dtypes

enum class Source { f2, f4, f8, b1, i1, u1, i2, u2, i4, u4, i8, u8 };

struct SourceType {
  Source type;
  std::size_t size;
  bool big_endian;
  DType out;
};

[[noreturn]] void descr_fail(const std::string& name, const HeaderValue& v,
                             const std::string& what) {
  fail_at(name, v.offset, "header: " + what);
}

SourceType parse_descr(const std::string& name, const HeaderValue& v) {
  const auto fail = [&](const std::string& what) { descr_fail(name, v, what); };
  if (v.kind == HeaderValue::Kind::list) {
    fail(
        "structured dtypes (a list 'descr') are not supported; save one plain numeric array per "
        "member");
  }
  if (v.kind != HeaderValue::Kind::string) fail("'descr' must be a dtype string such as '<f4'");
  const std::string& d = v.text;
  if (d.size() >= 2 && d[1] == 'O') {
    fail("dtype '" + d +
         "' is an object array (pickled Python objects); metricaudit reads numeric arrays only: "
         "save with a numeric dtype, e.g. np.asarray(x, dtype=np.float32)");
  }
  static constexpr struct {
    const char* code;
    Source type;
    std::size_t size;
    DType out;
  } kTable[] = {
      {"f2", Source::f2, 2, DType::float32}, {"f4", Source::f4, 4, DType::float32},
      {"f8", Source::f8, 8, DType::float64}, {"b1", Source::b1, 1, DType::int64},
      {"i1", Source::i1, 1, DType::int64},   {"u1", Source::u1, 1, DType::int64},
      {"i2", Source::i2, 2, DType::int64},   {"u2", Source::u2, 2, DType::int64},
      {"i4", Source::i4, 4, DType::int32},   {"u4", Source::u4, 4, DType::int64},
      {"i8", Source::i8, 8, DType::int64},   {"u8", Source::u8, 8, DType::int64},
  };
  if (d.size() == 3) {
    const char order = d[0];
    const std::string_view code(d.data() + 1, 2);
    for (const auto& t : kTable) {
      if (code != t.code) continue;
      // numpy writes dtype.str: '|' for one-byte types, '<' or '>' otherwise.
      const bool ok = t.size == 1 ? (order == '|' || order == '<' || order == '>')
                                  : (order == '<' || order == '>');
      if (!ok) {
        fail("dtype '" + d + "' has byte order '" + std::string(1, order) +
             "'; expected '<' or '>' (or '|' for one-byte types)");
      }
      return {t.type, t.size, order == '>', t.out};
    }
  }
  descr_fail(name, v,
             "unsupported dtype '" + d +
                 "'; expected bool, (u)int8/16/32/64 or float16/32/64 ('|b1', '<i8', '<f4', ...)");
}

template <class T>
T load(const std::byte* p, bool big_endian) {
  std::array<std::byte, sizeof(T)> b;
  std::memcpy(b.data(), p, sizeof(T));
  if (big_endian != (std::endian::native == std::endian::big)) std::reverse(b.begin(), b.end());
  T v;
  std::memcpy(&v, b.data(), sizeof(T));
  return v;
}

// IEEE 754 binary16 → binary32, exactly (every half is a float).
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t mant = h & 0x3FFu;
  std::uint32_t bits = 0;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);  // inf / nan (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);  // 112 = 127 - 15
  } else if (mant == 0) {
    bits = sign;  // ±0
  } else {
    // subnormal half: normalise the mantissa
    exp = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3FFu) << 13);
  }
  return std::bit_cast<float>(bits);
}

template <class Out>
void store(std::byte* dst, std::size_t i, Out v) {
  std::memcpy(dst + i * sizeof(Out), &v, sizeof(Out));
}

// Converts `count` elements at `src` (file layout) into `dst` (output dtype), element
// `first` onward. Returns false (and the index in *bad) for a '<u8' value above INT64_MAX.
bool convert(const SourceType& t, const std::byte* src, std::size_t count, std::byte* dst,
             std::size_t first, std::size_t* bad) {
  const bool be = t.big_endian;
  for (std::size_t k = 0; k < count; ++k) {
    const std::byte* p = src + k * t.size;
    const std::size_t i = first + k;
    switch (t.type) {
      case Source::f2:
        store<float>(dst, i, half_to_float(load<std::uint16_t>(p, be)));
        break;
      case Source::f4:
        store<float>(dst, i, load<float>(p, be));
        break;
      case Source::f8:
        store<double>(dst, i, load<double>(p, be));
        break;
      case Source::b1:
        // numpy bools are one byte, 0 or 1; any non-zero byte reads as True (as numpy does).
        store<std::int64_t>(dst, i, *p != std::byte{0} ? 1 : 0);
        break;
      case Source::i1:
        store<std::int64_t>(dst, i, static_cast<std::int8_t>(*p));
        break;
      case Source::u1:
        store<std::int64_t>(dst, i, static_cast<std::uint8_t>(*p));
        break;
      case Source::i2:
        store<std::int64_t>(dst, i, load<std::int16_t>(p, be));
        break;
      case Source::u2:
        store<std::int64_t>(dst, i, load<std::uint16_t>(p, be));
        break;
      case Source::i4:
        store<std::int32_t>(dst, i, load<std::int32_t>(p, be));
        break;
      case Source::u4:
        store<std::int64_t>(dst, i, load<std::uint32_t>(p, be));
        break;
      case Source::i8:
        store<std::int64_t>(dst, i, load<std::int64_t>(p, be));
        break;
      case Source::u8: {
        const auto v = load<std::uint64_t>(p, be);
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          *bad = i;
          return false;
        }
        store<std::int64_t>(dst, i, static_cast<std::int64_t>(v));
        break;
      }
    }
  }
  return true;
}

// Fortran (column-major) → C (row-major) order, for elements of `size` bytes.
template <std::size_t Size>
void transpose_fortran(const std::byte* src, std::byte* dst, const std::vector<std::int64_t>& shape,
                       std::uint64_t n) {
  const std::size_t rank = shape.size();
  std::vector<std::uint64_t> fstride(rank), index(rank, 0);
  std::uint64_t s = 1;
  for (std::size_t j = 0; j < rank; ++j) {
    fstride[j] = s;
    s *= static_cast<std::uint64_t>(shape[j]);
  }
  std::uint64_t from = 0;
  for (std::uint64_t to = 0; to < n; ++to) {
    std::memcpy(dst + to * Size, src + from * Size, Size);
    // advance the C-order index (last axis fastest), keeping `from` in step
    for (std::size_t j = rank; j-- > 0;) {
      from += fstride[j];
      if (++index[j] < static_cast<std::uint64_t>(shape[j])) break;
      from -= fstride[j] * static_cast<std::uint64_t>(shape[j]);
      index[j] = 0;
    }
  }
}

bool read_exact(detail::ByteSource& source, std::byte* dst, std::size_t n) {
  return source.read(dst, n) == n;
}

// What a .npy header declares, checked against the bytes that follow it.
struct Layout {
  SourceType type;
  std::string descr;
  std::vector<std::int64_t> shape;
  std::uint64_t n = 0;           // elements
  std::uint64_t total = 0;       // bytes of the whole image
  std::uint64_t data_at = 0;     // where the data starts
  std::uint64_t data_bytes = 0;  // as stored
  std::uint64_t out_bytes = 0;   // in the output dtype
  bool fortran_order = false;    // and more than one axis: to transpose
  // The stored bytes are the output dtype's (no widening, no byte swap).
  bool raw() const {
    return !type.big_endian && type.size == detail::dtype_size(type.out) &&
           type.type != Source::u4 && type.type != Source::u8;
  }
  // ... and in the output's order: usable as they are.
  bool direct() const { return raw() && !fortran_order; }
};

// Reads and checks the magic, the version, the header and the sizes; the source is then
// at the data.
Layout read_layout(detail::ByteSource& source, const std::string& name, const ReadLimits& limits) {
  using detail::dtype_size;
  using detail::shape_string;
  const std::uint64_t total = source.size();
  // Magic, version, header length (format.py, "Format Version 1.0").
  std::array<std::byte, 12> pre{};
  if (total < 10 || !read_exact(source, pre.data(), 8)) {
    fail_at(name, 0,
            "not a .npy file: expected at least 10 bytes (magic, version, header length), found " +
                std::to_string(total));
  }
  if (std::memcmp(pre.data(), "\x93NUMPY", kMagicLen) != 0) {
    fail_at(name, 0, "not a .npy file: expected the magic string \\x93NUMPY");
  }
  const auto major = static_cast<unsigned>(pre[6]);
  const auto minor = static_cast<unsigned>(pre[7]);
  if (minor != 0 || major < 1 || major > 3) {
    fail_at(name, 6,
            "unsupported .npy format version " + std::to_string(major) + "." +
                std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  }
  // 1.0: uint16 header length; 2.0 and 3.0: uint32 (format.py, "Format Version 2.0").
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  const std::uint64_t prefix = 8 + len_bytes;
  if (total < prefix || !read_exact(source, pre.data() + 8, len_bytes)) {
    fail_at(name, 8, "truncated: expected a " + std::to_string(len_bytes) + "-byte header length");
  }
  std::uint64_t header_len = 0;
  for (std::size_t i = 0; i < len_bytes; ++i) {
    header_len |= static_cast<std::uint64_t>(pre[8 + i]) << (8 * i);
  }
  if (header_len > total - prefix) {
    fail_at(name, 8,
            "header length " + std::to_string(header_len) + " exceeds the " +
                std::to_string(total - prefix) + " bytes left in the file");
  }
  if (header_len > kMaxHeaderLen) {
    fail_at(name, 8,
            "header length " + std::to_string(header_len) + " exceeds numpy's limit of " +
                std::to_string(kMaxHeaderLen) + " bytes");
  }
  std::string header(static_cast<std::size_t>(header_len), '\0');
  if (!read_exact(source, reinterpret_cast<std::byte*>(header.data()), header.size())) {
    fail_at(name, prefix, "truncated header");
  }

  HeaderParser parser(name, header, prefix);
  const auto entries = parser.parse_dict();
  const HeaderValue* descr = nullptr;
  const HeaderValue* fortran = nullptr;
  const HeaderValue* shape = nullptr;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& [key, value] = entries[i];
    const HeaderValue** slot = key == "descr"           ? &descr
                               : key == "fortran_order" ? &fortran
                               : key == "shape"         ? &shape
                                                        : nullptr;
    if (slot == nullptr) {
      fail_at(name, parser.key_offset(i),
              "header: unknown key '" + key + "' (expected 'descr', 'fortran_order', 'shape')");
    }
    if (*slot != nullptr)
      fail_at(name, parser.key_offset(i), "header: duplicate key '" + key + "'");
    *slot = &value;
  }
  const std::uint64_t data_at = prefix + header_len;
  for (const auto& [key, value] : {std::pair{"descr", descr}, std::pair{"fortran_order", fortran},
                                   std::pair{"shape", shape}}) {
    if (value == nullptr) fail_at(name, prefix, std::string("header: missing key '") + key + "'");
  }
  const SourceType type = parse_descr(name, *descr);
  if (fortran->kind != HeaderValue::Kind::boolean) {
    fail_at(name, fortran->offset, "header: 'fortran_order' must be True or False");
  }
  if (shape->kind != HeaderValue::Kind::tuple) {
    fail_at(name, shape->offset, "header: 'shape' must be a tuple of non-negative integers");
  }

  Layout out;
  out.type = type;
  out.descr = descr->text;
  out.total = total;
  std::uint64_t n = 1;
  for (const std::uint64_t d : shape->ints) {
    if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        (d != 0 && n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / d)) {
      fail_at(name, shape->offset, "header: shape has more elements than fit in a 64-bit count");
    }
    n *= d;
    out.shape.push_back(static_cast<std::int64_t>(d));
  }
  const std::string what = "shape " + shape_string(out.shape) + " of '" + descr->text + "'";
  const std::uint64_t left = total - data_at;
  if (n > left / type.size) {
    fail_at(name, data_at,
            what + " needs " +
                (n > std::numeric_limits<std::uint64_t>::max() / type.size
                     ? std::string("more than 2^64")
                     : std::to_string(n * type.size)) +
                " data bytes, but only " + std::to_string(left) + " follow the header");
  }
  const std::uint64_t data_bytes = n * type.size;
  if (data_bytes != left) {
    fail_at(name, data_at + data_bytes,
            std::to_string(left - data_bytes) + " unexpected bytes after the " +
                std::to_string(data_bytes) + " data bytes of " + what);
  }
  const std::uint64_t out_bytes = n * dtype_size(type.out);
  if (out_bytes > limits.max_array_bytes) {
    fail_at(name, data_at,
            what + " takes " + std::to_string(out_bytes) + " bytes, over the limit of " +
                std::to_string(limits.max_array_bytes) + " (ReadLimits::max_array_bytes)");
  }
  out.n = n;
  out.data_at = data_at;
  out.data_bytes = data_bytes;
  out.out_bytes = out_bytes;
  out.fortran_order = fortran->flag && out.shape.size() > 1;
  return out;
}

// Reads the data the layout describes into fresh storage (converted, byte-swapped,
// transposed as needed).
std::shared_ptr<std::byte[]> read_data(detail::ByteSource& source, const std::string& name,
                                       const Layout& layout) {
  using detail::allocate_aligned;
  using detail::dtype_size;
  const SourceType& type = layout.type;
  const std::uint64_t n = layout.n, data_at = layout.data_at, data_bytes = layout.data_bytes;
  const std::uint64_t out_bytes = layout.out_bytes, total = layout.total;
  auto storage = allocate_aligned(out_bytes);
  const bool fortran_order = layout.fortran_order;
  // Fortran-ordered data is converted into a scratch buffer, then transposed into place.
  std::shared_ptr<std::byte[]> scratch = fortran_order ? allocate_aligned(out_bytes) : nullptr;
  std::byte* dst = fortran_order ? scratch.get() : storage.get();
  const bool direct = layout.raw();
  auto truncated = [&]() { fail_at(name, total, "truncated data"); };
  if (direct) {
    for (std::uint64_t done = 0; done < data_bytes;) {
      const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, data_bytes - done));
      if (!read_exact(source, dst + done, k)) truncated();
      done += k;
    }
  } else {
    std::vector<std::byte> chunk(std::min<std::uint64_t>(kChunk, data_bytes));
    const std::size_t per_chunk = chunk.size() / type.size;
    for (std::uint64_t first = 0; first < n;) {
      const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(per_chunk, n - first));
      if (!read_exact(source, chunk.data(), k * type.size)) truncated();
      std::size_t bad = 0;
      if (!convert(type, chunk.data(), k, dst, static_cast<std::size_t>(first), &bad)) {
        fail_at(name, data_at + bad * type.size,
                "element " + std::to_string(bad) + " of a '" + layout.descr +
                    "' array is larger than the int64 it is widened to");
      }
      first += k;
    }
  }
  if (fortran_order) {
    if (dtype_size(type.out) == 4) {
      transpose_fortran<4>(scratch.get(), storage.get(), layout.shape, n);
    } else {
      transpose_fortran<8>(scratch.get(), storage.get(), layout.shape, n);
    }
  }
  return storage;
}

}  // namespace

namespace detail {

NpyArray parse_npy_source(ByteSource& source, const std::string& name, const ReadLimits& limits) {
  const Layout layout = read_layout(source, name, limits);
  NpyArray out;
  out.dtype = layout.type.out;
  out.shape = layout.shape;
  out.storage = read_data(source, name, layout);
  return out;
}

NpyArray parse_npy_image(std::shared_ptr<std::byte[]> image, std::uint64_t size,
                         const std::string& name, const ReadLimits& limits) {
  MemorySource source({image.get(), static_cast<std::size_t>(size)});
  const Layout layout = read_layout(source, name, limits);
  NpyArray out;
  out.dtype = layout.type.out;
  out.shape = layout.shape;
  // numpy pads the header so that the data starts 64 bytes into the image
  // (format.py, ARRAY_ALIGN); the image is 64-byte aligned, so is the data: use it in
  // place (the array shares the image) unless it needs converting.
  if (layout.direct() && layout.data_at % 64 == 0) {
    std::byte* const data = image.get() + layout.data_at;
    out.storage = std::shared_ptr<std::byte[]>(std::move(image), data);
  } else {
    out.storage = read_data(source, name, layout);
  }
  return out;
}

}  // namespace detail

NpyArray read_npy(const std::filesystem::path& file, const ReadLimits& limits) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) throw InputError(file.string() + ": cannot read: " + ec.message());
  detail::FileSource source(file, size);
  if (!source.is_open()) throw InputError(file.string() + ": cannot open for reading");
  return detail::parse_npy_source(source, file.string(), limits);
}

NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& name,
                   const ReadLimits& limits) {
  detail::MemorySource source(bytes);
  return detail::parse_npy_source(source, name, limits);
}

}  // namespace metricaudit::audit
