// Non-owning views over caller memory. Nothing here copies: a view is a pointer,
// an element type and a shape. Arrays are C-contiguous (row-major); the bindings
// convert other layouts once before making a view.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace metricaudit {

enum class DType { int32, int64, float32, float64 };

/// Name as numpy spells it ("int32", "float64").
std::string_view dtype_name(DType dtype);

/// A 1-D or 2-D row-major array. `cols == 1` and `ndim == 1` for vectors.
struct ArrayView {
  const void* data = nullptr;
  DType dtype = DType::float32;
  std::int64_t rows = 0;
  std::int64_t cols = 1;
  int ndim = 1;

  bool empty() const { return data == nullptr; }
  std::int64_t size() const { return rows * cols; }

  static ArrayView vector(const float* p, std::int64_t n) { return {p, DType::float32, n, 1, 1}; }
  static ArrayView vector(const double* p, std::int64_t n) { return {p, DType::float64, n, 1, 1}; }
  static ArrayView vector(const std::int32_t* p, std::int64_t n) {
    return {p, DType::int32, n, 1, 1};
  }
  static ArrayView vector(const std::int64_t* p, std::int64_t n) {
    return {p, DType::int64, n, 1, 1};
  }
  static ArrayView matrix(const float* p, std::int64_t r, std::int64_t c) {
    return {p, DType::float32, r, c, 2};
  }
  static ArrayView matrix(const double* p, std::int64_t r, std::int64_t c) {
    return {p, DType::float64, r, c, 2};
  }
  static ArrayView matrix(const std::int32_t* p, std::int64_t r, std::int64_t c) {
    return {p, DType::int32, r, c, 2};
  }
  static ArrayView matrix(const std::int64_t* p, std::int64_t r, std::int64_t c) {
    return {p, DType::int64, r, c, 2};
  }
};

/// One evaluation batch of a multi-class problem (one label per sample).
/// Exactly one of `scores` (N x C logits or probabilities) and `predicted`
/// (N predicted labels) is set. `sample_weight` is optional (N).
struct MulticlassBatch {
  ArrayView target;         ///< (N,) int32/int64 labels in [0, C) or == ignore_index
  ArrayView scores;         ///< (N, C) float32/float64, row-major
  ArrayView predicted;      ///< (N,) int32/int64 predicted labels
  ArrayView sample_weight;  ///< (N,) float32/float64, finite and >= 0
};

/// One batch of a binary (L = 1) or multilabel (N x L) problem.
struct LabelwiseBatch {
  ArrayView target;         ///< (N,) or (N, L) int32/int64 in {0, 1}
  ArrayView scores;         ///< (N,) or (N, L) float32/float64: probabilities or logits
  ArrayView sample_weight;  ///< (N,) optional
};

}  // namespace metricaudit
