// Sequential Monte Carlo ABC (Beaumont, Cornuet, Marin and Robert 2009; Toni
// et al. 2009), with the adaptive tolerance of Del Moral, Doucet and Jasra
// (2012): each generation's tolerance is a quantile of the last one's
// distances. Generic: a problem is a simulator from a point of the unit cube
// to summary statistics, and observed values of them; linksim's own
// calibration (abc_run.cpp) and the tests' analytic models use it alike.
//
// Everything is a function of (seed, generation, attempt): attempt i of
// generation g proposes from its own stream and simulates with its own seed,
// and a generation takes the first `particles` accepted attempts in attempt
// order. Attempts run in batches, in parallel, so the posterior is the same
// on any number of threads or ranks; and a journal of the simulated attempts
// lets an interrupted calibration resume to the same posterior.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "linksim/distributed.hpp"

namespace linksim::detail {

struct AbcProblem {
  int dims = 0;
  std::vector<double> observed;  // the summaries' observed values
  std::vector<double> weights;   // each summary's weight in the distance
  // Summaries of one simulation at a point of [0, 1]^dims with a seed (NaN:
  // undefined, never accepted). Called from several threads at once.
  std::function<std::vector<double>(const std::vector<double>& unit, std::uint64_t seed)> simulate;
};

struct AbcSettings {
  int particles = 200;
  int generations = 8;
  double quantile = 0.5;
  double min_acceptance = 0.02;
  std::uint64_t seed = 1;
  int threads = 1;
  Ensemble* ensemble = nullptr;  // MPI: simulations spread over its ranks; null: here alone
  const std::atomic<int>* cancel = nullptr;             // non-zero: throw Cancelled
  std::function<void(const std::string&)> log;          // a line per generation
  std::function<void(long done, long total)> progress;  // simulations of a batch
};

struct AbcGeneration {
  double epsilon = 0;                        // tolerance (infinite for the prior's generation)
  long attempts = 0;                         // proposals up to the last accepted one
  long simulated = 0;                        // of them, inside the prior's support (simulated)
  std::vector<std::vector<double>> unit;     // [particle][dim], in [0, 1]
  std::vector<std::vector<double>> summary;  // [particle][row]
  std::vector<double> weight, distance;      // weights sum to 1
  double acceptance() const { return simulated > 0 ? double(unit.size()) / simulated : 0; }
  double ess() const;
};

struct AbcOutcome {
  std::vector<AbcGeneration> generations;  // complete ones
  std::vector<double> scale;               // each summary's scale in the distance
  std::string stop;                        // why it stopped
  long simulations = 0;                    // run by this call (not found in the journal)
  long replayed = 0;                       // found in the journal
};

// The simulated attempts, one line each, appended and flushed as they finish
// (an interrupted calibration loses at most the simulations under way). Each
// line carries a checksum: a line cut short by a kill is ignored on reading.
// The header's fingerprint names the problem: a journal of another is refused.
class AbcJournal {
 public:
  // Opens (creating) the journal; `resume` false starts it afresh. Under MPI
  // rank 0 reads it for every rank and alone writes it (add() elsewhere only
  // remembers). Throws std::runtime_error when it holds another problem's
  // attempts.
  AbcJournal(const std::filesystem::path& file, const std::string& fingerprint, int dims, int rows,
             bool resume, Ensemble& ensemble);
  ~AbcJournal();
  AbcJournal(const AbcJournal&) = delete;
  AbcJournal& operator=(const AbcJournal&) = delete;
  const std::vector<double>* find(int generation, long attempt) const;
  void add(int generation, long attempt, const std::vector<double>& unit,
           const std::vector<double>& summary);  // thread-safe
  std::size_t size() const { return found_.size(); }

 private:
  std::map<std::pair<int, long>, std::vector<double>> found_;  // (g, i) -> summaries
  std::FILE* out_ = nullptr;
  std::mutex mutex_;  // add() from several threads
  int dims_, rows_;
};

// Runs generations until `generations` are complete or one accepts fewer
// than min_acceptance of its simulations (that one is kept), then returns
// the complete ones. Throws Cancelled when `cancel` is set.
AbcOutcome abc_smc(const AbcProblem& problem, const AbcSettings& settings, AbcJournal* journal);

// Weighted quantile q of values (weights summing to 1).
double weighted_quantile(std::vector<std::pair<double, double>> value_weight, double q);

}  // namespace linksim::detail
