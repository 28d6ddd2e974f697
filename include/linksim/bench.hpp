// Measuring the engine: one replication end to end (set-up included) and the
// bare kernel on the same world, for `linksim bench`.
#pragma once

#include <cstdint>

#include "linksim/simulation.hpp"

namespace linksim {

struct BenchPoint {
  std::int64_t buyers = 0;
  int threads = 1;
  int days = 0;              // simulated, warm-up included
  double setup_seconds = 0;  // building the world
  double day_seconds = 0;    // per simulated day
  double total_seconds = 0;  // set-up, every day and the metrics
  // End to end, over the buyer-days the world simulated: the active buyers of
  // every day (model v2's arrivals and lapses change them; v1: buyers x days).
  double buyer_days_per_second = 0;
  double kernel_buyer_days_per_second = 0;  // the bare kernel, same world and threads
  std::int64_t kernel_checksum = 0;         // keeps the kernel's work observable
  double peak_rss_bytes = 0;                // of this process so far
  double gmv = 0;                           // fen, a sanity check of the run
};

// One replication of `scenario` on `threads` threads, then `kernel_days` days
// of the bare kernel over its final world.
BenchPoint bench_point(const Scenario& scenario, int threads, int kernel_days = 10);
// The process's peak resident memory (VmHWM), in bytes.
double peak_rss_bytes();

}  // namespace linksim
