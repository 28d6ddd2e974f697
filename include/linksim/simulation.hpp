// Running the model: one replication day by day (Simulation), or a whole
// scenario over its replications (run).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "linksim/result.hpp"
#include "linksim/scenario.hpp"

namespace linksim {

class Ensemble;  // linksim/distributed.hpp

namespace detail {
struct World;
}

// A read-only look at a simulation's world between steps: counts, and every
// agent's state. The buyers' arrays are views into the world, valid until the
// next step; the merchants and streamers are copied. Money in fen.
struct WorldView {
  int day = 0;  // days since calendar.start (negative in the warm-up); the next to simulate
  std::string date;
  struct Buyers {
    std::int64_t slots = 0;                // buyer slots (model v2: arrivals fill them over time)
    std::int64_t active = 0;               // buyers active today
    std::span<const float> session_rate;   // sessions per day
    std::span<const float> trust;          // in [0, 1]
    std::span<const std::uint8_t> status;  // model v2 with arrivals or lapses: 0 not yet
                                           // arrived, 1 active, 2 lapsed; else empty
    std::span<const float> satisfaction;   // model v2 with arrivals or lapses; else empty
  } buyers;
  struct Merchant {
    Origin origin = Origin::native;
    int category = 0;
    double quality = 0, price_rmb = 0, margin = 0, commission = 0;
    bool active = false, pool = false;  // pool: a union pool's seller, not a Kuaishou merchant
    int join_day = 0;                   // days since calendar.start
  };
  std::vector<Merchant> merchants;
  struct Streamer {
    std::int64_t followers = 0;
    double reputation = 0, live_factor = 1;
    std::int64_t income_fen = 0;  // commission income since the start
    bool present = true;          // has not left (model v2)
    int join_day = 0;
  };
  std::vector<Streamer> streamers;
  int active_merchants = 0;  // Kuaishou merchants active (pool sellers excluded)
};

// The seed replication `replication` of a scenario with seed `scenario_seed`
// runs with (what run() gives Simulation for it).
std::uint64_t seed_of_replication(std::uint64_t scenario_seed, int replication);

class Simulation {
 public:
  // One replication of `scenario` with the given replication seed; the demand
  // phase runs on `threads` threads and the results do not depend on it. With
  // `split`, an MPI job's ensemble, each rank holds and simulates a slice of
  // the buyers (a collective: every rank constructs and steps together).
  // `buyer_slots` (model v2): at least this many buyer slots (0: the
  // scenario's own bound), for a world that several scenarios continue from.
  // Throws ScenarioError, with every problem, for an invalid scenario (one
  // built or changed in code: each numeric key against its range, and the
  // rules across keys that the simulation relies on).
  Simulation(const Scenario& scenario, std::uint64_t seed, int threads = 1,
             Ensemble* split = nullptr, std::int64_t buyer_slots = 0);
  // A copy of `warmed`'s world and day, continued under `scenario`. For
  // scenarios whose warm-up is the same world (same_warmup), so that it runs once.
  Simulation(const Scenario& scenario, const Simulation& warmed);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  void step();  // one day; throws std::logic_error past the horizon
  bool done() const { return day_ >= scenario_.calendar.days; }
  int day() const { return day_; }  // negative during the warm-up
  void run_to_end();
  ReplicationResult result(int index = 0) const;
  // The world as it stands before the next step (read-only).
  WorldView view() const;

  const detail::World& world() const { return *world_; }
  detail::World& world() { return *world_; }

 private:
  const Scenario scenario_;  // a copy: the caller's may not outlive the simulation
  std::unique_ptr<detail::World> world_;
  int threads_;
  int day_ = 0;
};

// How far a run (or a compare or sweep, made of several runs) has got.
struct Progress {
  long days_done = 0, days_total = 0;  // replication-days of this run
  int replications_done = 0, replications_total = 0;
  int run = 0, runs = 1;  // this run's position among the runs of a compare or sweep
  int runs_done = 0;      // runs finished before this one (a resumed sweep's included)
  double fraction = 0;    // of all the work of this command still to do when it started
};

// Thrown by run() when its cancel flag is set (e.g. by SIGINT); nothing is returned.
struct Cancelled : std::runtime_error {
  explicit Cancelled(int signal)
      : std::runtime_error("interrupted by signal " + std::to_string(signal)), signal(signal) {}
  int signal;
};

struct RunOptions {
  int threads = 1;
  int replications = 0;  // 0: the scenario's
  // Called after every simulated day of any replication (from worker threads,
  // serialised).
  std::function<void(const Progress&)> progress;
  // Checked every simulated day: non-zero stops the run with Cancelled(value).
  const std::atomic<int>* cancel = nullptr;
  // For compare and sweep: where this run sits among theirs (progress only).
  int run_index = 0, run_count = 1, runs_done = 0;
  long work_before = 0, work_total = 0;  // replication-days; 0 total: this run alone
  // compare: run the warm-up once for scenarios that share it (same_warmup).
  bool share_warmup = true;
  // Under MPI: every rank runs every replication, each holding a slice of
  // the buyers, instead of spreading replications over the ranks.
  bool partition_buyers = false;
  // Under MPI: run every replication in this process (a sweep's point that
  // runs on one rank while the other ranks run other points).
  bool local = false;
  // The MPI job to spread the replications over (start_distributed), every
  // rank calling with the same arguments; null: this process alone.
  Ensemble* ensemble = nullptr;
};

// True when two scenarios simulate the same warm-up: everything but the name,
// the events (inside the horizon) and the policy entries that start on or
// after calendar.start is the same.
bool same_warmup(const Scenario& a, const Scenario& b);

// Replications of several scenarios that share their warm-up (same_warmup
// with the first): each replication's warm-up runs once and every scenario
// continues from a copy of it. The results are those of run() on each.
std::vector<RunResult> run_shared_warmup(const std::vector<Scenario>& scenarios,
                                         const RunOptions& options);

RunResult run(const Scenario& scenario, const RunOptions& options = {});

// Memory a run needs at its peak, estimated from the scenario alone: worlds
// built at once (one per replication running concurrently) and the results
// kept. Within about 25% of the measured peak for large worlds (tested).
struct MemoryEstimate {
  double per_world = 0;  // bytes
  double total = 0;      // bytes, the whole run
  int concurrent = 1;    // replications at once
  double available = 0;  // the machine's available memory, bytes
  bool fits() const { return total <= available; }
};
double world_bytes(const Scenario& scenario);
MemoryEstimate estimate_memory(const Scenario& scenario, const RunOptions& options);
double available_memory_bytes();  // MemAvailable of /proc/meminfo

// Aggregates replications into means and intervals (used by run and merges).
void aggregate(RunResult& result);

}  // namespace linksim
