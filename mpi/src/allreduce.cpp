#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "metricaudit/error.hpp"
#include "metricaudit/mpi.hpp"
#include "metricaudit/state_arrays.hpp"

namespace metricaudit::mpi {
namespace {

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw Error(std::string(call) +
                " failed: " + std::string(text, static_cast<std::size_t>(length)));
  }
}

/// `text` on every rank as it is on `root`.
std::string broadcast(std::string text, int root, MPI_Comm comm) {
  auto length = static_cast<long long>(text.size());
  check(MPI_Bcast(&length, 1, MPI_LONG_LONG, root, comm), "MPI_Bcast");
  text.resize(static_cast<std::size_t>(length));
  check(MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, root, comm), "MPI_Bcast");
  return text;
}

std::string encode(const OptionTexts& options) {
  std::string out;
  for (const auto& [name, value] : options) out += name + '\t' + value + '\n';
  return out;
}

OptionTexts decode(const std::string& text) {
  OptionTexts out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t tab = text.find('\t', at), end = text.find('\n', at);
    out.emplace_back(text.substr(at, tab - at), text.substr(tab + 1, end - tab - 1));
    at = end + 1;
  }
  return out;
}

/// Throws the same IncompatibleError on every rank when some rank's options differ from
/// rank 0's (every rank learns the first such rank and its difference, so none is left
/// waiting in the reduction).
void check_same_options(const OptionTexts& mine, MPI_Comm comm) {
  int rank = 0, size = 0;
  check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  const OptionTexts first = decode(broadcast(encode(mine), 0, comm));
  const std::string difference = first_difference(first, mine);
  int differing = difference.empty() ? size : rank;
  check(MPI_Allreduce(MPI_IN_PLACE, &differing, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (differing == size) return;
  throw IncompatibleError("mpi::allreduce: rank " + std::to_string(differing) +
                          "'s state has other options than rank 0's (" +
                          broadcast(difference, differing, comm) + ")");
}

template <typename State>
void allreduce_state(State& state, MPI_Comm comm) {
  check_same_options(merge_options(state.options()), comm);
  StateArrays arrays = to_arrays(state);
  std::vector<std::int64_t> buffer = flatten(arrays);
  if (buffer.size() > static_cast<std::size_t>(INT_MAX)) {
    throw InvalidArgument("mpi::allreduce: the state's " + std::to_string(buffer.size()) +
                          " values exceed one MPI message (INT_MAX)");
  }
  check(MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(buffer.size()), MPI_INT64_T,
                      MPI_SUM, comm),
        "MPI_Allreduce");
  unflatten(buffer, arrays);
  state = from_arrays(state.options(), arrays);
}

}  // namespace

void allreduce(SufficientState& state, MPI_Comm comm) {
  allreduce_state(state, comm);
}

void allreduce(LabelwiseState& state, MPI_Comm comm) {
  allreduce_state(state, comm);
}

}  // namespace metricaudit::mpi
