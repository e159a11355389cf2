// A saved evaluation ("dump"): the arrays one logged evaluation was computed
// from, read from .npy / .npz. The arrays own their memory; `view()` hands the
// core a non-owning ArrayView over it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metricaudit/array_view.hpp"

namespace metricaudit::audit {

/// An n-d array read from a .npy file (or a .npz member), C-ordered, little-endian,
/// in one of the core's dtypes (narrower integer and bool arrays are widened to int64,
/// float16 to float32, big-endian and Fortran-ordered arrays converted once).
struct NpyArray {
  DType dtype = DType::float32;
  std::vector<std::int64_t> shape;
  std::shared_ptr<std::byte[]> storage;  ///< 64-byte aligned
  std::int64_t elements() const;
  /// A 1-D (shape (N,)) or 2-D (shape (N, C)) view; ShapeError for other ranks.
  ArrayView view() const;
};

struct Dump {
  std::string path;
  std::string split;                  ///< "train", "val", "test": from the file name
  std::optional<std::int64_t> epoch;  ///< from "<split>_epoch<E>" (0-based)
  std::optional<std::int64_t> step;   ///< from "<split>_step<S>"
  NpyArray target;                 ///< (N,) integer labels, or (N, C) one-hot / (N, L) multilabel
  std::optional<NpyArray> logits;  ///< (N, C)
  std::optional<NpyArray> probs;   ///< (N, C)
  std::optional<NpyArray> preds;   ///< (N,) predicted labels
  std::optional<NpyArray> sample_weight;  ///< (N,)
  /// (N,) integer: each row's index in the evaluation set. Optional; a repeated id means a
  /// sample was evaluated twice (distributed padding: rule MX002).
  std::optional<NpyArray> sample_ids;
};

}  // namespace metricaudit::audit
