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
  for (int k = 0; k < k_count; ++k) {
    b.prefs[i * k_count + k] =
        static_cast<std::uint16_t>(std::min(65535.0, round_nonnegative(w[k] * b.pref_scale)));
  }
  // The first session on the traffic clock (infinite for a rate of 0).
  b.next_session[i] = b.rate[i] > 0 ? rng.exponential() / static_cast<double>(b.rate[i])
                                    : std::numeric_limits<double>::infinity();
}

void build_buyers(const Scenario& s, World& w, int threads) {
  Buyers& b = w.buyers;
  const std::int64_t n = s.population.buyers;
  const int k_count = static_cast<int>(s.categories.size());
  // All buyers, or this rank's slice of whole demand chunks: each buyer is
  // built from its own stream, so a slice holds the same buyers as the whole.
  const BuyerSlice slice = w.partitioned
                               ? buyer_slice(n, demand_chunk, ensemble().rank(), ensemble().size())
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
  b.prefs.resize(local * k_count);
  const BuyerShapes shapes(s);
  std::vector<double> zipf(s.population.streamers);
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
      const auto k = std::min<std::int64_t>(rng.poisson(s.buyers.follows), s.population.streamers);
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
  // Followers count every rank's buyers (a sum of integers: exact in any order).
  std::vector<std::uint32_t> followers(w.streamers.size(), 0);
  for (auto st : b.follows) ++followers[st];
  if (w.partitioned) ensemble().sum(followers);
  for (std::size_t st = 0; st < followers.size(); ++st) w.streamers[st].followers += followers[st];
}

void build_streamers(const Scenario& s, World& w) {
  const int k_count = static_cast<int>(s.categories.size());
  w.streamers.resize(s.population.streamers);
  w.cart_size = s.streamers.cart_size;
  w.carts.assign(w.streamers.size() * w.cart_size, -1);
  w.cart_len.assign(w.streamers.size(), 0);
  const std::uint64_t base = stream_base(w.seed, Kind::streamer, -1, Purpose::build);
  for (std::size_t i = 0; i < w.streamers.size(); ++i) {
    Stream rng(base, i);
    const int most = std::min(s.streamers.categories, k_count);
    const int n = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(most)));
    std::vector<double> weight;
    for (const auto& c : s.categories) weight.push_back(c.demand_weight);
    for (int j = 0; j < n; ++j) {  // without replacement
      const int k = pick_weighted(
          k_count, [&](int c) { return weight[c]; }, rng.uniform());
      w.streamers[i].categories.push_back(k);
      weight[k] = 0;
    }
  }
}

Origin draw_origin(const OriginMix& mix, Stream& rng) {
  const Origin all[] = {Origin::native, Origin::taobao, Origin::jd};
  return all[pick_weighted(
      3, [&](int o) { return mix[all[o]]; }, rng.uniform())];
}

}  // namespace

void build_world(const Scenario& s, World& w, std::uint64_t seed, int threads) {
  w.seed = seed;
  build_streamers(s, w);
  build_buyers(s, w, threads);
  w.by_category.assign(s.categories.size(), {});
  const std::uint64_t base = stream_base(seed, Kind::merchant, -1, Purpose::build);
  for (std::int64_t i = 0; i < s.population.merchants; ++i) {
    Stream rng(base, static_cast<std::uint64_t>(i));
    add_merchant(s, w, draw_origin(s.merchants.origin_mix, rng), -w.warmup, rng, true);
  }
}

}  // namespace linksim::detail
