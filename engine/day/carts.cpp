// Step 1 (continued): streamers refill their carts on their reselect day and
// decide whether to go live; the day's recommendation tables are rebuilt.
#include <algorithm>
#include <cmath>

#include "day/phases.hpp"
#include "parallel.hpp"

namespace linksim::detail {

namespace {

struct Candidate {
  double score;
  int listing;
};

// Up to `k` distinct indices in [0, n), by Floyd's algorithm.
std::vector<std::int64_t> sample_indices(std::int64_t n, std::int64_t k, Stream& rng) {
  std::vector<std::int64_t> out;
  if (k >= n) {
    for (std::int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  std::vector<bool> seen(static_cast<std::size_t>(n), false);
  for (std::int64_t j = n - k; j < n; ++j) {
    const auto t = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(j + 1)));
    const std::int64_t pick = seen[t] ? j : t;
    seen[pick] = true;
    out.push_back(pick);
  }
  return out;
}

void refill_cart(const Scenario& s, World& w, std::size_t st) {
  const Streamer& streamer = w.streamers[st];
  std::int64_t pool = 0;
  for (int k : streamer.categories) pool += static_cast<std::int64_t>(w.by_category[k].size());
  Stream rng(w.seed, Kind::streamer, st, w.today.day, Purpose::cart);
  const auto picks = sample_indices(pool, s.streamers.candidate_sample, rng);
  std::vector<Candidate> cands;
  cands.reserve(picks.size());
  for (std::int64_t idx : picks) {
    std::size_t k = 0;
    while (idx >= static_cast<std::int64_t>(w.by_category[streamer.categories[k]].size())) {
      idx -= static_cast<std::int64_t>(w.by_category[streamer.categories[k]].size());
      ++k;
    }
    const int l = w.by_category[streamer.categories[k]][idx];
    const Merchant& m = w.merchants[w.listings[l].merchant];
    const double perceived = std::max(0.01, m.quality + s.streamers.quality_noise * rng.normal());
    // What the streamer earns on it: the commission, less a policy fee that
    // falls on commissions, plus a union subsidy's bonus (v2).
    double commission = m.commission;
    const int ci = static_cast<int>(w.hot[l].channel);
    if (w.today.fee_on_commission[ci]) commission *= 1.0 - w.today.fee[ci];
    commission += w.today.commission_bonus[ci];
    double score = commission * m.price * perceived;
    if (w.today.day - m.join_day < s.merchants.cold_start.days && !m.founding) {
      score *= s.merchants.cold_start.boost;
    }
    cands.push_back({score, l});
  }
  const std::size_t keep = std::min<std::size_t>(cands.size(), w.cart_size);
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(keep), cands.end(),
                    [](const Candidate& a, const Candidate& b) {
                      return a.score != b.score ? a.score > b.score : a.listing < b.listing;
                    });
  for (std::size_t i = 0; i < keep; ++i) w.carts[st * w.cart_size + i] = cands[i].listing;
  w.cart_len[st] = static_cast<std::int32_t>(keep);
}

}  // namespace

void refill_carts(const Scenario& s, World& w, int threads) {
  const int day = w.today.sim_day;
  std::vector<std::size_t> due;
  for (std::size_t st = 0; st < w.streamers.size(); ++st) {
    Streamer& streamer = w.streamers[st];
    if (streamer.gone) continue;
    if (day == 0 || (day + static_cast<int>(st)) % s.streamers.reselect_days == 0 ||
        streamer.fresh) {
      due.push_back(st);
      streamer.fresh = false;
    }
  }
  // Each refill reads the world and its own stream and writes only its own
  // cart: the same carts on any thread count.
  parallel_for(static_cast<std::int64_t>(due.size()), threads,
               [&](std::int64_t i) { refill_cart(s, w, due[static_cast<std::size_t>(i)]); });
}

void decide_live(const Scenario& s, World& w) {
  const int day = w.today.day;
  const std::uint64_t live_base = stream_base(w.seed, Kind::streamer, day, Purpose::live);
  const std::uint64_t offset_base = stream_base(w.seed, Kind::streamer, day, Purpose::cart_offset);
  w.live_ids.clear();
  w.live.assign(w.streamers.size(), 0);
  w.cart_offset.assign(w.streamers.size(), 0);
  std::vector<double> live_weight, all_weight(w.streamers.size());
  for (std::size_t st = 0; st < w.streamers.size(); ++st) {
    Streamer& streamer = w.streamers[st];
    Stream rng(live_base, st);
    // v2: the live rate follows last month's income (live_factor, 1 when
    // off); a streamer that left is never live nor recommended.
    const double rate = streamer.live_factor == 1.0
                            ? s.streamers.live_rate
                            : std::min(1.0, s.streamers.live_rate * streamer.live_factor);
    const bool live = rng.bernoulli(rate) && !streamer.gone;
    w.live[st] = live;
    const double weight =
        streamer.gone
            ? 0.0
            : std::pow(static_cast<double>(streamer.followers + 1), s.streamers.reco_exponent) *
                  std::pow(streamer.reputation, s.streamers.reputation_exponent);
    all_weight[st] = weight;
    if (live) {
      w.live_ids.push_back(static_cast<std::uint32_t>(st));
      live_weight.push_back(weight);
    }
    if (w.cart_len[st] > 0) {
      Stream off(offset_base, st);
      w.cart_offset[st] = static_cast<std::int32_t>(off.below(w.cart_len[st]));
    }
  }
  w.live_reco.reset(live_weight);
  w.all_reco.reset(all_weight);
}

}  // namespace linksim::detail
