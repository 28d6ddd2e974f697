// Where replications run: this process alone, or one rank of an MPI job
// (a build with LINKSIM_MPI=ON, started by mpirun). Replication r runs on rank
// r % size(); its result is then copied to every rank, so that every rank
// aggregates the same numbers and rank 0 writes the same files as a
// single-process run, bit for bit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
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

// The buyers a rank holds when a world is split over `size` ranks: whole
// chunks of `chunk` buyers, contiguous, in rank order.
struct BuyerSlice {
  std::int64_t first = 0, end = 0;  // global buyer indices [first, end)
};
inline BuyerSlice buyer_slice(std::int64_t buyers, std::int64_t chunk, int rank, int size) {
  const std::int64_t chunks = (buyers + chunk - 1) / chunk;
  const std::int64_t c0 = chunks * rank / size, c1 = chunks * (rank + 1) / size;
  return {std::min(buyers, c0 * chunk), std::min(buyers, c1 * chunk)};
}

Ensemble& ensemble();
void use_ensemble(std::unique_ptr<Ensemble> e);
// Only rank 0 writes files.
inline bool writes_files() { return ensemble().rank() == 0; }

}  // namespace linksim::detail
