// The SIMD row kernels of the multi-class pass (row_kernels.inc), compiled twice: for
// AVX2 + FMA (chosen at run time when the CPU has them) and for the baseline ISA. The
// choice is made once per process, so every row of every batch, on every thread, goes
// through the same instructions: results stay bit-identical across thread counts,
// batch splits and merge orders (ARCHITECTURE.md, "Exact and reproducible").
#pragma once

#include <cstdint>

namespace metricaudit::detail {

/// What the pass needs of one row. The counts are those of the scalar definition:
/// greater = #{c: z_c > z_y}, ties_below = #{c < y: z_c == z_y}, ties_above likewise,
/// above = #{c: z_c > threshold}, argmax = the first maximal index. The log-sum-exp is
/// lse = lse_hi + lse_lo, kept in two parts so that the loss term (lse_hi - z_y) + lse_lo
/// is computed without cancellation (the double kernels put all of it in lse_hi).
struct RowResult {
  long long argmax, greater, ties_below, ties_above, above;
  /// Double kernels: a nan or +inf, or a row of -inf (the caller re-runs it to report it).
  /// Float32 kernels: the row is `special` (a non-finite score, or sums beyond float32):
  /// the caller recomputes it with the double kernels.
  bool bad;
  bool in_unit;  ///< every score in [0, 1]
  bool masked;   ///< some score is -inf
  bool nonneg;   ///< every score >= 0 (Keras' categorical family reads the row)
  /// Float32 kernels: some score is a zero or a subnormal (|z| < FLT_MIN; nan is not).
  /// The double kernels leave it false: the pass scans those rows itself when asked.
  bool tiny;
  double lse_hi;     ///< when requested (see above)
  double lse_lo;     ///< 0 from the double kernels
  double smoothing;  ///< sum_c (lse - z_c), when requested and no score is -inf
};

/// C up to which rows4 / rows8 (one row per lane) are used; above it, row1 / row1_f32
/// (columns per lane). A function of C only, so every row of a given C takes the same kernel.
inline constexpr long long kRowLanesMaxClasses = 16;

/// rows4's results, lane l for row l of the block (masks are 0 or -1).
struct alignas(32) RowBlock {
  long long argmax[4], greater[4], ties_below[4], ties_above[4], above[4];
  long long bad[4], in_unit[4], masked[4], nonneg[4];
  double lse[4], smoothing[4];
  RowResult row(int l) const {
    return RowResult{argmax[l],      greater[l],  ties_below[l],   ties_above[l],
                     above[l],       bad[l] != 0, in_unit[l] != 0, masked[l] != 0,
                     nonneg[l] != 0, false,       lse[l],          0.0,
                     smoothing[l]};
  }
};

/// rows8_f32's results (float32 scores), lane l for row l of the block, and totals over
/// the eight lanes (for a block of eight real rows).
struct alignas(32) RowBlock8 {
  int argmax[8], greater[8], ties_below[8], ties_above[8], above[8];
  int special[8], in_unit[8], nonneg[8];
  int tiny[8];  ///< the row holds a zero or a subnormal (|z| < FLT_MIN; nan is not)
  double lse_hi[8], lse_lo[8], smoothing[8];
  double loss[8];           ///< (lse_hi - z_y) + lse_lo: the loss term of the row
  long long correct_cells;  ///< sum over lanes of C - 1 - above + 2 [z_y > threshold]
  bool any_special;
  bool any_nonneg;  ///< some lane's scores are all >= 0 (maybe a probability row)
  bool all_nonneg;  ///< every lane's scores are >= 0
  bool any_tiny;    ///< some lane's row holds a zero or a subnormal
  RowResult row(int l) const {
    return RowResult{argmax[l],       greater[l],      ties_below[l], ties_above[l],  above[l],
                     special[l] != 0, in_unit[l] != 0, false,         nonneg[l] != 0, tiny[l] != 0,
                     lse_hi[l],       lse_lo[l],       smoothing[l]};
  }
};

// The portable copy passes 32-byte vectors between (always inlined) functions, which GCC
// notes as an ABI change (-Wpsabi) wherever it emits one; nothing here crosses an ABI
// boundary. GCC reports it at the end of the including file, so it stays ignored there.
#pragma GCC diagnostic ignored "-Wpsabi"

#define MA_KERNEL_INLINE inline __attribute__((always_inline))

#if defined(__x86_64__) && defined(__GNUC__)
#define METRICAUDIT_HAVE_AVX2_KERNELS 1
namespace avx2 {
#if defined(__clang__)  // clang ignores GCC's target pragma
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
#define MA_KERNEL_NS avx2
#define MA_KERNEL_FMA(a, b, c) __builtin_ia32_vfmaddpd256((a), (b), (c))
#define MA_KERNEL_FMA_F(a, b, c) __builtin_ia32_vfmaddps256((a), (b), (c))
#define MA_KERNEL_MIN_F(a, b) __builtin_ia32_minps256((a), (b))
#define MA_KERNEL_MAX_F(a, b) __builtin_ia32_maxps256((a), (b))
#if defined(__clang__)  // the same instruction (vgatherdps), another builtin name
#define MA_KERNEL_GATHER_F(p, idx) \
  __builtin_ia32_gatherd_ps256(vf{}, (p), (idx), __builtin_bit_cast(vf, splat_i(-1)), 4)
#else
#define MA_KERNEL_GATHER_F(p, idx) \
  __builtin_ia32_gathersiv8sf(vf{}, (p), (idx), __builtin_bit_cast(vf, splat_i(-1)), 4)
#endif
#define MA_KERNEL_MASKLOAD_F(p, mask) \
  __builtin_ia32_maskloadps256(reinterpret_cast<const vf*>(p), (mask))
// The order matters (each file uses the ones before it): not sorted.
// clang-format off
#include "row_kernels.inc"        // IWYU pragma: keep
#include "row_kernels_f32.inc"    // IWYU pragma: keep
#include "row_kernels_entry.inc"  // IWYU pragma: keep
// clang-format on
#undef MA_KERNEL_MASKLOAD_F
#undef MA_KERNEL_GATHER_F
#undef MA_KERNEL_MAX_F
#undef MA_KERNEL_MIN_F
#undef MA_KERNEL_FMA_F
#undef MA_KERNEL_FMA
#undef MA_KERNEL_NS
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
}  // namespace avx2
#endif

namespace portable {
#define MA_KERNEL_NS portable
#define MA_KERNEL_FMA(a, b, c) ((a) * (b) + (c))
#define MA_KERNEL_FMA_F(a, b, c) ((a) * (b) + (c))
#define MA_KERNEL_MIN_F(a, b) ((a) < (b) ? (a) : (b))
#define MA_KERNEL_MAX_F(a, b) ((a) > (b) ? (a) : (b))
#define MA_KERNEL_GATHER_F(p, idx)                                                            \
  vf {                                                                                        \
    (p)[(idx)[0]], (p)[(idx)[1]], (p)[(idx)[2]], (p)[(idx)[3]], (p)[(idx)[4]], (p)[(idx)[5]], \
        (p)[(idx)[6]], (p)[(idx)[7]]                                                          \
  }
#define MA_KERNEL_MASKLOAD_F(p, mask) portable_maskload((p), (mask))
// The order matters (each file uses the ones before it): not sorted.
// clang-format off
#include "row_kernels.inc"        // IWYU pragma: keep
#include "row_kernels_f32.inc"    // IWYU pragma: keep
#include "row_kernels_entry.inc"  // IWYU pragma: keep
// clang-format on
#undef MA_KERNEL_MASKLOAD_F
#undef MA_KERNEL_GATHER_F
#undef MA_KERNEL_MAX_F
#undef MA_KERNEL_MIN_F
#undef MA_KERNEL_FMA_F
#undef MA_KERNEL_FMA
#undef MA_KERNEL_NS
}  // namespace portable

#undef MA_KERNEL_INLINE

/// True when the AVX2 + FMA kernels run on this CPU (decided once per process).
inline bool use_avx2_kernels() {
#ifdef METRICAUDIT_HAVE_AVX2_KERNELS
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

}  // namespace metricaudit::detail
