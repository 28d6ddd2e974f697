// Step 1 (model v2): buyers come and go. Before the day's demand, active
// buyers lapse, lapsed ones return, and new buyers arrive into the slots
// built before day 0 (world/build.cpp: buyer_slots).
//
// h_b is a daily hazard: a buyer lapses on a day with probability 1 - e^-h_b
// (h_b for small h_b), so that without arrivals the active buyers decay as
// e^(-h t), model-v2.md's closed form. It is drawn as a budget: an Exp(1)
// draw when the buyer becomes active, spent by h_b each active day, for any
// h_b that changes with its satisfaction (the demand phase updates its daily
// step). A lapsed buyer's budget is spent the same way by its return hazard,
// return_rate x the day's traffic. So a day costs one subtraction per buyer
// slot, in parallel chunks, and draws only for the few who change.
#include <algorithm>
#include <cmath>
#include <limits>

#include "day/phases.hpp"
#include "ensemble.hpp"
#include "parallel.hpp"
#include "world/build.hpp"

namespace linksim::detail {

namespace {

// Orders per session over the last 30 days against the first 30 simulated
// days (1 during those): the shopping attractiveness that draws new buyers.
double shopping_attractiveness(World& w) {
  const int day = w.today.day;
  const int first = -w.warmup;
  if (day - first < 30) return 1.0;
  const auto rate = [&](int from) {
    double orders = 0, sessions = 0;
    for (int d = from; d < from + 30; ++d) {
      orders += w.recorder.at(d, Daily::orders_placed);
      sessions += w.recorder.at(d, Daily::sessions);
    }
    return sessions > 0 ? orders / sessions : 0.0;
  };
  if (day - first == 30) w.buyer_attract_reference = rate(first);
  const double now = rate(day - 30);
  return w.buyer_attract_reference > 0 ? now / w.buyer_attract_reference : 1.0;
}

// A buyer becomes active today: its first session on the traffic clock and a
// fresh lapse budget, from its own streams.
void activate(const Scenario& s, World& w, std::int64_t local, std::int64_t id, int day) {
  Buyers& b = w.buyers;
  b.status[local] = active_buyer;
  b.satisfaction[local] = 1.0f;
  b.lapse_step[local] = lapse_step(s, 1.0);
  b.lapse_left[local] = lapse_budget(w.seed, id, day);
  Stream rng(w.seed, Kind::buyer, static_cast<std::uint64_t>(id), day, Purpose::arrival);
  const auto rate = static_cast<double>(b.rate[local]);
  b.next_session[local] = rate > 0 ? w.traffic_clock + rng.exponential() / rate
                                   : std::numeric_limits<double>::infinity();
}

}  // namespace

void turn_over_buyers(const Scenario& s, World& w, int threads) {
  Buyers& b = w.buyers;
  if (!b.dynamic()) return;
  const int day = w.today.day;
  // Lapses and returns: every slot spends its budget (in parallel chunks,
  // each buyer's own arithmetic); the few that run out, gathered by chunk,
  // change status in buyer order.
  // A lapsed buyer's step is the return hazard, times the day's traffic t;
  // an unborn slot spends nothing: a factor of active_weight(s) + s(s - 1)/2
  // t for status s = 0, 1, 2 (0, 1, t), arithmetic the compiler vectorises.
  const auto traffic = static_cast<float>(w.today.traffic);
  float* left = b.lapse_left.data();
  const float* step = b.lapse_step.data();
  const std::uint8_t* status = b.status.data();
  // Slots past the last arrival are unborn and spend nothing: skipped.
  const std::int64_t slots = std::clamp<std::int64_t>(b.born - b.first, 0, b.count);
  const std::int64_t chunks = (slots + demand_chunk - 1) / demand_chunk;
  std::vector<std::vector<std::int64_t>> due(static_cast<std::size_t>(chunks));
  parallel_for(chunks, threads, [&](std::int64_t c) {
    const std::int64_t begin = c * demand_chunk;
    const std::int64_t len = std::min(slots, begin + demand_chunk) - begin;
    float* l = left + begin;
    const float* h = step + begin;
    const std::uint8_t* st = status + begin;
    // In blocks, each checked for a budget run out as it is spent: about one
    // slot in a thousand runs out a day, so the blocks without one (nearly
    // all) are not gone through again.
    constexpr std::int64_t block = 64;
    for (std::int64_t b0 = 0; b0 < len; b0 += block) {
      const std::int64_t b1 = std::min(len, b0 + block);
      int any = 0;
      for (std::int64_t i = b0; i < b1; ++i) {
        const auto x = static_cast<float>(st[i]);
        l[i] -= h[i] * (active_weight(x) + 0.5f * x * (x - 1.0f) * traffic);
        any |= l[i] <= 0.0f;
      }
      if (any == 0) continue;
      for (std::int64_t i = b0; i < b1; ++i) {
        if (l[i] <= 0.0f) due[static_cast<std::size_t>(c)].push_back(begin + i);
      }
    }
  });
  std::vector<std::uint32_t> counts{0, 0};  // lapses, returns
  for (const auto& chunk : due) {
    for (const std::int64_t i : chunk) {
      const std::int64_t id = b.first + i;
      if (status[i] == unborn) continue;  // a budget drawn as exactly 0
      if (status[i] == active_buyer) {
        b.status[i] = lapsed;
        b.next_session[i] = std::numeric_limits<double>::infinity();
        b.lapse_left[i] = lapse_budget(w.seed, id, day);
        b.lapse_step[i] = static_cast<float>(s.buyers.lapse.return_rate);
        ++counts[0];
      } else {
        activate(s, w, i, id, day);
        ++counts[1];
      }
    }
  }
  // Arrivals: a count drawn alike on every rank, into the next unborn slots.
  const double rate = buyer_arrival_rate(
      s, day, w.today.traffic,
      s.buyers.arrivals.attractiveness_exponent > 0 ? shopping_attractiveness(w) : 1.0);
  Stream rng(w.seed, Kind::world, 0, day, Purpose::arrival);
  const std::int64_t arrivals = rate > 0 ? rng.poisson(rate) : 0;
  if (b.born + arrivals > b.total) {
    throw std::runtime_error(
        "more buyers arrived than the slots allocated before day 0 (" + std::to_string(b.total) +
        "): the arrival bound was exceeded, which should not happen; please report it");
  }
  std::vector<std::uint32_t> followers;
  for (std::int64_t id = b.born; id < b.born + arrivals; ++id) {
    const std::int64_t local = id - b.first;
    if (local < 0 || local >= b.count) continue;  // another rank's buyer
    activate(s, w, local, id, day);
    if (followers.empty()) followers.assign(w.streamers.size(), 0);
    for (std::uint64_t f = b.follow_begin[local]; f < b.follow_begin[local + 1]; ++f) {
      ++followers[b.follows[f]];
    }
  }
  b.born += arrivals;
  if (w.split != nullptr) {
    w.split->sum(counts);
    followers.resize(w.streamers.size(), 0);
    w.split->sum(followers);
  }
  for (std::size_t st = 0; st < followers.size(); ++st) w.streamers[st].followers += followers[st];
  b.active += arrivals + counts[1] - counts[0];
  auto& rec = w.recorder;
  rec.at(day, Daily::buyer_lapses) = counts[0];
  rec.at(day, Daily::buyer_returns) = counts[1];
  rec.at(day, Daily::buyer_arrivals) = static_cast<double>(arrivals);
}

}  // namespace linksim::detail
