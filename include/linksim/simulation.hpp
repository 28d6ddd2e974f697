// Running the model: one replication day by day (Simulation), or a whole
// scenario over its replications (run).
#pragma once

#include <functional>
#include <memory>

#include "linksim/result.hpp"
#include "linksim/scenario.hpp"

namespace linksim {

namespace detail {
struct World;
}

class Simulation {
 public:
  // One replication of `scenario` with the given replication seed; the demand
  // phase runs on `threads` threads and the results do not depend on it.
  Simulation(const Scenario& scenario, std::uint64_t seed, int threads = 1);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  void step();  // one day; throws std::logic_error past the horizon
  bool done() const { return day_ >= scenario_.calendar.days; }
  int day() const { return day_; }  // negative during the warm-up
  void run_to_end();
  ReplicationResult result(int index = 0) const;

  const detail::World& world() const { return *world_; }
  detail::World& world() { return *world_; }

 private:
  const Scenario scenario_;  // a copy: the caller's may not outlive the simulation
  std::unique_ptr<detail::World> world_;
  int threads_;
  int day_ = 0;
};

struct RunOptions {
  int threads = 1;
  int replications = 0;  // 0: the scenario's
  // Called after every simulated day of any replication (from worker threads,
  // serialised): replications finished, total, days done in all.
  std::function<void(int finished, int total, long days_done, long days_total)> progress;
};

RunResult run(const Scenario& scenario, const RunOptions& options = {});

// Aggregates replications into means and intervals (used by run and merges).
void aggregate(RunResult& result);

}  // namespace linksim
