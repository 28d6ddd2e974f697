// Creating merchants and their listings, at the start and on entry.
#include <algorithm>
#include <cmath>

#include "world/build.hpp"

namespace linksim::detail {

double stock_cover_days(const Scenario& s, Origin origin) {
  const auto& st = s.merchants.stock;
  return st.days_of_cover * (origin == Origin::native ? 1.0 : st.external_cover_factor);
}

int draw_category(const Scenario& s, Origin origin, Stream& rng) {
  const auto& cats = s.categories;
  const int n = static_cast<int>(cats.size());
  const int k = pick_weighted(
      n, [&](int c) { return cats[c].demand_weight * cats[c].origin_mix[origin]; }, rng.uniform());
  if (k >= 0) return k;
  // All strengths zero for this origin: fall back to demand weights alone.
  return pick_weighted(
      n, [&](int c) { return cats[c].demand_weight; }, rng.uniform());
}

namespace {

// Beta with the given mean and sd: a + b = m(1-m)/sd^2 - 1.
double draw_beta(double mean, double sd, Stream& rng) {
  if (sd <= 0) return mean;
  const double n = mean * (1 - mean) / (sd * sd) - 1;
  return rng.beta(mean * n, (1 - mean) * n);
}

double draw_quality(const Scenario& s, Stream& rng) {
  return draw_beta(s.merchants.quality.mean, s.merchants.quality.sd, rng);
}

int add_listing(const Scenario& s, World& w, int merchant, Channel channel) {
  const Merchant& m = w.merchants[merchant];
  const Category& cat = s.categories[m.category];
  Listing l;
  l.merchant = merchant;
  l.price = std::max<Fen>(1, std::llround(m.price * 100.0));
  l.planned_daily = s.merchants.stock.daily_units;
  const double cover = stock_cover_days(s, m.origin);
  l.cap = l.planned_daily * cover;
  l.stock = l.cap;
  l.log_ratio = static_cast<float>(std::log(m.price / cat.ref_price));
  l.deep = m.pool;
  ListingHot h;
  h.base_p = static_cast<float>(s.conversion.base * (0.5 + m.quality));
  h.category = static_cast<std::uint16_t>(m.category);
  h.channel = channel;
  h.surfaces = 0;  // set each day by the policy phase
  w.listings.push_back(l);
  w.hot.push_back(h);
  const int id = static_cast<int>(w.listings.size()) - 1;
  set_log_ratio(w, id, l.log_ratio);
  return id;
}

}  // namespace

void set_log_ratio(World& w, int listing, float log_ratio) {
  ListingHot& h = w.hot[listing];
  h.log_ratio = log_ratio;
  // The buyers are built before the first listing (build_world).
  const double price_cap =
      h.log_ratio < 0.0f ? std::exp(-static_cast<double>(w.buyers.max_elasticity) * h.log_ratio)
                         : 1.0;
  h.bound = static_cast<float>(h.base_p * price_cap * (1.0 + 1e-6));
}

int add_pool_listing(const Scenario& s, World& w, Origin origin, const Scenario::Pool& pool,
                     Stream& rng) {
  Merchant m;
  m.origin = origin;
  m.pool = true;
  m.category = draw_category(s, origin, rng);
  m.quality = draw_beta(pool.quality_mean, pool.quality_sd, rng);
  const Category& cat = s.categories[m.category];
  m.price = cat.ref_price * std::exp(cat.price_sigma * rng.normal());
  m.margin = s.merchants.margin;
  m.commission = pool.commission_min + (pool.commission_max - pool.commission_min) * rng.uniform();
  m.on_time = origin == Origin::taobao ? s.merchants.on_time.taobao : s.merchants.on_time.jd;
  m.eligible_draw = static_cast<float>(rng.uniform());
  m.founding = true;
  m.join_day = -w.warmup;
  m.cold_start_day = m.join_day;
  const int id = static_cast<int>(w.merchants.size());
  w.merchants.push_back(m);
  w.merchants[id].union_listing =
      add_listing(s, w, id, origin == Origin::taobao ? Channel::taobao : Channel::jd);
  return id;
}

int add_merchant(const Scenario& s, World& w, Origin origin, int day, Stream& rng, bool initial) {
  Merchant m;
  m.origin = origin;
  m.category = draw_category(s, origin, rng);
  m.quality = draw_quality(s, rng);
  const Category& cat = s.categories[m.category];
  m.price = cat.ref_price * std::exp(cat.price_sigma * rng.normal());
  m.margin = s.merchants.margin;
  m.commission = std::clamp(
      s.merchants.commission_rate + s.merchants.commission_spread * rng.normal(), 0.0, 0.9);
  m.on_time = origin == Origin::native   ? s.merchants.on_time.native
              : origin == Origin::taobao ? s.merchants.on_time.taobao
                                         : s.merchants.on_time.jd;
  m.eligible_draw = static_cast<float>(rng.uniform());
  m.initial = initial;
  m.founding = initial;
  m.join_day = day;
  m.cold_start_day = initial ? day : never;
  const int id = static_cast<int>(w.merchants.size());
  w.merchants.push_back(m);
  if (origin == Origin::native) {
    w.merchants[id].store_listing = add_listing(s, w, id, Channel::store);
    w.merchants[id].store_ready_day = day;
  } else {
    const Channel ch = origin == Origin::taobao ? Channel::taobao : Channel::jd;
    w.merchants[id].union_listing = add_listing(s, w, id, ch);
  }
  return id;
}

// A store listing for an external merchant that onboards; live after the delay.
void open_store(const Scenario& s, World& w, int merchant, int day) {
  Merchant& m = w.merchants[merchant];
  if (m.store_listing < 0) {
    const int l = add_listing(s, w, merchant, Channel::store);
    w.merchants[merchant].store_listing = l;
  }
  w.merchants[merchant].store_ready_day = day + s.merchants.onboarding.delay_days;
  w.merchants[merchant].month_costs += std::llround(s.merchants.onboarding.cost * 100.0);
}

bool Merchant::active_after(int days) const {
  for (const auto& [left, back] : absent) {
    if (left < days && (back == never || back >= days)) return false;
  }
  return true;
}

int World::active_merchants() const {
  int n = 0;
  for (const auto& m : merchants) n += m.state == MerchantState::active && !m.pool;
  return n;
}

}  // namespace linksim::detail
