// Where replications run: this process alone, or one rank of an MPI job
// (a build with LINKSIM_MPI=ON, started by mpirun). Replication r runs on rank
// r % size(); its result is then copied to every rank, so that every rank
// aggregates the same numbers and rank 0 writes the same files as a
// single-process run, bit for bit.
#pragma once

#include <memory>
#include <vector>

#include "linksim/result.hpp"

namespace linksim::detail {

class Ensemble {
 public:
  virtual ~Ensemble() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  // A collective: true on every rank when `failed` is true on any.
  virtual bool any(bool failed) { return failed; }
  // Each replication's result from the rank that ran it to every rank.
  virtual void share(std::vector<ReplicationResult>& reps) { (void)reps; }
};

Ensemble& ensemble();
void use_ensemble(std::unique_ptr<Ensemble> e);
// Only rank 0 writes files.
inline bool writes_files() { return ensemble().rank() == 0; }

}  // namespace linksim::detail
