// Running under MPI (a build configured with LINKSIM_MPI=ON, started by
// `mpirun -np P linksim ...`): the replications of every run, and so of every
// compare, sweep, sensitivity and calibration, are spread over the ranks;
// every rank holds every result, and rank 0 writes the same files as a
// single-process run.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "linksim/result.hpp"

namespace linksim {

// Where replications run, passed explicitly (RunOptions::ensemble, and from
// there to the worlds that need it); no run reads a process-wide one. This
// base class is a process alone, rank 0 of 1, every collective a no-op; the
// MPI job of start_distributed() overrides them. Replication r runs on rank
// r % size(); its result is then copied to every rank, so that every rank
// aggregates the same numbers and the caller on rank 0 writes the same files
// as a single-process run, bit for bit.
class Ensemble {
 public:
  virtual ~Ensemble() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  // Only rank 0 writes a run's files: the others hold the same results.
  bool writes_files() const { return rank() == 0; }
  // A collective: true on every rank when `failed` is true on any.
  virtual bool any(bool failed) { return failed; }
  // Each replication's result from the rank that ran it to every rank.
  virtual void share(std::vector<ReplicationResult>& reps) { (void)reps; }
  // `text` from rank `root` to every rank.
  virtual void broadcast(std::string& text, int root) {
    (void)text;
    (void)root;
  }
  // One world split over the ranks (--partition-buyers): every rank's bytes,
  // concatenated in rank order, on every rank; and a sum over the ranks.
  virtual std::vector<char> gather(const std::vector<char>& mine) { return mine; }
  virtual void sum(std::vector<std::uint32_t>& values) { (void)values; }
};

// True when this build can run under MPI.
bool distributed_build();
// Starts MPI in a build that has it, when an MPI launcher (mpirun, mpiexec,
// srun) started this process or LINKSIM_MPI=1 says to, and returns its
// ensemble (this process's rank of the job); otherwise a process alone, rank
// 0 of 1, without MPI. Pass it to the runs in RunOptions::ensemble. Throws
// std::invalid_argument when LINKSIM_MPI is neither 0 nor 1.
std::unique_ptr<Ensemble> start_distributed(int& argc, char**& argv);
// The environment variables by which MPI launchers mark the processes they
// start (SLURM_STEP_NUM_TASKS only from 2 tasks), in any build.
std::span<const char* const> launcher_variables();
// Under mpirun every rank checks its own input (scenario, memory): `problem`
// is this rank's, empty when it has none. A collective: every rank gets the
// problem of the lowest rank that has one, prefixed "rank R: " when R is not
// 0, or an empty string when no rank has one, so every rank stops or goes on
// together. Alone, `problem` itself.
std::string first_problem(Ensemble& ensemble, const std::string& problem);
// Ends MPI; call once, after the last collective of the ensemble that
// start_distributed() returned.
void stop_distributed();
// Ends the whole job at once with `code` (a failure on one rank).
[[noreturn]] void abort_distributed(int code);

}  // namespace linksim
