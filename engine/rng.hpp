// Counter-based random streams. Every draw is a pure function of
// (replication seed, agent kind, agent id, day, purpose, draw index), so the
// results never depend on the thread count, the order of work or how agents
// are split across processes. There is no global generator.
//
// The hash is SplitMix64's finaliser (Steele, Lea and Flood 2014), used as a
// keyed counter-mode generator: key = mix(seed, kind, purpose, day, id),
// draw i = mix(key + i * gamma).
#pragma once

#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <span>

namespace linksim::detail {

inline constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// 128-bit product for unbiased-enough bounded draws (GCC/Clang extension).
__extension__ using uint128 = unsigned __int128;

inline constexpr std::uint64_t golden = 0x9E3779B97F4A7C15ULL;

enum class Kind : std::uint8_t { world, buyer, merchant, streamer, order };

enum class Purpose : std::uint8_t {
  build,        // initial traits
  sessions,     // a buyer's sessions and browsing on one day
  live,         // whether a streamer is live
  cart,         // cart refill: candidates and perceived quality
  cart_offset,  // where a buyer starts browsing a cart on a day
  lottery,      // stock lottery keys
  delivery,     // on time or late
  onboarding,   // an external merchant's decision to open a store
  entry,        // arrivals of new merchants
  month_end,    // exogenous exits
  // Model v2 (appended: the streams above keep their keys).
  lapse,    // a buyer's lapse and return budgets
  arrival,  // how many buyers and streamers arrive on a day
  pool,     // a union pool listing's traits
  search,   // an intent session's category and checks (drawn in the sessions stream)
};

// The seed of replication r of a scenario with seed s.
inline constexpr std::uint64_t replication_seed(std::uint64_t s, int r) {
  return mix64(mix64(s ^ 0x6C696E6B73696D00ULL) + golden * static_cast<std::uint64_t>(r + 1));
}

// The part of a stream key shared by all agents of a kind on a day.
inline constexpr std::uint64_t stream_base(std::uint64_t seed, Kind kind, int day, Purpose p) {
  const std::uint64_t tag = (static_cast<std::uint64_t>(kind) << 56) |
                            (static_cast<std::uint64_t>(p) << 48) | static_cast<std::uint32_t>(day);
  return mix64(seed ^ mix64(tag + golden));
}

// The constants of Marsaglia and Tsang's method for one shape, for many draws
// of that shape (a buyer's preferences, one shape per category): the same
// draws as Stream::gamma(shape), without a square root and a division each.
class GammaShape {
 public:
  explicit GammaShape(double shape)
      : shape_(shape),
        d_((shape < 1 ? shape + 1 : shape) - 1.0 / 3.0),
        c_(1.0 / std::sqrt(9.0 * d_)) {}
  double shape() const { return shape_; }

 private:
  friend class Stream;
  double shape_, d_, c_;
};

class Stream {
 public:
  // A stream for one agent: `base` from stream_base(), `id` the agent.
  constexpr Stream(std::uint64_t base, std::uint64_t id) : key_(mix64(base + id * golden)) {}
  Stream(std::uint64_t seed, Kind kind, std::uint64_t id, int day, Purpose p)
      : Stream(stream_base(seed, kind, day, p), id) {}

  std::uint64_t next() { return mix64(key_ + (++counter_) * 0xD1B54A32D192ED03ULL); }
  // A uniform random bit generator, for Boost.Random's distributions.
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return next(); }
  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<uint128>(next()) * n) >> 64);
  }
  bool bernoulli(double p) { return uniform() < p; }
  // Standard normal: Boost.Random's ziggurat (Marsaglia and Tsang 2000, with
  // McFarland's tables), one 64-bit draw in 99% of calls.
  double normal();
  // Standard exponential: Boost.Random's ziggurat, one 64-bit draw in 98% of calls.
  double exponential() { return boost::random::exponential_distribution<double>()(*this); }
  // Poisson by inversion for small means, by transformed rejection (PTRS,
  // Hörmann 1993) for larger ones.
  std::int64_t poisson(double mean);
  // Gamma(shape, 1), Marsaglia and Tsang (2000).
  double gamma(double shape);
  // The same draw with the shape's constants computed once (GammaShape).
  double gamma(const GammaShape& g);
  // One draw of each shape, out[k] of shapes[k], in that order (the same
  // draws as successive calls of gamma), and their sum: a Dirichlet draw's
  // gammas in one call. out holds at least shapes.size() values.
  double gammas(std::span<const GammaShape> shapes, std::span<double> out);
  double beta(double a, double b) {
    const double x = gamma(a);
    const double y = gamma(b);
    return x + y > 0 ? x / (x + y) : 0.5;
  }

 private:
  inline double gamma_draw(const GammaShape& g);  // defined and used in rng.cpp only
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

// The index that u in [0, 1) picks among n items weighted weight(k) >= 0: the
// first whose running total passes u x total (the last positive one when
// rounding leaves u at the very end); -1 when every weight is 0.
template <class Weight>
int pick_weighted(int n, Weight weight, double u) {
  double total = 0;
  for (int k = 0; k < n; ++k) total += weight(k);
  if (!(total > 0)) return -1;
  double x = u * total;
  int last = -1;
  for (int k = 0; k < n; ++k) {
    const double wk = weight(k);
    if (wk <= 0) continue;
    if (x < wk) return k;
    x -= wk;
    last = k;
  }
  return last;
}

// Poisson by inversion given exp(-mean) precomputed: the hot path of demand.
inline int poisson_small(Stream& s, double mean, double exp_neg_mean) {
  double u = s.uniform();
  double p = exp_neg_mean;
  int k = 0;
  while (u >= p && k < 1000) {
    u -= p;
    ++k;
    p *= mean / k;
  }
  return k;
}

}  // namespace linksim::detail
