// Discovery and loading of prediction dumps: the arrays a logged evaluation was
// computed from, saved by the user's training loop next to its log.
//
// File names (E and S are decimal, E counted from 0 like CSVLogger's epoch column):
//   <split>_epoch<E>.npz   <split>_step<S>.npz
//       an archive with members target.npy and exactly one of logits.npy,
//       probs.npy, preds.npy; optionally sample_weight.npy. Other members are
//       ignored with a warning.
//   <split>_epoch<E>.<role>.npy   <split>_step<S>.<role>.npy
//       one array per file, <role> one of target, logits, probs, preds,
//       sample_weight; files with the same <split>_epoch<E> stem form one dump.
//       (A lone "<split>_epoch<E>.npy" without a role is refused: one array cannot
//       hold both the target and the predictions.)
// <split> is train, val, valid, validation or test ("valid"/"validation" read as "val").
// Other files in the directory are not dumps and are passed over silently.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metricaudit/audit/dump.hpp"
#include "metricaudit/audit/read_limits.hpp"

namespace metricaudit::audit {

/// The roles of a dump's arrays, in the order messages list them.
inline constexpr std::array<std::string_view, 6> kDumpRoles = {
    "target", "logits", "probs", "preds", "sample_weight", "sample_ids"};

/// What a dump's file name says (the convention above); the one parser of it.
struct DumpName {
  std::string split;          ///< "train", "val" or "test" ("valid"/"validation" read as "val")
  std::string split_written;  ///< the split as the name writes it ("validation")
  std::string unit;           ///< "epoch" or "step"
  std::string digits;         ///< the number as written ("01")
  std::optional<std::int64_t> number;  ///< nullopt when it does not fit in 64 bits
  std::string role;                    ///< "<role>" of "<stem>.<role>.npy"; empty when none
  std::string extension;               ///< "npz" or "npy"; empty for a bare stem
};

/// Parses "<split>_(epoch|step)<digits>", followed by nothing (a stem), ".npz"/".npy",
/// or ".<role>.npz"/".<role>.npy" with <role> made of letters and '_'. nullopt for a name
/// that does not follow the convention. The role is not checked against kDumpRoles.
std::optional<DumpName> parse_dump_name(std::string_view file_name);

/// Where one dump lives, before anything is read.
struct DumpLocation {
  std::string split;  ///< "train", "val" or "test"
  std::optional<std::int64_t> epoch;
  std::optional<std::int64_t> step;
  /// The .npz archive, or empty when the dump is a set of per-role .npy files.
  std::filesystem::path npz;
  /// Per-role .npy files by role ("target", "logits", ...); empty for a .npz dump.
  std::map<std::string, std::filesystem::path> npy;
  /// The path that names the dump in messages: the .npz, or the common stem of the .npy files.
  std::string display_path() const;
};

struct DumpSet {
  std::vector<Dump> dumps;  ///< in list_dumps' order
  std::vector<std::string> warnings;
};

/// Lists the dumps in `dir` (not recursive) without reading them, sorted by split name,
/// then epoch, then step. Throws InputError for a directory that cannot be read, a
/// role-less .npy dump name, a .npz name with a role, or two files for the same dump and
/// role (a .npz and .npy files, or "val_epoch1" and "validation_epoch01"). A .npy file of
/// an unknown role is skipped with a warning appended to `warnings` (when given).
std::vector<DumpLocation> list_dumps(const std::filesystem::path& dir,
                                     std::vector<std::string>* warnings = nullptr);

/// Reads one dump and validates it: target (N,) or (N, C); exactly one of logits (N, C),
/// probs (N, C), preds (N,); sample_weight (N,); every N equal and at least 1, and C equal
/// between a 2-D target and the scores. Errors are InputError naming the file.
Dump load_dump(const DumpLocation& where, const ReadLimits& limits = {},
               std::vector<std::string>* warnings = nullptr);

/// list_dumps + load_dump on each: every dump in `dir`, read and validated.
DumpSet find_dumps(const std::filesystem::path& dir, const ReadLimits& limits = {});

}  // namespace metricaudit::audit
