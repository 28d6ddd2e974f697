// `linksim bench`: the engine's speed on the default world, end to end, next
// to a bare kernel measured on the same world in the same process: the least
// work the model's buyer-days can cost. For every buyer-day it reads the
// buyer's state and draws the session count with one counter-based draw; for
// every session, one draw for the surface, one for the streamer and one per
// browsed listing, reading that listing's base probability; nothing else. The
// kernel's exp(-λ_b) per buyer is computed before it is timed.
#include "linksim/bench.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>

#include "parallel.hpp"
#include "rng.hpp"
#include "world/world.hpp"

namespace linksim {

namespace {

using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// One day of the bare kernel over every buyer; returns the orders it "placed"
// so that nothing can be optimised away.
std::int64_t kernel_day(const detail::World& w, const std::vector<float>& exp_neg_rate, int day,
                        int depth, int threads) {
  using namespace detail;
  const Buyers& buyers = w.buyers;
  const std::uint64_t base = stream_base(w.seed, Kind::buyer, day, Purpose::sessions);
  const auto streamers = static_cast<std::uint64_t>(w.cart_len.size());
  constexpr std::int64_t chunk = 8192;
  const std::int64_t chunks = (buyers.count + chunk - 1) / chunk;
  std::vector<std::int64_t> placed(static_cast<std::size_t>(chunks), 0);
  parallel_for(chunks, threads, [&](std::int64_t c) {
    std::int64_t hits = 0;
    const std::int64_t end = std::min(buyers.count, (c + 1) * chunk);
    for (std::int64_t b = c * chunk; b < end; ++b) {
      Stream rng(base, static_cast<std::uint64_t>(b));
      const int n = poisson_small(rng, buyers.rate[b], exp_neg_rate[b]);
      for (int s = 0; s < n; ++s) {
        hits += rng.uniform() < 0.4;  // the surface
        const std::uint64_t st = rng.below(streamers);
        const std::int32_t* cart = &w.carts[st * static_cast<std::uint64_t>(w.cart_size)];
        const int len = std::min(depth, static_cast<int>(w.cart_len[st]));
        for (int j = 0; j < len; ++j) hits += rng.uniform() < w.hot[cart[j]].base_p;
      }
    }
    placed[static_cast<std::size_t>(c)] = hits;
  });
  std::int64_t total = 0;
  for (auto p : placed) total += p;
  return total;
}

}  // namespace

BenchPoint bench_point(const Scenario& scenario, int threads, int kernel_days) {
  BenchPoint p;
  p.buyers = scenario.population.buyers;
  p.threads = threads;
  p.days = scenario.calendar.days + scenario.calendar.warmup_days;
  const auto start = clock_type::now();
  Simulation sim(scenario, detail::replication_seed(scenario.seed, 0), threads);
  p.setup_seconds = since(start);
  const auto days_start = clock_type::now();
  sim.run_to_end();
  p.day_seconds = since(days_start) / p.days;
  const ReplicationResult r = sim.result();
  p.total_seconds = since(start);
  // The buyers active on each day (recorded at its end; a day's arrivals shop
  // that day and its lapses do not), summed over the days.
  int active = 0;
  while (daily_info()[static_cast<std::size_t>(active)].name != "active_buyers") ++active;
  p.buyer_days_per_second = r.daily.col(active).sum() / p.total_seconds;
  p.gmv = r.metrics.front();
  p.peak_rss_bytes = peak_rss_bytes();  // the engine's, before the kernel's array

  const auto& rate = sim.world().buyers.rate;
  std::vector<float> exp_neg_rate(rate.size());
  for (std::size_t b = 0; b < rate.size(); ++b) exp_neg_rate[b] = std::exp(-rate[b]);
  const auto kernel_start = clock_type::now();
  std::int64_t hits = 0;
  for (int d = 0; d < kernel_days; ++d) {
    hits += kernel_day(sim.world(), exp_neg_rate, d, scenario.buyers.browse_depth, threads);
  }
  p.kernel_buyer_days_per_second =
      static_cast<double>(p.buyers) * kernel_days / since(kernel_start);
  p.kernel_checksum = hits;
  return p;
}

double peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) * 1024.0;  // kB
  }
  return 0;
}

}  // namespace linksim
