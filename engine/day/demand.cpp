// Step 2 of the day: every buyer's sessions, the streamer each one visits, the
// listings browsed and the orders placed. Parallel over fixed chunks of buyers;
// each buyer draws from its own stream and the chunks' outputs are joined in
// chunk order, so the orders are the same for any thread count. Only the buyers
// whose next session falls in the day are visited (see Buyers in world.hpp).
#include <algorithm>
#include <cmath>

#include "day/phases.hpp"
#include "fastmath.hpp"
#include "parallel.hpp"

namespace linksim::detail {

namespace {

constexpr std::int64_t demand_chunk = 8192;

struct ChunkOut {
  std::vector<Order> orders;
  std::int64_t sessions[surface_count] = {0, 0};
  std::int64_t sessions_external = 0;
  double trust_sum = 0;
};

// What every session of the day shares.
struct DayView {
  const World& w;
  double video_share, follow_share, trust_recovery;
  int browse_depth, max_orders;
  double clock_end, demand;             // the traffic clock at the end of the day
  double ext_factor[channel_count][2];  // [channel][has app]
  std::uint64_t session_base, lottery_base;
};

// The streamer a session visits, or -1 if none can be visited.
std::int64_t pick_streamer(const DayView& v, std::int64_t b, Surface surface, Stream& rng) {
  const World& w = v.w;
  const std::uint32_t* f = w.buyers.follows.data() + w.buyers.follow_begin[b];
  const auto nf =
      static_cast<std::uint32_t>(w.buyers.follow_begin[b + 1] - w.buyers.follow_begin[b]);
  const bool followed = rng.uniform() < v.follow_share;
  if (surface == Surface::video) {
    if (followed && nf > 0) return f[rng.below(nf)];
    return w.all_reco.empty() ? -1 : w.all_reco.draw(rng);
  }
  if (followed && nf > 0) {
    // Followed streamers that are live, gathered without data-dependent
    // branches (a long follow list takes the plain two-pass route).
    constexpr std::uint32_t max_scan = 64;
    if (nf <= max_scan) {
      std::uint32_t live[max_scan];
      std::uint32_t count = 0;
      for (std::uint32_t i = 0; i < nf; ++i) {
        live[count] = f[i];
        count += w.live[f[i]];
      }
      if (count > 0) return live[rng.below(count)];
    } else {
      std::uint32_t count = 0;
      for (std::uint32_t i = 0; i < nf; ++i) count += w.live[f[i]];
      if (count > 0) {
        std::uint64_t pick = rng.below(count);
        for (std::uint32_t i = 0; i < nf; ++i) {
          if (w.live[f[i]] && pick-- == 0) return f[i];
        }
      }
    }
  }
  return w.live_reco.empty() ? -1 : w.live_ids[w.live_reco.draw(rng)];
}

// A buyer with at least one session today: its sessions are the arrivals of
// its Poisson process before the end of the day.
void buyer_day(const DayView& v, std::int64_t b, float trust, double& next, ChunkOut& out) {
  const World& w = v.w;
  const Buyers& buyers = w.buyers;
  Stream rng(v.session_base, static_cast<std::uint64_t>(b));
  const double rate = buyers.rate[b];
  int n = 0;
  do {
    ++n;
    next += rng.exponential() / rate;
  } while (next < v.clock_end);
  const std::uint8_t apps = buyers.apps[b];
  const double elasticity = buyers.elasticity[b];
  const double buyer_factor = trust * v.demand;
  for (int sess = 0; sess < n; ++sess) {
    const Surface surface = rng.uniform() < v.video_share ? Surface::video : Surface::live;
    ++out.sessions[static_cast<int>(surface)];
    const std::int64_t st = pick_streamer(v, b, surface, rng);
    if (st < 0) continue;
    const int len = w.cart_len[st];
    const std::int32_t* cart = &w.carts[st * w.cart_size];
    const std::uint8_t bit = surface == Surface::live ? 1 : 2;
    int browsed = 0, placed = 0;
    bool saw_external = false;
    for (int j = 0, i = w.cart_offset[st]; j < len && browsed < v.browse_depth; ++j) {
      const std::int32_t l = cart[i];
      i = i + 1 == len ? 0 : i + 1;
      const ListingHot& h = w.hot[l];
      if (!(h.surfaces & bit)) continue;
      ++browsed;
      const int ci = static_cast<int>(h.channel);
      double p = h.base_p * buyers.pref(b, h.category) * buyer_factor;
      if (h.channel != Channel::store) {
        saw_external = true;
        p *= v.ext_factor[ci][(apps >> (ci - 1)) & 1];
      }
      // The price factor (price/ref)^-ε is at most 1 for listings at or above
      // the reference price: a draw that fails without it fails with it.
      const double u = rng.uniform();
      if (h.log_ratio >= 0.0f && u >= p) continue;
      if (h.log_ratio != 0.0f) p *= fast_exp(-elasticity * h.log_ratio);
      if (u < p) {
        const std::uint64_t who =
            mix64((static_cast<std::uint64_t>(b) << 16) ^ static_cast<std::uint64_t>(sess));
        const std::uint64_t key =
            mix64((v.lottery_base ^ who) + static_cast<std::uint64_t>(l) * golden);
        out.orders.push_back(Order{key, static_cast<std::uint32_t>(b),
                                   static_cast<std::uint32_t>(l), static_cast<std::uint32_t>(st),
                                   static_cast<std::uint16_t>(std::min(sess, 65535)), surface,
                                   false});
        if (++placed == v.max_orders) break;
      }
    }
    out.sessions_external += saw_external;
  }
}

}  // namespace

void generate_demand(const Scenario& s, World& w, int threads) {
  const int day = w.today.day;
  DayView v{w,
            s.buyers.video_share,
            s.buyers.follow_share,
            s.buyers.trust.recovery,
            s.buyers.browse_depth,
            s.buyers.max_orders_per_session,
            w.traffic_clock + w.today.traffic,
            w.today.demand,
            {},
            stream_base(w.seed, Kind::buyer, day, Purpose::sessions),
            stream_base(w.seed, Kind::order, day, Purpose::lottery)};
  for (int c = 0; c < channel_count; ++c) {
    const double jump = c == 0 ? 1.0 : 1.0 - s.conversion.jump_loss;
    v.ext_factor[c][0] = jump * (c == 0 ? 1.0 : s.conversion.no_app_factor);
    v.ext_factor[c][1] = jump;
  }
  const std::int64_t n = w.buyers.count;
  const std::int64_t chunks = (n + demand_chunk - 1) / demand_chunk;
  std::vector<ChunkOut> outs(chunks);
  float* trust = w.buyers.trust.data();
  double* next = w.buyers.next_session.data();
  const float recovery = static_cast<float>(v.trust_recovery);
  parallel_for(chunks, threads, [&](std::int64_t c) {
    const std::int64_t begin = c * demand_chunk;
    const std::int64_t end = std::min(n, begin + demand_chunk);
    // Trust recovers first, in a loop the compiler vectorises, and is summed
    // with independent partial sums (a fixed order: the same bits on any
    // thread count) rather than one long dependency chain.
    float* t = trust + begin;
    const std::int64_t len = end - begin;
    for (std::int64_t i = 0; i < len; ++i) t[i] = std::min(1.0f, t[i] + recovery);
    double partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::int64_t i = 0;
    for (; i + 8 <= len; i += 8) {
      for (int j = 0; j < 8; ++j) partial[j] += t[i + j];
    }
    for (; i < len; ++i) partial[0] += t[i];
    for (double p : partial) outs[c].trust_sum += p;
    // The buyers with a session today, gathered without a branch.
    std::uint32_t active[demand_chunk];
    std::int64_t count = 0;
    for (std::int64_t j = 0; j < len; ++j) {
      active[count] = static_cast<std::uint32_t>(j);
      count += next[begin + j] < v.clock_end;
    }
    for (std::int64_t k = 0; k < count; ++k) {
      // The buyer a few steps ahead: its preferences and follows are read at
      // addresses the hardware cannot guess.
      if (k + 8 < count) {
        const std::int64_t ahead = begin + active[k + 8];
        __builtin_prefetch(w.buyers.prefs.data() + ahead * w.buyers.categories);
        __builtin_prefetch(w.buyers.follows.data() + w.buyers.follow_begin[ahead]);
      }
      const std::int64_t b = begin + active[k];
      buyer_day(v, b, trust[b], next[b], outs[c]);
    }
  });
  w.traffic_clock = v.clock_end;
  // Join in chunk order.
  w.orders.clear();
  double trust_sum = 0;
  auto& rec = w.recorder;
  for (const auto& o : outs) {
    w.orders.insert(w.orders.end(), o.orders.begin(), o.orders.end());
    rec.at(day, Daily::sessions_live) += static_cast<double>(o.sessions[0]);
    rec.at(day, Daily::sessions_video) += static_cast<double>(o.sessions[1]);
    rec.at(day, Daily::sessions_external) += static_cast<double>(o.sessions_external);
    trust_sum += o.trust_sum;
  }
  rec.at(day, Daily::sessions) =
      rec.at(day, Daily::sessions_live) + rec.at(day, Daily::sessions_video);
  rec.at(day, Daily::orders_placed) = static_cast<double>(w.orders.size());
  rec.at(day, Daily::mean_trust) = n > 0 ? trust_sum / static_cast<double>(n) : 1.0;
}

}  // namespace linksim::detail
