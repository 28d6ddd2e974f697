// Running under MPI (a build configured with LINKSIM_MPI=ON, started by
// `mpirun -np P linksim ...`): the replications of every run, and so of every
// compare, sweep, sensitivity and calibration, are spread over the ranks;
// rank 0 gathers them and writes the same files as a single-process run.
#pragma once

#include <span>
#include <string>

namespace linksim {

struct Distributed {
  int rank = 0;
  int size = 1;
};

// True when this build can run under MPI.
bool distributed_build();
// Starts MPI in a build that has it, when an MPI launcher (mpirun, mpiexec,
// srun) started this process or LINKSIM_MPI=1 says to, and spreads
// replications over the ranks from then on; a no-op otherwise: a single
// process is rank 0 of 1, without MPI. Throws std::invalid_argument when
// LINKSIM_MPI is neither 0 nor 1.
Distributed start_distributed(int& argc, char**& argv);
// The environment variables by which MPI launchers mark the processes they
// start (SLURM_STEP_NUM_TASKS only from 2 tasks), in any build.
std::span<const char* const> launcher_variables();
// This process's rank (0 without MPI): only rank 0 writes files.
int distributed_rank();
// Under mpirun every rank checks its own input (scenario, memory): `problem`
// is this rank's, empty when it has none. A collective: every rank gets the
// problem of the lowest rank that has one, prefixed "rank R: " when R is not
// 0, or an empty string when no rank has one, so every rank stops or goes on
// together. Without MPI, `problem` itself.
std::string first_problem(const std::string& problem);
// Ends MPI; call once, after the last collective.
void stop_distributed();
// Ends the whole job at once with `code` (a failure on one rank).
[[noreturn]] void abort_distributed(int code);

}  // namespace linksim
