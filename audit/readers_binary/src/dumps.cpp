// Dump discovery and loading; the naming convention is documented in dumps.hpp.
#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>

#include "internal.hpp"
#include "metricaudit/audit/dumps.hpp"
#include "metricaudit/audit/npy.hpp"
#include "metricaudit/audit/npz.hpp"

namespace metricaudit::audit {

namespace {

const std::vector<std::string> kRoles(kDumpRoles.begin(), kDumpRoles.end());

bool is_role_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  });
}

std::string describe(const DumpLocation& d) {
  std::string s = d.split + (d.epoch ? " epoch " + std::to_string(*d.epoch)
                                     : " step " + std::to_string(d.step.value_or(0)));
  return s;
}

auto key_of(const DumpLocation& d) {
  return std::tuple(d.split, d.epoch, d.step);
}

}  // namespace

std::optional<DumpName> parse_dump_name(std::string_view name) {
  DumpName out;
  const std::size_t underscore = name.find('_');
  if (underscore == std::string_view::npos) return std::nullopt;
  const std::string_view split = name.substr(0, underscore);
  if (split == "valid" || split == "validation" || split == "val") {
    out.split = "val";
  } else if (split == "train" || split == "test") {
    out.split = std::string(split);
  } else {
    return std::nullopt;
  }
  out.split_written = std::string(split);
  std::string_view rest = name.substr(underscore + 1);
  for (std::string_view unit : {"epoch", "step"}) {
    if (rest.starts_with(unit)) out.unit = std::string(unit);
  }
  if (out.unit.empty()) return std::nullopt;
  rest.remove_prefix(out.unit.size());
  const std::size_t digits = std::min(rest.find_first_not_of("0123456789"), rest.size());
  if (digits == 0) return std::nullopt;
  out.digits = std::string(rest.substr(0, digits));
  std::int64_t number = 0;
  const auto [end, err] = std::from_chars(rest.data(), rest.data() + digits, number);
  if (err == std::errc() && end == rest.data() + digits) out.number = number;
  rest.remove_prefix(digits);
  if (rest.empty()) return out;  // a bare stem
  // ".ext" or ".role.ext"
  const std::size_t last_dot = rest.rfind('.');
  const std::string_view ext = rest.substr(last_dot + 1);
  if (ext != "npz" && ext != "npy") return std::nullopt;
  out.extension = std::string(ext);
  if (last_dot == 0) return out;
  const std::string_view role = rest.substr(0, last_dot);
  if (role.front() != '.' || !is_role_name(role.substr(1))) return std::nullopt;
  out.role = std::string(role.substr(1));
  return out;
}

std::string DumpLocation::display_path() const {
  if (!npz.empty()) return npz.string();
  if (npy.empty()) return {};
  // "dir/val_epoch3.*.npy": the stem all role files share.
  const std::filesystem::path& any = npy.begin()->second;
  const std::string file = any.filename().string();
  const std::string stem = file.substr(0, file.find('.'));
  return (any.parent_path() / (stem + ".*.npy")).string();
}

std::vector<DumpLocation> list_dumps(const std::filesystem::path& dir,
                                     std::vector<std::string>* warnings) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) throw InputError(dir.string() + ": cannot list the dump directory: " + ec.message());
  std::vector<std::filesystem::path> files;
  for (const auto& entry : it) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // deterministic, whatever order the directory has

  std::vector<DumpLocation> dumps;
  for (const auto& path : files) {
    const std::optional<DumpName> name = parse_dump_name(path.filename().string());
    if (!name || name->extension.empty()) continue;  // not a dump
    DumpLocation loc;
    loc.split = name->split;
    const std::string& digits = name->digits;
    if (!name->number) {
      throw InputError(path.string() + ": " + name->unit + " number " + digits +
                       " does not fit in 64 bits");
    }
    (name->unit == "epoch" ? loc.epoch : loc.step) = *name->number;
    const bool is_npz = name->extension == "npz";
    const std::string& role = name->role;
    const std::string stem = name->split_written + "_" + name->unit + digits;
    if (is_npz && !role.empty()) {
      throw InputError(path.string() + ": a .npz dump holds every role; expected " + stem + ".npz");
    }
    if (!is_npz && role.empty()) {
      throw InputError(
          path.string() + ": a .npy dump must name its role: expected " + stem +
          ".<role>.npy with <role> one of target, logits, probs, preds, sample_weight");
    }
    if (!is_npz && std::find(kRoles.begin(), kRoles.end(), role) == kRoles.end()) {
      if (warnings != nullptr) {
        warnings->push_back(path.string() + ": ignored: unknown role '" + role +
                            "' (expected target, logits, probs, preds or sample_weight)");
      }
      continue;
    }
    auto same = std::find_if(dumps.begin(), dumps.end(),
                             [&](const DumpLocation& d) { return key_of(d) == key_of(loc); });
    if (same == dumps.end()) {
      if (is_npz)
        loc.npz = path;
      else
        loc.npy[role] = path;
      dumps.push_back(std::move(loc));
      continue;
    }
    const std::string other = !same->npz.empty() ? same->npz.string()
                                                 : (same->npy.count(role) ? same->npy[role].string()
                                                                          : same->display_path());
    if (is_npz || !same->npz.empty() || same->npy.count(role) != 0) {
      throw InputError(path.string() + ": a second dump for " + describe(loc) + " (also " + other +
                       "); keep one");
    }
    same->npy[role] = path;
  }
  std::sort(dumps.begin(), dumps.end(),
            [](const DumpLocation& a, const DumpLocation& b) { return key_of(a) < key_of(b); });
  return dumps;
}

Dump load_dump(const DumpLocation& where, const ReadLimits& limits,
               std::vector<std::string>* warnings) {
  Dump dump;
  dump.path = where.display_path();
  dump.split = where.split;
  dump.epoch = where.epoch;
  dump.step = where.step;

  std::map<std::string, NpyArray> arrays;
  if (!where.npz.empty()) {
    NpzContents contents = read_npz(where.npz, kRoles, limits);
    if (warnings != nullptr) {
      warnings->insert(warnings->end(), contents.warnings.begin(), contents.warnings.end());
    }
    arrays = std::move(contents.arrays);
  } else {
    for (const auto& [role, path] : where.npy) arrays.emplace(role, read_npy(path, limits));
  }
  // Where each role came from, for messages: "x.npz: logits.npy" or "x.logits.npy".
  auto origin = [&](const std::string& role) {
    if (!where.npz.empty()) return where.npz.string() + ": " + role + ".npy";
    const auto it = where.npy.find(role);
    return it != where.npy.end() ? it->second.string() : dump.path + ": " + role;
  };

  if (arrays.count("target") == 0) {
    throw InputError(
        dump.path + ": no target array (expected " +
        (where.npz.empty() ? std::string("a .target.npy file") : "a target.npy member") +
        " beside one of logits, probs, preds)");
  }
  std::vector<std::string> present;
  for (const char* role : {"logits", "probs", "preds"}) {
    if (arrays.count(role) != 0) present.emplace_back(role);
  }
  if (present.size() != 1) {
    std::string found = present.empty() ? "none" : present[0];
    for (std::size_t i = 1; i < present.size(); ++i) found += " and " + present[i];
    throw InputError(dump.path + ": expected exactly one of logits, probs, preds; found " + found);
  }

  const NpyArray& target = arrays.at("target");
  if (target.shape.size() != 1 && target.shape.size() != 2) {
    throw InputError(origin("target") + " has shape " + detail::shape_string(target.shape) +
                     "; expected (N,) labels or (N, C) one-hot / multilabel targets");
  }
  const std::int64_t n = target.shape[0];
  auto check = [&](const std::string& role, std::size_t rank, const char* expected) {
    const NpyArray& a = arrays.at(role);
    if (a.shape.size() != rank) {
      throw InputError(origin(role) + " has shape " + detail::shape_string(a.shape) +
                       "; expected " + expected);
    }
    if (a.shape[0] != n) {
      throw InputError(origin(role) + " has " + std::to_string(a.shape[0]) +
                       " rows but the target has " + std::to_string(n));
    }
  };
  const std::string& scores_role = present[0];
  if (scores_role == "preds") {
    check(scores_role, 1, "(N,)");
  } else if (arrays.at(scores_role).shape.size() == 1) {
    // (N,) scores: one binary output per sample (sigmoid logits or probabilities),
    // against (N,) 0/1 labels (audit/src/dump_batch.cpp reads it as binary).
    check(scores_role, 1, "(N,)");
    if (target.shape.size() != 1) {
      throw InputError(origin(scores_role) + " has shape " +
                       detail::shape_string(arrays.at(scores_role).shape) +
                       " (one binary score per sample) but the target has shape " +
                       detail::shape_string(target.shape) + "; expected (N,) 0/1 labels");
    }
  } else {
    check(scores_role, 2, "(N, C), or (N,) for binary scores");
  }
  if (scores_role != "preds" && target.shape.size() == 2 &&
      target.shape[1] != arrays.at(scores_role).shape[1]) {
    throw InputError(origin(scores_role) + " has " +
                     std::to_string(arrays.at(scores_role).shape[1]) +
                     " columns but the (N, C) target has " + std::to_string(target.shape[1]));
  }
  if (arrays.count("sample_weight") != 0) check("sample_weight", 1, "(N,)");
  if (arrays.count("sample_ids") != 0) {
    check("sample_ids", 1, "(N,)");
    const DType ids = arrays.at("sample_ids").dtype;
    if (ids != DType::int32 && ids != DType::int64) {
      throw InputError(origin("sample_ids") + " holds " + std::string(dtype_name(ids)) +
                       "; expected integer sample indices");
    }
  }
  // An empty evaluation has nothing to recompute, and its (0, C) scores can declare any C
  // without a byte of data: refused here, before a state is sized from C.
  if (n == 0) {
    throw InputError(origin("target") +
                     " has 0 rows; expected at least one sample (an empty evaluation has "
                     "nothing to recompute)");
  }

  dump.target = std::move(arrays.at("target"));
  auto take = [&](const char* role, std::optional<NpyArray>& slot) {
    if (auto it = arrays.find(role); it != arrays.end()) slot = std::move(it->second);
  };
  take("logits", dump.logits);
  take("probs", dump.probs);
  take("preds", dump.preds);
  take("sample_ids", dump.sample_ids);
  take("sample_weight", dump.sample_weight);
  return dump;
}

DumpSet find_dumps(const std::filesystem::path& dir, const ReadLimits& limits) {
  DumpSet set;
  for (const DumpLocation& where : list_dumps(dir, &set.warnings)) {
    set.dumps.push_back(load_dump(where, limits, &set.warnings));
  }
  return set;
}

}  // namespace metricaudit::audit
