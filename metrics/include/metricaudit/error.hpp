// Error types. Every error names what was wrong, what was expected and where
// (argument and first offending index, or file and line): callers show the
// message as is. Nothing in metricaudit reports bad input any other way.
#pragma once

#include <stdexcept>
#include <string>

namespace metricaudit {

/// Root of every exception metricaudit throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A caller-supplied argument is unusable (the Python bindings map this to ValueError).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// An array has the wrong number of dimensions or extents that disagree.
class ShapeError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// An array has an element type the argument does not accept.
class DTypeError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// An element is out of its domain: label out of range, NaN/Inf score, negative weight.
class ValueRangeError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Two states or options that must agree do not (merging states of different class counts).
class IncompatibleError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// A reading is not defined for what the state holds (a loss without scores, top-k without ranks).
class UnavailableError : public Error {
 public:
  using Error::Error;
};

/// A file the audit reads is malformed; the message starts with `file:line:` or `file@offset:`.
class InputError : public Error {
 public:
  using Error::Error;
};

}  // namespace metricaudit
