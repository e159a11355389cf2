// The averaging step of every classification reading, multi-class and labelwise
// alike: per-class ratios in, one number out. A new averaging rule is a new
// Average value (vocabulary.hpp) and a case here.
#include <cmath>
#include <limits>
#include <string>

#include "metricaudit/error.hpp"
#include "metricaudit/readings.hpp"

namespace metricaudit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool included(const ClassRatios& r, std::size_t i, Absent absent) {
  switch (absent) {
    case Absent::zero:
      return true;
    case Absent::exclude_unseen:
      return r.seen[i];
    case Absent::exclude_no_support:
      return r.supported[i];
  }
  return true;
}

// The value of a mean over no class: sklearn's _nanaverage of all-NaN values is NaN;
// torchmetrics divides 0 by a zero weight sum with _safe_divide, giving 0.
double empty_mean(const ClassRatios& r) {
  if (r.values.empty()) return 0.0;
  for (double v : r.values) {
    if (!std::isnan(v)) return 0.0;
  }
  return kNaN;
}

// sklearn's average="binary" (precision_recall_fscore_support -> _check_set_wise_labels):
// the value of pos_label = 1 when y_true and y_pred together hold at most two labels;
// refused when more are present, or when two are and 1 is not among them.
double positive_class(const ClassRatios& r, ZeroDivision zero_division) {
  std::string present;
  int count = 0;
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    if (!r.seen[i]) continue;
    present += (count++ ? ", " : "") + std::to_string(i);
  }
  const bool positive_seen = r.values.size() > 1 && r.seen[1];
  if (count > 2 || (count == 2 && !positive_seen)) {
    throw InvalidArgument(
        "average='binary': expected at most two labels in target and preds, "
        "1 among them (sklearn's pos_label=1), got " +
        std::to_string(count) + " labels (" + present +
        "); pass average='micro', 'macro' or 'weighted'");
  }
  // The positive class has no counts (or no column at all): 0/0.
  return r.values.size() > 1 ? r.values[1] : ratio(0.0, 0.0, zero_division);
}

}  // namespace

double ratio(double num, double den, ZeroDivision zd) {
  if (den != 0.0) return num / den;
  switch (zd) {
    case ZeroDivision::zero:
      return 0.0;
    case ZeroDivision::one:
      return 1.0;
    case ZeroDivision::nan:
      return kNaN;
  }
  return kNaN;
}

double average_ratios(const ClassRatios& r, Average average, Absent absent,
                      ZeroDivision zero_division) {
  switch (average) {
    case Average::binary:
      return positive_class(r, zero_division);
    case Average::macro: {
      double sum = 0.0;
      std::int64_t n = 0;
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        if (!included(r, i, absent) || std::isnan(r.values[i])) continue;
        sum += r.values[i];
        ++n;
      }
      return n == 0 ? empty_mean(r) : sum / static_cast<double>(n);
    }
    case Average::weighted: {
      double num = 0.0, den = 0.0;
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        if (std::isnan(r.values[i])) continue;
        num += r.support[i] * r.values[i];
        den += r.support[i];
      }
      return den == 0.0 ? empty_mean(r) : num / den;
    }
    case Average::micro:
      throw InvalidArgument("average='micro' is read from the summed counts, not averaged");
    case Average::none:
      throw InvalidArgument("average='none' gives one value per class: read them per class");
  }
  return kNaN;
}

}  // namespace metricaudit
