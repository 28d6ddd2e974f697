// The population on day 0. Each agent's traits come from its own stream, so the
// world is the same whatever the thread count.
#include "world/build.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "alias.hpp"
#include "ensemble.hpp"
#include "fastmath.hpp"
#include "parallel.hpp"

namespace linksim::detail {

namespace {

constexpr std::int64_t build_chunk = 16384;

std::vector<double> category_means(const Scenario& s) {
  double total = 0;
  for (const auto& c : s.categories) total += c.demand_weight;
  std::vector<double> mean;
  for (const auto& c : s.categories) {
    mean.push_back(static_cast<double>(s.categories.size()) * c.demand_weight / total);
  }
  return mean;
}

// What every buyer's traits are drawn with: the gamma shapes of the session
// rate and of the preference for each category, their constants computed once.
struct BuyerShapes {
  GammaShape rate;  // unused without a spread
  std::vector<double> mean_pref;
  std::vector<GammaShape> pref;

  explicit BuyerShapes(const Scenario& s)
      : rate(s.buyers.session_rate_spread > 0
                 ? 1.0 / (s.buyers.session_rate_spread * s.buyers.session_rate_spread)
                 : 1.0),
        mean_pref(category_means(s)) {
    for (double m : mean_pref) pref.emplace_back(s.buyers.preference_concentration * m);
  }
};

// One buyer's traits (everything but follows).
void build_buyer(const Scenario& s, Buyers& b, std::int64_t i, Stream& rng,
                 const BuyerShapes& shapes) {
  const auto& p = s.buyers;
  const std::vector<double>& mean_pref = shapes.mean_pref;
  double rate = p.session_rate;
  if (p.session_rate_spread > 0 && rate > 0) {
    rate = rng.gamma(shapes.rate) * p.session_rate / shapes.rate.shape();
  }
  b.rate[i] = static_cast<float>(rate);
  b.elasticity[i] = static_cast<float>(
      std::max(0.0, p.price_elasticity + p.price_elasticity_spread * rng.normal()));
  b.trust[i] = 1.0f;
  b.apps[i] = static_cast<std::uint8_t>((rng.bernoulli(p.app_share.taobao) ? 1 : 0) |
                                        (rng.bernoulli(p.app_share.jd) ? 2 : 0));
  const int k_count = b.categories;
  // One buffer per thread: a vector per buyer would be a heap allocation per buyer.
  thread_local std::vector<double> w;
  w.assign(mean_pref.begin(), mean_pref.end());
  if (p.preference_concentration > 0) {
    const double total = rng.gammas(shapes.pref, w);
    for (int k = 0; k < k_count; ++k) w[k] = total > 0 ? k_count * w[k] / total : mean_pref[k];
  }
  std::uint32_t total = 0;
  for (int k = 0; k < k_count; ++k) {
    b.prefs[i * k_count + k] =
        static_cast<std::uint16_t>(std::min(65535.0, round_nonnegative(w[k] * b.pref_scale)));
    total += b.prefs[i * k_count + k];
  }
  b.pref_total[i] = total;
  // The first session on the traffic clock (infinite for a rate of 0).
  b.next_session[i] = b.rate[i] > 0 ? rng.exponential() / static_cast<double>(b.rate[i])
                                    : std::numeric_limits<double>::infinity();
}

void build_buyers(const Scenario& s, World& w, int threads, std::int64_t slots) {
  Buyers& b = w.buyers;
  const std::int64_t n = std::max(slots, buyer_slots(s));
  const std::int64_t n0 = initial_buyers(s);
  const int k_count = static_cast<int>(s.categories.size());
  // All buyers, or this rank's slice of whole demand chunks: each buyer is
  // built from its own stream, so a slice holds the same buyers as the whole.
  const BuyerSlice slice = w.split != nullptr
                               ? buyer_slice(n, demand_chunk, w.split->rank(), w.split->size())
                               : BuyerSlice{0, n};
  const std::int64_t local = slice.end - slice.first;
  b.total = n;
  b.first = slice.first;
  b.count = local;
  b.categories = k_count;
  b.pref_scale = std::floor(65535.0 / k_count);
  b.pref_unit = 1.0 / b.pref_scale;
  b.rate.resize(local);
  b.next_session.resize(local);
  b.elasticity.resize(local);
  b.trust.resize(local);
  b.apps.resize(local);
  b.seen_month.assign(local, 0);
  b.prefs.resize(local * k_count);
  b.pref_total.resize(local);
  const BuyerShapes shapes(s);
  std::vector<double> zipf(w.streamers.size());
  for (std::size_t i = 0; i < zipf.size(); ++i) {
    zipf[i] = std::pow(static_cast<double>(i + 1), -s.streamers.follower_zipf);
  }
  const AliasTable popularity(zipf);
  const std::int64_t chunks = (local + build_chunk - 1) / build_chunk;
  std::vector<std::vector<std::uint32_t>> follows(chunks), counts(chunks);
  const std::uint64_t base = stream_base(w.seed, Kind::buyer, -1, Purpose::build);
  parallel_for(chunks, threads, [&](std::int64_t c) {
    for (std::int64_t i = c * build_chunk; i < std::min(local, (c + 1) * build_chunk); ++i) {
      Stream rng(base, static_cast<std::uint64_t>(slice.first + i));
      build_buyer(s, b, i, rng, shapes);
      const auto k = std::min<std::int64_t>(rng.poisson(s.buyers.follows),
                                            static_cast<std::int64_t>(w.streamers.size()));
      const std::size_t first = follows[c].size();
      for (std::int64_t j = 0; j < k; ++j) {
        const std::uint32_t st = popularity.draw(rng);
        const auto begin = follows[c].begin() + static_cast<std::ptrdiff_t>(first);
        if (std::find(begin, follows[c].end(), st) == follows[c].end()) follows[c].push_back(st);
      }
      counts[c].push_back(static_cast<std::uint32_t>(follows[c].size() - first));
    }
  });
  b.max_elasticity =
      b.elasticity.empty() ? 0.0f : *std::max_element(b.elasticity.begin(), b.elasticity.end());
  // The chunks' lists joined in chunk order, in parallel: each chunk's place
  // is the total of the chunks before it.
  std::vector<std::uint64_t> place(chunks + 1, 0);
  for (std::int64_t c = 0; c < chunks; ++c) place[c + 1] = place[c] + follows[c].size();
  b.follow_begin.resize(local + 1);
  b.follow_begin[0] = 0;
  b.follows.resize(place[chunks]);
  parallel_for(chunks, threads, [&](std::int64_t c) {
    // follow_begin[i + 1] is where buyer i's follows end.
    std::uint64_t offset = place[c];
    std::uint64_t* ends = &b.follow_begin[c * build_chunk + 1];
    for (std::size_t j = 0; j < counts[c].size(); ++j) {
      offset += counts[c][j];
      ends[j] = offset;
    }
    std::copy(follows[c].begin(), follows[c].end(), b.follows.begin() + place[c]);
    // Freed as soon as copied: the lists are otherwise held twice at the peak.
    std::vector<std::uint32_t>().swap(follows[c]);
    std::vector<std::uint32_t>().swap(counts[c]);
  });
  // Followers count every rank's buyers (a sum of integers: exact in any
  // order); a slot's buyer counts from its arrival (arrive_buyers).
  std::vector<std::uint32_t> followers(w.streamers.size(), 0);
  const std::uint64_t born_end =
      b.follow_begin[std::clamp<std::int64_t>(n0 - slice.first, 0, local)];
  for (std::uint64_t f = 0; f < born_end; ++f) ++followers[b.follows[f]];
  if (w.split != nullptr) w.split->sum(followers);
  for (std::size_t st = 0; st < followers.size(); ++st) w.streamers[st].followers += followers[st];
  // Model v2: slots beyond the initial buyers wait, unborn, for arrivals.
  b.born = n0;
  b.active = n0;
  for (std::int64_t i = std::max<std::int64_t>(0, n0 - slice.first); i < local; ++i) {
    b.next_session[i] = std::numeric_limits<double>::infinity();
  }
  if (buyers_dynamic(s)) {
    b.status.resize(local);
    b.satisfaction.assign(local, 1.0f);
    b.lapse_left.resize(local);
    b.lapse_step.assign(local, lapse_step(s, 1.0));
    for (std::int64_t i = 0; i < local; ++i) {
      const std::int64_t id = slice.first + i;
      b.status[i] = id < n0 ? active_buyer : unborn;
      b.lapse_left[i] = lapse_budget(w.seed, id, -1 - w.warmup);
    }
  }
}

// A streamer's focus categories, from its own stream.
void draw_focus(const Scenario& s, Streamer& st, Stream& rng) {
  const int k_count = static_cast<int>(s.categories.size());
  const int most = std::min(s.streamers.categories, k_count);
  const int n = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(most)));
  std::vector<double> weight;
  for (const auto& c : s.categories) weight.push_back(c.demand_weight);
  for (int j = 0; j < n; ++j) {  // without replacement
    const int k = pick_weighted(
        k_count, [&](int c) { return weight[c]; }, rng.uniform());
    st.categories.push_back(k);
    weight[k] = 0;
  }
}

void build_streamers(const Scenario& s, World& w) {
  w.streamers.resize(std::max<std::int64_t>(1, s.scaled(s.population.streamers)));
  w.cart_size = s.streamers.cart_size;
  w.carts.assign(w.streamers.size() * w.cart_size, -1);
  w.cart_len.assign(w.streamers.size(), 0);
  w.present.assign(w.streamers.size(), 1);
  const std::uint64_t base = stream_base(w.seed, Kind::streamer, -1, Purpose::build);
  for (std::size_t i = 0; i < w.streamers.size(); ++i) {
    Stream rng(base, i);
    draw_focus(s, w.streamers[i], rng);
    w.streamers[i].join_day = -w.warmup;
  }
}

// A union's catalogue: listings of sellers with no Kuaishou store, in
// categories by demand weight x the union's strength there, with deep stock.
void build_pool(const Scenario& s, World& w, Origin origin) {
  const Scenario::Pool& pool =
      origin == Origin::taobao ? s.external.taobao.pool : s.external.jd.pool;
  const std::int64_t n = s.scaled(pool.listings);
  const std::uint64_t base =
      stream_base(w.seed, Kind::merchant, static_cast<int>(origin), Purpose::pool);
  for (std::int64_t i = 0; i < n; ++i) {
    Stream rng(base, static_cast<std::uint64_t>(i));
    add_pool_listing(s, w, origin, pool, rng);
  }
}

Origin draw_origin(const OriginMix& mix, Stream& rng) {
  const Origin all[] = {Origin::native, Origin::taobao, Origin::jd};
  return all[pick_weighted(
      3, [&](int o) { return mix[all[o]]; }, rng.uniform())];
}

}  // namespace

void build_world(const Scenario& s, World& w, std::uint64_t seed, int threads, std::int64_t slots) {
  w.seed = seed;
  build_streamers(s, w);
  build_buyers(s, w, threads, slots);
  w.by_category.assign(s.categories.size(), {});
  w.search.assign(s.categories.size(), {});
  const std::uint64_t base = stream_base(seed, Kind::merchant, -1, Purpose::build);
  for (std::int64_t i = 0; i < s.scaled(s.population.merchants); ++i) {
    Stream rng(base, static_cast<std::uint64_t>(i));
    add_merchant(s, w, draw_origin(s.merchants.origin_mix, rng), -w.warmup, rng, true);
  }
  build_pool(s, w, Origin::taobao);
  build_pool(s, w, Origin::jd);
}

void add_streamer(const Scenario& s, World& w, int day) {
  const std::size_t id = w.streamers.size();
  Streamer st;
  Stream rng(stream_base(w.seed, Kind::streamer, -1, Purpose::build), id);
  draw_focus(s, st, rng);
  st.join_day = day;
  st.fresh = true;
  w.streamers.push_back(std::move(st));
  w.carts.resize(w.streamers.size() * w.cart_size, -1);
  w.cart_len.push_back(0);
  w.present.push_back(1);
}

std::int64_t initial_buyers(const Scenario& s) {
  return std::max<std::int64_t>(1, s.scaled(s.population.buyers));
}

double traffic_on(const Scenario& s, Date date) {
  double traffic = 1.0;
  for (const auto& e : s.events) {
    if (e.type != EventType::subsidy && e.covers(date)) traffic *= e.traffic;
  }
  return traffic;
}

double buyer_arrival_rate(const Scenario& s, int day, double traffic, double attractiveness) {
  const auto& a = s.buyers.arrivals;
  double rate = s.scaled_rate(a.per_day) * traffic;
  if (a.yearly_growth != 1.0) rate *= std::pow(a.yearly_growth, day / 365.0);
  if (a.attractiveness_exponent > 0) {
    rate *= std::pow(std::min(attractiveness, a.max_attractiveness), a.attractiveness_exponent);
  }
  return rate;
}

std::int64_t buyer_slots(const Scenario& s) {
  const std::int64_t n0 = initial_buyers(s);
  if (!(s.buyers.arrivals.per_day > 0)) return n0;
  double mean = 0;
  for (int d = -s.calendar.warmup_days; d < s.calendar.days; ++d) {
    mean += buyer_arrival_rate(s, d, traffic_on(s, s.calendar.start + d),
                               s.buyers.arrivals.max_attractiveness);
  }
  return n0 + static_cast<std::int64_t>(std::ceil(mean + 10.0 * std::sqrt(mean) + 10.0));
}

bool buyers_dynamic(const Scenario& s) {
  return s.buyers.arrivals.per_day > 0 || s.buyers.lapse.hazard > 0;
}

float lapse_budget(std::uint64_t seed, std::int64_t buyer, int day) {
  Stream rng(seed, Kind::buyer, static_cast<std::uint64_t>(buyer), day, Purpose::lapse);
  return static_cast<float>(rng.exponential());
}

float lapse_step(const Scenario& s, double sat) {
  const auto& l = s.buyers.lapse;
  return static_cast<float>(l.hazard * (1.0 + l.dissatisfaction * (1.0 - sat)));
}

}  // namespace linksim::detail
