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
/// above = #{c: z_c > threshold}, argmax = the first maximal index.
struct RowResult {
  long long argmax, greater, ties_below, ties_above, above;
  bool bad;      ///< a nan or +inf, or a row of -inf: the caller re-runs it to report it
  bool in_unit;  ///< every score in [0, 1]
  bool masked;   ///< some score is -inf
  bool nonneg;   ///< every score >= 0 (Keras' categorical family reads the row)
  double lse;    ///< m + log(sum_c exp(z_c - m)), m the row's max (when requested)
  double sum_z;  ///< sum_c z_c (when requested)
};

/// C up to which rows4 (one row per lane) is used; above it, row1 (columns per lane).
/// A function of C only, so every row of a given C takes the same kernel.
inline constexpr long long kRowLanesMaxClasses = 16;

/// rows4's results, lane l for row l of the block (masks are 0 or -1).
struct alignas(32) RowBlock {
  long long argmax[4], greater[4], ties_below[4], ties_above[4], above[4];
  long long bad[4], in_unit[4], masked[4], nonneg[4];
  double lse[4], sum_z[4];
  RowResult row(int l) const {
    return RowResult{argmax[l],      greater[l],  ties_below[l],   ties_above[l],
                     above[l],       bad[l] != 0, in_unit[l] != 0, masked[l] != 0,
                     nonneg[l] != 0, lse[l],      sum_z[l]};
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
#include "row_kernels.inc"  // IWYU pragma: keep
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
#include "row_kernels.inc"  // IWYU pragma: keep
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
