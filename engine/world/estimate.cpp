// The memory a run will need, estimated before anything is allocated, so that
// a scenario too large for the machine is refused with figures rather than
// killed by the kernel halfway.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include "ensemble.hpp"
#include "linksim/simulation.hpp"
#include "world/build.hpp"
#include "world/world.hpp"

namespace linksim {

namespace {

// A world of `buyers` buyer slots of scenario `s` (all of them, or one rank's
// share under --partition-buyers).
double world_bytes_of(const Scenario& s, double buyers) {
  using namespace detail;
  const double streamers =
      static_cast<double>(std::max<std::int64_t>(1, s.scaled(s.population.streamers))) +
      (static_cast<double>(s.calendar.days) + s.calendar.warmup_days) *
          s.scaled_rate(s.streamers.entry.per_day) *
          std::pow(s.streamers.entry.max_attractiveness, s.streamers.entry.attractiveness_exponent);
  const double k = static_cast<double>(s.categories.size());
  const double days = static_cast<double>(s.calendar.days) + s.calendar.warmup_days;
  // Buyers: rate, next session, elasticity, trust, apps, preferences and their
  // total, follow offset;
  // follow lists twice over while they are built (per-chunk lists, then one array).
  const double follows = std::min(s.buyers.follows, streamers);
  // v2: the month of the last session, and with arrivals or lapses the
  // status, satisfaction and lapse budget and step, allocated once the
  // follow lists' second copy is freed (so the larger of the two counts).
  const double dynamic = buyers_dynamic(s) ? 1 + 4 + 4 + 4 : 0;
  const double per_buyer =
      4 + 8 + 4 + 4 + 1 + 2 + 2 * k + 4 + 8 + 4 * follows + std::max(4 * follows, dynamic);
  // Orders of a day, twice (the chunks' lists and their join; clearing's 4-byte
  // index per order and one listing's 16-byte tickets are left out, small
  // beside them): at most max_orders per session, with the day's traffic at
  // its highest.
  double traffic = 1;
  for (const auto& e : s.events) traffic = std::max(traffic, e.traffic);
  const double sessions = buyers * s.buyers.session_rate * traffic;
  const double orders =
      std::min(sessions * std::min(s.buyers.max_orders_per_session, s.buyers.browse_depth),
               sessions * s.buyers.browse_depth * std::min(1.0, 4 * s.conversion.base * traffic));
  // Merchants: those of day 0 and every entry the horizon can see, with two listings each.
  const double merchants =
      static_cast<double>(s.scaled(s.population.merchants)) +
      static_cast<double>(s.scaled(s.external.taobao.pool.listings) +
                          s.scaled(s.external.jd.pool.listings)) +
      days * s.scaled_rate(s.merchants.entry.native_per_day + s.merchants.entry.external_per_day) *
          3;
  const double per_merchant = sizeof(Merchant) + 2 * (sizeof(Listing) + sizeof(ListingHot) + 8);
  // A streamer's cart, and its day's browse list per surface (at most a cart
  // each): per entry a copy of the listing's ListingHot and its id.
  const double browse = std::min(s.buyers.browse_depth, s.streamers.cart_size);
  const double per_streamer = sizeof(Streamer) + 4.0 * s.streamers.cart_size + 64 +
                              2 * (browse * (sizeof(ListingHot) + 4) + 4);
  const double recorder = days * (daily_count + 1) * 8 + days / 28 * monthly_count * 8;
  return buyers * per_buyer + 2 * orders * sizeof(Order) + merchants * per_merchant +
         streamers * per_streamer + recorder + 4e6;  // + fixed scratch
}

}  // namespace

// Model v2: every buyer slot (arrivals included) is built before day 0.
double world_bytes(const Scenario& s) {
  return world_bytes_of(s, static_cast<double>(detail::buyer_slots(s)));
}

MemoryEstimate estimate_memory(const Scenario& s, const RunOptions& options) {
  MemoryEstimate m;
  const int reps = std::max(1, options.replications > 0 ? options.replications : s.replications);
  m.concurrent = std::min(std::max(1, options.threads), reps);
  m.per_world = world_bytes(s);
  if (options.partition_buyers) {  // one world at a time, this rank's share of the buyers
    m.concurrent = 1;

    const int ranks = detail::ensemble_of(options).size();
    // This rank's share of the buyer slots; everything else as a whole world.
    m.per_world = world_bytes_of(
        s,
        static_cast<double>((detail::buyer_slots(s) + ranks - 1) / ranks + detail::demand_chunk));
  }
  // Each finished replication keeps its daily and monthly tables until the end.
  const double days = s.calendar.days;
  const double kept =
      reps *
      (days * detail::daily_count + days / 28 * detail::monthly_count + detail::metric_count) * 8.0;
  m.total = m.concurrent * m.per_world + kept + 16e6;  // + the program itself
  m.available = available_memory_bytes();
  return m;
}

double available_memory_bytes() {
  // LINKSIM_AVAILABLE_MEMORY (bytes) stands in for a smaller machine.
  if (const char* forced = std::getenv("LINKSIM_AVAILABLE_MEMORY")) {
    char* end = nullptr;
    const double v = std::strtod(forced, &end);
    if (end != forced && v > 0) return v;
  }
  double available = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                     static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemAvailable:", 0) == 0) available = std::stod(line.substr(13)) * 1024.0;
  }
  // In a container, the cgroup's limit (v2, then v1) is the real one.
  for (const char* file :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(file);
    std::string text;
    if (in >> text && text != "max") {
      char* end = nullptr;
      const double limit = std::strtod(text.c_str(), &end);
      if (end != text.c_str() && limit > 0) available = std::min(available, limit);
    }
  }
  return available;
}

}  // namespace linksim
