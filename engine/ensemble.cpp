// The single-process ensemble, and the MPI one in a build with LINKSIM_MPI.
#include "ensemble.hpp"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "linksim/distributed.hpp"

#ifdef LINKSIM_MPI
#include <mpi.h>
#endif

namespace linksim {

namespace detail {

Ensemble& ensemble_or_alone(Ensemble* ensemble) {
  static Ensemble alone;  // stateless: every collective a no-op
  return ensemble != nullptr ? *ensemble : alone;
}

}  // namespace detail

std::span<const char* const> launcher_variables() {
  static constexpr const char* names[] = {
      "OMPI_COMM_WORLD_SIZE",  // OpenMPI's mpirun
      "PMIX_RANK",             // any PMIx launcher: mpirun, srun --mpi=pmix
      "PMI_RANK",              // MPICH's and Intel MPI's Hydra, srun --mpi=pmi2
      "PMI_SIZE",
      "MV2_COMM_WORLD_SIZE",   // MVAPICH's mpirun_rsh
      "PALS_RANKID",           // Cray PALS
      "ALPS_APP_PE",           // Cray ALPS
      "SLURM_STEP_NUM_TASKS",  // any srun step, so from 2 tasks only (Slurm's PMI-1)
  };
  return names;
}

std::string first_problem(Ensemble& e, const std::string& problem) {
  if (e.size() == 1 || !e.any(!problem.empty())) return problem;
  // Each rank with a problem sends its rank, the text's length and the text.
  std::vector<char> mine;
  if (!problem.empty()) {
    const std::int64_t head[2] = {e.rank(), static_cast<std::int64_t>(problem.size())};
    const auto* h = reinterpret_cast<const char*>(head);
    mine.assign(h, h + sizeof head);
    mine.insert(mine.end(), problem.begin(), problem.end());
  }
  const std::vector<char> all = e.gather(mine);
  std::int64_t head[2];
  std::memcpy(head, all.data(), sizeof head);  // the lowest rank's comes first
  const std::string text(all.data() + sizeof head, static_cast<std::size_t>(head[1]));
  return head[0] == 0 ? text : "rank " + std::to_string(head[0]) + ": " + text;
}

#ifdef LINKSIM_MPI

namespace {

// Replications are packed as doubles: index, seed (its bits), the metrics,
// then the daily, monthly and quarterly matrices (column-major, as Eigen stores them).
class MpiEnsemble : public Ensemble {
 public:
  MpiEnsemble() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  bool any(bool failed) override {
    int mine = failed ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return all != 0;
  }
  void share(std::vector<ReplicationResult>& reps) override {
    if (size_ == 1) return;
    for (std::size_t r = 0; r < reps.size(); ++r) {
      const int owner = static_cast<int>(r % static_cast<std::size_t>(size_));
      ReplicationResult& rep = reps[r];
      long shape[9] = {static_cast<long>(rep.metrics.size()),
                       rep.daily.rows(),
                       rep.daily.cols(),
                       rep.monthly.rows(),
                       rep.monthly.cols(),
                       rep.quarterly.rows(),
                       rep.quarterly.cols(),
                       rep.by_category.rows(),
                       rep.by_category.cols()};
      MPI_Bcast(shape, 9, MPI_LONG, owner, MPI_COMM_WORLD);
      if (rank_ != owner) {
        rep.metrics.resize(static_cast<std::size_t>(shape[0]));
        rep.daily.resize(shape[1], shape[2]);
        rep.monthly.resize(shape[3], shape[4]);
        rep.quarterly.resize(shape[5], shape[6]);
        rep.by_category.resize(shape[7], shape[8]);
      }
      std::vector<double> buf(static_cast<std::size_t>(2 + shape[0] + shape[1] * shape[2] +
                                                       shape[3] * shape[4] + shape[5] * shape[6] +
                                                       shape[7] * shape[8]));
      Eigen::MatrixXd* matrices[] = {&rep.daily, &rep.monthly, &rep.quarterly, &rep.by_category};
      if (rank_ == owner) {
        buf[0] = rep.index;
        std::memcpy(&buf[1], &rep.seed, sizeof rep.seed);
        std::copy(rep.metrics.begin(), rep.metrics.end(), buf.begin() + 2);
        auto at = buf.begin() + 2 + shape[0];
        for (const auto* m : matrices) at = std::copy(m->data(), m->data() + m->size(), at);
      }
      MPI_Bcast(buf.data(), static_cast<int>(buf.size()), MPI_DOUBLE, owner, MPI_COMM_WORLD);
      if (rank_ != owner) {
        rep.index = static_cast<int>(buf[0]);
        std::memcpy(&rep.seed, &buf[1], sizeof rep.seed);
        std::copy(buf.begin() + 2, buf.begin() + 2 + shape[0], rep.metrics.begin());
        auto at = buf.begin() + 2 + shape[0];
        for (auto* m : matrices) {
          std::copy(at, at + m->size(), m->data());
          at += m->size();
        }
      }
    }
  }

  void broadcast(std::string& text, int root) override {
    long long n = static_cast<long long>(text.size());
    MPI_Bcast(&n, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
    text.resize(static_cast<std::size_t>(n));
    MPI_Bcast(text.data(), static_cast<int>(n), MPI_CHAR, root, MPI_COMM_WORLD);
  }
  std::vector<char> gather(const std::vector<char>& mine) override {
    long long n = static_cast<long long>(mine.size());
    std::vector<long long> sizes(static_cast<std::size_t>(size_));
    MPI_Allgather(&n, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD);
    std::vector<int> counts(sizes.size()), offsets(sizes.size());
    long long total = 0;
    for (long long each : sizes) total += each;
    // MPI counts are ints: every rank sees the same sizes, so every rank stops here.
    if (total > std::numeric_limits<int>::max()) {
      throw std::length_error(
          "a day's exchange between the ranks would be " + std::to_string(total) +
          " bytes, over MPI's limit of 2 GiB per collective (every rank receives every order): "
          "simulate fewer buyers, or run without --partition-buyers");
    }
    total = 0;
    for (std::size_t r = 0; r < sizes.size(); ++r) {
      counts[r] = static_cast<int>(sizes[r]);
      offsets[r] = static_cast<int>(total);
      total += sizes[r];
    }
    std::vector<char> all(static_cast<std::size_t>(total));
    MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, all.data(), counts.data(),
                   offsets.data(), MPI_BYTE, MPI_COMM_WORLD);
    return all;
  }
  void sum(std::vector<std::uint32_t>& values) override {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UINT32_T,
                  MPI_SUM, MPI_COMM_WORLD);
  }

 private:
  int rank_ = 0, size_ = 1;
};

// Whether this process is a rank of an MPI job: LINKSIM_MPI=1 or 0 says so,
// or else one of launcher_variables(). Otherwise MPI is not started at all: a
// singleton MPI_Init costs 0.3 s per command and starts a PMIx server, which
// fails where it cannot write its shared-memory files (a file size limit, no
// /dev/shm).
bool launched_by_mpi() {
  if (const char* say = std::getenv("LINKSIM_MPI")) {
    const std::string_view v(say);
    if (v == "1") return true;
    if (v == "0") return false;
    throw std::invalid_argument("LINKSIM_MPI must be 1 (start MPI) or 0 (do not), not '" +
                                std::string(v) + "'");
  }
  for (const char* name : launcher_variables()) {
    const char* value = std::getenv(name);
    if (value == nullptr) continue;
    if (std::string_view(name) != "SLURM_STEP_NUM_TASKS" || std::atoi(value) > 1) return true;
  }
  return false;
}

// Between MPI_Init and MPI_Finalize (MPI's own state: both may be asked at
// any time).
bool mpi_running() {
  int started = 0, finished = 0;
  MPI_Initialized(&started);
  MPI_Finalized(&finished);
  return started != 0 && finished == 0;
}

}  // namespace

bool distributed_build() { return true; }

std::unique_ptr<Ensemble> start_distributed(int& argc, char**& argv) {
  if (!launched_by_mpi()) return std::make_unique<Ensemble>();
  int provided = 0;
  // Only the main thread calls MPI; OpenMP threads work in between.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  return std::make_unique<MpiEnsemble>();
}

void stop_distributed() {
  if (mpi_running()) MPI_Finalize();
}

void abort_distributed(int code) {
  if (mpi_running()) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

#else

bool distributed_build() { return false; }
std::unique_ptr<Ensemble> start_distributed(int&, char**&) { return std::make_unique<Ensemble>(); }
void stop_distributed() {}
void abort_distributed(int code) { std::_Exit(code); }

#endif

}  // namespace linksim
