// metricaudit::mpi::allreduce under mpirun (2 ranks in CI): every rank's state after the
// reduction equals, bit for bit, one process's state over all the data; differing options
// are refused on every rank, by name.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "metricaudit/metricaudit.hpp"
#include "metricaudit/mpi.hpp"

namespace metricaudit {
namespace {

int rank_of(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}
int size_of(MPI_Comm comm) {
  int s = 0;
  MPI_Comm_size(comm, &s);
  return s;
}

constexpr std::int64_t kRows = 997, kClasses = 6;

struct Data {
  std::vector<std::int64_t> target;
  std::vector<double> scores, weights;
};

// Deterministic logits with ties across the top-k boundary and a masked (-inf) logit.
Data data() {
  Data d;
  for (std::int64_t i = 0; i < kRows; ++i) {
    d.target.push_back((i * 7 + i / 5) % kClasses);
    d.weights.push_back(0.25 * static_cast<double>(i % 7));
    for (std::int64_t c = 0; c < kClasses; ++c) {
      d.scores.push_back(static_cast<double>((i * 31 + c * 17) % 5) * 0.5);
    }
  }
  d.scores[3 * kClasses + 2] = -INFINITY;
  return d;
}

MulticlassBatch rows(const Data& d, std::int64_t begin, std::int64_t end, bool weighted) {
  MulticlassBatch b;
  b.target = ArrayView::vector(d.target.data() + begin, end - begin);
  b.scores = ArrayView::matrix(d.scores.data() + begin * kClasses, end - begin, kClasses);
  if (weighted) b.sample_weight = ArrayView::vector(d.weights.data() + begin, end - begin);
  return b;
}

StateOptions options() {
  StateOptions o;
  o.num_classes = kClasses;
  o.top_k = {1, 2, 3};
  o.confusion_matrix = true;
  o.topk_sets = true;
  return o;
}

std::vector<double> some_readings(const SufficientState& s) {
  std::vector<double> out;
  for (Metric m : {Metric::accuracy, Metric::recall, Metric::precision, Metric::cross_entropy}) {
    for (Average a : {Average::micro, Average::macro}) {
      Convention c;
      c.metric = m;
      c.average = a;
      c.top_k = m == Metric::cross_entropy ? 1 : 2;
      c.ties = TieRule::torch_topk;
      // Per-class top-k counts are unweighted; the loss sums are weighted.
      c.sample_weighted = m == Metric::cross_entropy;
      out.push_back(read(s, c));
    }
  }
  return out;
}

TEST(MpiAllreduce, EqualsOneProcessBitForBit) {
  const int rank = rank_of(MPI_COMM_WORLD), size = size_of(MPI_COMM_WORLD);
  const Data d = data();
  SufficientState whole(options());
  update(whole, rows(d, 0, kRows, true));
  // Uneven shares: rank r holds rows [kRows r^2 / size^2, kRows (r + 1)^2 / size^2).
  auto bound = [&](std::int64_t r) { return kRows * r * r / (size * size); };
  SufficientState mine(options());
  update(mine, rows(d, bound(rank), bound(rank + 1), true));
  mpi::allreduce(mine, MPI_COMM_WORLD);
  EXPECT_TRUE(mine == whole);
  EXPECT_EQ(mine.samples, kRows);
  const auto expect = some_readings(whole), got = some_readings(mine);
  ASSERT_EQ(got.size(), expect.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(std::memcmp(&got[i], &expect[i], sizeof(double)), 0) << i;  // bit for bit
  }
}

TEST(MpiAllreduce, WeightedAndUnweightedRanksMergeAsMergeDoes) {
  const int rank = rank_of(MPI_COMM_WORLD), size = size_of(MPI_COMM_WORLD);
  const Data d = data();
  std::vector<SufficientState> parts;
  SufficientState merged(options());
  for (int r = 0; r < size; ++r) {
    SufficientState part(options());
    update(part, rows(d, kRows * r / size, kRows * (r + 1) / size, /*weighted=*/r == 0));
    merged.merge(part);
    if (r == rank) parts.push_back(part);
  }
  mpi::allreduce(parts.front(), MPI_COMM_WORLD);
  EXPECT_TRUE(parts.front() == merged);
}

TEST(MpiAllreduce, Labelwise) {
  const int rank = rank_of(MPI_COMM_WORLD), size = size_of(MPI_COMM_WORLD);
  const Data d = data();
  std::vector<std::int64_t> labels;
  for (auto t : d.target) labels.push_back(t % 2);
  auto batch = [&](std::int64_t begin, std::int64_t end) {
    LabelwiseBatch b;
    b.target = ArrayView::vector(labels.data() + begin, end - begin);
    b.scores = ArrayView::vector(d.weights.data() + begin, end - begin);  // in [0, 1.5]
    return b;
  };
  const LabelwiseState whole = evaluate(batch(0, kRows), LabelwiseOptions{});
  LabelwiseState mine =
      evaluate(batch(kRows * rank / size, kRows * (rank + 1) / size), LabelwiseOptions{});
  mpi::allreduce(mine, MPI_COMM_WORLD);
  EXPECT_TRUE(mine == whole);
}

TEST(MpiAllreduce, DifferentOptionsAreRefusedOnEveryRank) {
  const int rank = rank_of(MPI_COMM_WORLD), size = size_of(MPI_COMM_WORLD);
  StateOptions o = options();
  if (rank == size - 1) o.top_k = {1, 2, 4};
  SufficientState s(o);
  try {
    mpi::allreduce(s, MPI_COMM_WORLD);
    if (size > 1) ADD_FAILURE() << "accepted different options";
  } catch (const IncompatibleError& e) {
    EXPECT_EQ(std::string(e.what()),
              "mpi::allreduce: rank " + std::to_string(size - 1) +
                  "'s state has other options than rank 0's (top_k: [1,2,3] vs [1,2,4])");
  }
  // The communicator still works afterwards: nothing was left half-done.
  SufficientState fine(options());
  EXPECT_NO_THROW(mpi::allreduce(fine, MPI_COMM_WORLD));
}

}  // namespace
}  // namespace metricaudit

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  // Only rank 0 prints; every rank's failures still fail its exit code, hence mpirun's.
  if (metricaudit::rank_of(MPI_COMM_WORLD) != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS();
  MPI_Finalize();
  return failed;
}
