// Step 2 of the day: every buyer's sessions, the streamer each one visits, the
// listings browsed and the orders placed. Parallel over fixed chunks of buyers;
// each buyer draws from its own stream and the chunks' outputs are joined in
// chunk order, so the orders are the same for any thread count. Only the buyers
// whose next session falls in the day are visited (see Buyers in world.hpp).
#include "day/demand.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "day/phases.hpp"
#include "ensemble.hpp"
#include "fastmath.hpp"
#include "parallel.hpp"

namespace linksim::detail {

namespace {

// What every session of the day shares.
struct DayView {
  const World& w;
  const BrowseLists& browse;
  const SearchLists& search;
  double intent_share;
  int search_depth;
  // Satisfaction (v2, with lapses): the buyers' arrays, the hazard's
  // parameters, and the month for the buyers seen.
  float* satisfaction;
  float* lapse_step;
  double sessions_per_memory, hazard, dissatisfaction;  // 1 / (memory_days x intent_share)
  std::uint16_t* seen_month;
  std::uint16_t month_tag;
  double video_share, follow_share, trust_recovery;
  int max_orders;
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
    if (followed && nf > 0 && !w.any_gone) return f[rng.below(nf)];
    if (followed && nf > 0) {
      // v2: the follows of streamers that left have lapsed; the others are
      // picked uniformly.
      std::uint32_t count = 0;
      for (std::uint32_t i = 0; i < nf; ++i) count += w.present[f[i]];
      if (count > 0) {
        std::uint64_t pick = rng.below(count);
        for (std::uint32_t i = 0; i < nf; ++i) {
          if (w.present[f[i]] && pick-- == 0) return f[i];
        }
      }
    }
    // -1 as a signed streamer: `? -1 : uint32` alone would make it 4294967295.
    return w.all_reco.empty() ? std::int64_t{-1} : std::int64_t{w.all_reco.draw(rng)};
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
  return w.live_reco.empty() ? std::int64_t{-1} : std::int64_t{w.live_ids[w.live_reco.draw(rng)]};
}

// An order with its lottery key. Out of line: about one session in ten
// places an order, and inlined, the key's hash of (buyer, session) was
// hoisted into every session.
[[gnu::noinline]] void place_order(const DayView& v, std::int64_t b, int sess, std::int32_t l,
                                   std::int64_t st, Surface surface, ChunkOut& out) {
  const std::uint64_t who =
      mix64((static_cast<std::uint64_t>(b) << 16) ^ static_cast<std::uint64_t>(sess));
  const std::uint64_t key = mix64((v.lottery_base ^ who) + static_cast<std::uint64_t>(l) * golden);
  out.orders.push_back(Order{key, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(l),
                             static_cast<std::uint32_t>(st),
                             static_cast<std::uint16_t>(std::min(sess, 65535)), surface, false});
}

// An intent session (v2): the buyer draws a category by its preferences and
// checks that category's search results in order; the first order ends the
// session, and none is an unmet need. With lapses, the outcome moves the
// buyer's satisfaction and so its lapse hazard.
void intent_session(const DayView& v, std::int64_t b, std::int64_t local, int sess,
                    const std::uint16_t* prefs, const double* rest, const double* ext,
                    double buyer_factor, double elasticity, double rate, Stream& rng,
                    ChunkOut& out) {
  const Buyers& buyers = v.w.buyers;
  const int k_count = buyers.categories;
  const std::uint32_t total = buyers.pref_total[local];
  int k = 0;
  if (total > 0) {
    // The first category whose running total passes x, counted without a
    // branch (the category is as hard to guess as the draw): the running
    // totals at or below x are those before it.
    const std::uint64_t x = rng.below(total);
    std::uint64_t running = 0;
    for (int j = 0; j < k_count; ++j) {
      running += prefs[j];
      k += running <= x;
    }
  } else {
    k = static_cast<int>(rng.below(static_cast<std::uint64_t>(k_count)));
  }
  ++out.sessions[static_cast<int>(Surface::search)];
  ++out.intent_by_category[k];
  const std::size_t first = v.search.begin[k];
  const auto m = static_cast<std::int32_t>(v.search.begin[k + 1] - first);
  bool met = false;
  // A listing checked converts when u < q, as in a cart (ListingHot::bound).
  const auto check = [&](const ListingHot& h, std::int32_t listing, double u) {
    const int ci = static_cast<int>(h.channel);
    if (u >= h.bound * prefs[h.category] * rest[ci]) return false;
    const double p = h.base_p * (prefs[h.category] * buyers.pref_unit) * buyer_factor * ext[ci];
    const double q = h.log_ratio != 0.0f ? p * fast_exp(-elasticity * h.log_ratio) : p;
    if (!(u < q)) return false;
    place_order(v, b, sess, listing, std::int64_t{no_streamer}, Surface::search, out);
    return true;
  };
  const std::size_t c0 = v.search.column_begin[k];
  const std::size_t columns = v.search.column_begin[k + 1] - c0;
  if (columns == 0) {
    // A thin category: the page is all of it, in relevance order.
    for (std::int32_t j = 0; j < m && !met; ++j) {
      met = check(v.search.hot[first + static_cast<std::size_t>(j)],
                  v.search.id[first + static_cast<std::size_t>(j)], rng.uniform());
    }
  } else {
    // The page: search_depth listings drawn by relevance, checked in the
    // order drawn. A check's u is drawn first: no listing of the category
    // converts for this buyer at or above `top` (its largest base probability
    // x the price factor of its cheapest listing at the buyer's elasticity x
    // the buyer's factors, with fast_exp's error as margin), so the listing
    // is drawn only below it: one 64-bit draw picks a column (its high half)
    // and its coin (the low half, AliasTable::draw).
    const SearchLists::Column* table = &v.search.columns[c0];
    double ext_top = 0;
    for (int c = 0; c < channel_count; ++c) ext_top = std::max(ext_top, ext[c]);
    const double top = v.search.top_base[k] * fast_exp(-elasticity * v.search.least_log_ratio[k]) *
                       (1.0 + 1e-6) * (prefs[k] * buyers.pref_unit) * buyer_factor * ext_top;
    for (int i = 0; i < v.search_depth && !met; ++i) {
      const double u = rng.uniform();
      if (u >= top) continue;
      const uint128 product = static_cast<uint128>(rng.next()) * columns;
      const SearchLists::Column& col = table[static_cast<std::size_t>(product >> 64)];
      const double coin =
          static_cast<double>(static_cast<std::uint64_t>(product) >> 11) * 0x1.0p-53;
      const int pick = coin < col.keep ? 0 : 1;
      met = check(col.hot[pick], col.id[pick], u);
    }
  }
  if (met) {
    ++out.intent_met;
    ++out.met_by_category[k];
  }
  if (v.satisfaction != nullptr) {
    // An average over about memory_days of the buyer's intent sessions.
    const double alpha = std::min(1.0, v.sessions_per_memory / rate);
    float& sat = v.satisfaction[local];
    sat = static_cast<float>(sat + alpha * ((met ? 1.0 : 0.0) - sat));
    // The daily lapse hazard (buyers.cpp).
    v.lapse_step[local] = static_cast<float>(v.hazard * (1.0 + v.dissatisfaction * (1.0 - sat)));
  }
}

// A buyer with at least one session today: its sessions are the arrivals of
// its Poisson process before the end of the day. `b` is the buyer's global
// index (its random stream, its orders), `local` its index in this rank's arrays.
// Out of line: inlined into the chunk loop, the compiler kept more of its
// values on the stack (Valgrind: 4 M more instructions in 20 days at 100k).
[[gnu::noinline]] void buyer_day(const DayView& v, std::int64_t b, std::int64_t local, float trust,
                                 double& next, ChunkOut& out) {
  const World& w = v.w;
  const Buyers& buyers = w.buyers;
  Stream rng(v.session_base, static_cast<std::uint64_t>(b));
  const double rate = buyers.rate[local];
  int n = 0;
  do {
    ++n;
    next += rng.exponential() / rate;
  } while (next < v.clock_end);
  const std::uint8_t apps = buyers.apps[local];
  const double elasticity = buyers.elasticity[local];
  const double buyer_factor = trust * v.demand;
  // The external links' factor for this buyer, by channel (1 for the store).
  const double ext[channel_count] = {1.0, v.ext_factor[1][apps & 1],
                                     v.ext_factor[2][(apps >> 1) & 1]};
  // The buyer's part of a listing's bound (ListingHot::bound), by channel,
  // for its fixed-point preferences.
  double rest[channel_count];
  for (int c = 0; c < channel_count; ++c) rest[c] = buyers.pref_unit * buyer_factor * ext[c];
  const std::uint16_t* prefs = buyers.prefs.data() + local * buyers.categories;
  v.seen_month[local] = v.month_tag;
  for (int sess = 0; sess < n; ++sess) {
    if (v.intent_share > 0 && rng.uniform() < v.intent_share) {
      intent_session(v, b, local, sess, prefs, rest, ext, buyer_factor, elasticity, rate, rng, out);
      continue;
    }
    const Surface surface = rng.uniform() < v.video_share ? Surface::video : Surface::live;
    ++out.sessions[static_cast<int>(surface)];
    const std::int64_t st = pick_streamer(v, local, surface, rng);
    if (st < 0) continue;
    const std::size_t slot = 2 * static_cast<std::size_t>(st) + static_cast<std::size_t>(surface);
    const int count = v.browse.size[slot];
    const ListingHot* hots = &v.browse.hot[slot * v.browse.depth];
    const std::int32_t* ids = &v.browse.id[slot * v.browse.depth];
    int placed = 0;
    bool saw_external = false;
    for (int j = 0; j < count; ++j) {
      const ListingHot& h = hots[j];
      const int ci = static_cast<int>(h.channel);
      saw_external |= h.channel != Channel::store;
      const double u = rng.uniform();
      if (u >= h.bound * prefs[h.category] * rest[ci]) continue;  // ListingHot::bound
      const double p = h.base_p * (prefs[h.category] * buyers.pref_unit) * buyer_factor * ext[ci];
      const double q = h.log_ratio != 0.0f ? p * fast_exp(-elasticity * h.log_ratio) : p;
      if (u < q) {
        place_order(v, b, sess, ids[j], st, surface, out);
        if (++placed == v.max_orders) break;
      }
    }
    out.sessions_external += saw_external;
  }
}

}  // namespace

void generate_demand(const Scenario& s, World& w, int threads) {
  const int day = w.today.day;
  const BrowseLists browse(w, s.buyers.browse_depth);
  const SearchLists search(w);
  Buyers& buyers = w.buyers;
  const bool with_lapse = buyers.dynamic() && s.buyers.lapse.hazard > 0;
  DayView v{w,
            browse,
            search,
            s.buyers.intent_share,
            s.buyers.search_depth,
            with_lapse ? buyers.satisfaction.data() : nullptr,
            with_lapse ? buyers.lapse_step.data() : nullptr,
            1.0 / (s.buyers.lapse.memory_days * std::max(s.buyers.intent_share, 1e-300)),
            s.buyers.lapse.hazard,
            s.buyers.lapse.dissatisfaction,
            buyers.seen_month.data(),
            static_cast<std::uint16_t>(w.today.month + 1),
            s.buyers.video_share,
            s.buyers.follow_share,
            s.buyers.trust.recovery,
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
  // This rank's buyers (all of them but under --partition-buyers): whole
  // chunks [c0, c1) of the world's, held from global index `first`.
  const std::int64_t n = w.buyers.total;
  const std::int64_t first = w.buyers.first;
  const std::int64_t chunks = (n + demand_chunk - 1) / demand_chunk;
  const std::int64_t c0 = first / demand_chunk;
  const std::int64_t c1 =
      w.buyers.count == 0 ? c0 : (first + w.buyers.count + demand_chunk - 1) / demand_chunk;
  std::vector<ChunkOut> outs(chunks);
  const std::size_t k_count = s.buyers.intent_share > 0 ? s.categories.size() : 0;
  const std::uint8_t* status = buyers.dynamic() ? buyers.status.data() : nullptr;
  float* trust = w.buyers.trust.data();
  double* next = w.buyers.next_session.data();
  const float recovery = static_cast<float>(v.trust_recovery);
  const std::int64_t born = buyers.dynamic() ? buyers.born : n;
  parallel_for(c1 - c0, threads, [&](std::int64_t k) {
    const std::int64_t c = c0 + k;
    const std::int64_t begin = c * demand_chunk;
    const std::int64_t end = std::min(n, begin + demand_chunk);
    const std::int64_t at = begin - first;  // the chunk in this rank's arrays
    // Filled on this thread's stack and moved into place at the end: the
    // chunks' outputs sit side by side, so counting every session in outs[c]
    // made the two threads write one cache line (false sharing).
    ChunkOut out;
    out.intent_by_category.assign(k_count, 0);
    out.met_by_category.assign(k_count, 0);
    // Trust recovers first, in a loop the compiler vectorises, and is summed
    // with independent partial sums (a fixed order: the same bits on any
    // thread count) rather than one long dependency chain.
    float* t = trust + at;
    // v2: the slots past the last arrival are unborn (their trust stays 1,
    // their next session +infinity), so their tail is skipped.
    const std::int64_t len = std::max<std::int64_t>(0, std::min(end, born) - begin);
    for (std::int64_t i = 0; i < len; ++i) t[i] = std::min(1.0f, t[i] + recovery);
    // v2: the mean is over the active buyers only: trust x active_weight,
    // into a buffer, both loops vectorised (a choice in the summing loop was
    // not: perf, 4x the unmasked sum). Trust is finite and non-negative, so
    // x 0 adds the same bits as leaving it out.
    float masked[demand_chunk];
    const float* sum_of = t;
    if (status != nullptr) {
      const std::uint8_t* st = status + at;
      for (std::int64_t i = 0; i < len; ++i) {
        masked[i] = t[i] * active_weight(static_cast<float>(st[i]));
      }
      sum_of = masked;
    }
    double partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::int64_t i = 0;
    for (; i + 8 <= len; i += 8) {
      for (int j = 0; j < 8; ++j) partial[j] += sum_of[i + j];
    }
    for (; i < len; ++i) partial[0] += sum_of[i];
    for (double p : partial) out.trust_sum += p;
    // The buyers with a session today, gathered without a branch.
    std::uint32_t active[demand_chunk];
    std::int64_t count = 0;
    for (std::int64_t j = 0; j < len; ++j) {
      active[count] = static_cast<std::uint32_t>(j);
      count += next[at + j] < v.clock_end;
    }
    for (std::int64_t q = 0; q < count; ++q) {
      // The buyer a few steps ahead: its preferences and follows are read at
      // addresses the hardware cannot guess.
      if (q + 8 < count) {
        const std::int64_t ahead = at + active[q + 8];
        __builtin_prefetch(w.buyers.prefs.data() + ahead * w.buyers.categories);
        __builtin_prefetch(w.buyers.follows.data() + w.buyers.follow_begin[ahead]);
        // v2: an intent session moves the buyer's satisfaction and lapse
        // step, arrays v1 does not read.
        if (v.satisfaction != nullptr) {
          __builtin_prefetch(v.satisfaction + ahead, 1);
          __builtin_prefetch(v.lapse_step + ahead, 1);
        }
      }
      const std::int64_t local = at + active[q];
      buyer_day(v, first + local, local, trust[local], next[local], out);
    }
    outs[c] = std::move(out);
  });
  if (w.split != nullptr) exchange(*w.split, outs, c0, c1);
  w.traffic_clock = v.clock_end;
  // Join in chunk order.
  w.orders.clear();
  double trust_sum = 0;
  auto& rec = w.recorder;
  const std::size_t month_row = static_cast<std::size_t>(w.today.month) * rec.categories;
  for (const auto& o : outs) {
    w.orders.insert(w.orders.end(), o.orders.begin(), o.orders.end());
    rec.at(day, Daily::sessions_live) += static_cast<double>(o.sessions[0]);
    rec.at(day, Daily::sessions_video) += static_cast<double>(o.sessions[1]);
    rec.at(day, Daily::sessions_search) += static_cast<double>(o.sessions[2]);
    rec.at(day, Daily::sessions_external) += static_cast<double>(o.sessions_external);
    rec.at(day, Daily::intent_met) += static_cast<double>(o.intent_met);
    for (std::size_t k = 0; k < o.intent_by_category.size(); ++k) {
      rec.intent_by_category[month_row + k] += o.intent_by_category[k];
      rec.met_by_category[month_row + k] += o.met_by_category[k];
    }
    trust_sum += o.trust_sum;
  }
  rec.at(day, Daily::sessions) = rec.at(day, Daily::sessions_live) +
                                 rec.at(day, Daily::sessions_video) +
                                 rec.at(day, Daily::sessions_search);
  rec.at(day, Daily::orders_placed) = static_cast<double>(w.orders.size());
  // The mean over the buyers (v2: the active ones, every rank's).
  const double over =
      buyers.dynamic() ? static_cast<double>(buyers.active) : static_cast<double>(n);
  rec.at(day, Daily::mean_trust) = over > 0 ? trust_sum / over : 1.0;
}

}  // namespace linksim::detail
