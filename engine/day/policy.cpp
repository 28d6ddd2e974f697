// Step 1 of the day: the policy timeline and events in force, which listings
// can be shown on which surface, carts purged of closed listings, and the
// onboarding decisions of external merchants whose links just closed.
#include <algorithm>
#include <cmath>

#include "day/phases.hpp"
#include "world/build.hpp"

namespace linksim::detail {

namespace {

constexpr std::uint8_t live_bit = 1;
constexpr std::uint8_t video_bit = 2;
constexpr std::uint8_t search_bit = 4;
constexpr std::uint8_t all_surfaces = live_bit | video_bit | search_bit;

std::uint8_t surfaces_of(const ChannelPolicy& p) {
  return static_cast<std::uint8_t>((p.live ? live_bit : 0) | (p.video ? video_bit : 0) |
                                   (p.search ? search_bit : 0));
}

// The surfaces a listing may be shown on today.
std::uint8_t visible_surfaces(const World& w, int listing) {
  const Listing& l = w.listings[listing];
  const Merchant& m = w.merchants[l.merchant];
  if (m.state != MerchantState::active) return 0;
  const Channel c = w.hot[listing].channel;
  if (c == Channel::store) {
    return (m.store_ready_day != never && m.store_ready_day <= w.today.day) ? all_surfaces : 0;
  }
  const int ci = static_cast<int>(c);
  return m.eligible_draw < w.today.eligible[ci] ? w.today.surfaces[ci] : 0;
}

// A dormant merchant returns with its listings restocked.
void come_back(World& w, Merchant& m, int day) {
  m.state = MerchantState::active;
  m.dormant = false;
  m.exit_day = never;
  m.absent.back().second = day;
  m.idle_months = m.loss_months = 0;
  m.onboarding_decided = false;
  for (int l : {m.store_listing, m.union_listing}) {
    if (l >= 0) w.listings[l].stock = w.listings[l].cap;
  }
}

}  // namespace

DayConditions conditions_on(const Scenario& s, Date date) {
  DayConditions t;
  t.date = date;
  t.day = date - s.calendar.start;
  // The last policy entry that has started.
  const PolicyEntry* entry = &s.policy.front();
  for (const auto& p : s.policy) {
    if (p.from <= date) entry = &p;
  }
  for (Channel c : {Channel::taobao, Channel::jd}) {
    const int ci = static_cast<int>(c);
    t.surfaces[ci] = surfaces_of((*entry)[c]);
    t.fee[ci] = (*entry)[c].fee;
    t.fee_on_commission[ci] = (*entry)[c].fee_on == "commission";
    t.eligible[ci] = (*entry)[c].eligible_share;
  }
  for (const auto& e : s.events) {
    if (!e.covers(date)) continue;
    if (e.type == EventType::subsidy) {
      const int ci = e.channel == "taobao" ? 1 : 2;
      t.commission_bonus[ci] += e.commission_bonus;
      t.price_discount[ci] = 1.0 - (1.0 - t.price_discount[ci]) * (1.0 - e.price_discount);
      continue;
    }
    t.traffic *= e.traffic;
    t.demand *= e.demand;
    for (int c = 0; c < channel_count; ++c) t.logistics[c] *= e.logistics[c];
  }
  return t;
}

namespace {

// External merchants whose links are closed in live carts decide, once per
// closure, whether to open a store; dormant ones come back when their links
// reopen to them. Returns how many came back.
int react_to_links(const Scenario& s, World& w, int day) {
  const std::uint64_t base = stream_base(w.seed, Kind::merchant, day, Purpose::onboarding);
  int returns = 0;
  for (std::size_t m = 0; m < w.merchants.size(); ++m) {
    Merchant& mer = w.merchants[m];
    if (mer.origin == Origin::native || mer.pool) continue;
    const int ci = static_cast<int>(mer.origin);
    const bool live_open =
        (w.today.surfaces[ci] & live_bit) && mer.eligible_draw < w.today.eligible[ci];
    if (mer.state != MerchantState::active) {
      if (mer.dormant && live_open) {
        come_back(w, mer, day);
        ++returns;
      }
      continue;
    }
    if (live_open) {
      mer.onboarding_decided = false;
    } else if (!mer.onboarding_decided) {
      mer.onboarding_decided = true;
      Stream rng(base, m);
      if (mer.store_ready_day == never && rng.bernoulli(s.merchants.onboarding.probability)) {
        open_store(s, w, static_cast<int>(m), day);
      }
    }
  }
  return returns;
}

// Where every listing may be shown today, the listings streamers may pick per
// category (store listings need the pool's quality bar), and which merchants
// are listed at all.
void set_visibility(const Scenario& s, World& w) {
  for (auto& list : w.by_category) list.clear();
  w.visible_per_category.assign(s.categories.size(), 0);
  std::vector<bool> listed(w.merchants.size(), false);
  for (std::size_t l = 0; l < w.listings.size(); ++l) {
    ListingHot& h = w.hot[l];
    h.surfaces = visible_surfaces(w, static_cast<int>(l));
    if (h.surfaces == 0) continue;
    ++w.listings[l].month_days;
    const Merchant& m = w.merchants[w.listings[l].merchant];
    ++w.visible_per_category[h.category];
    listed[w.listings[l].merchant] = !m.pool;
    // Streamers pick from what carts may show (not from search-only links).
    const bool in_pool =
        (h.surfaces & (live_bit | video_bit)) &&
        (h.channel != Channel::store || m.quality >= s.platform.pool_quality_threshold);
    if (in_pool) w.by_category[h.category].push_back(static_cast<int>(l));
  }
  w.listed_today = 0;
  for (std::size_t m = 0; m < w.merchants.size(); ++m) {
    if (listed[m]) {
      ++w.listed_today;
      ++w.merchants[m].listed_days;
      w.merchants[m].idle_all_month = false;
    }
  }
}

// Listings that may not be shown in carts leave every cart today.
void purge_carts(World& w) {
  for (std::size_t st = 0; st < w.streamers.size(); ++st) {
    std::int32_t* cart = &w.carts[st * w.cart_size];
    int kept = 0;
    for (int i = 0; i < w.cart_len[st]; ++i) {
      if (w.hot[cart[i]].surfaces & (live_bit | video_bit)) cart[kept++] = cart[i];
    }
    w.cart_len[st] = kept;
  }
}

// A subsidy's discount lowers the price buyers see on its channel's listings
// (their price factor and browse bound), from the day it starts to the day
// it ends.
void apply_discounts(World& w) {
  for (const int ci : {1, 2}) {
    // Every day of a discount (listings that joined since take it too), and
    // the day after it ends.
    const double d = w.today.price_discount[ci];
    if (d == 0.0 && w.discount_applied[ci] == 0.0) continue;
    w.discount_applied[ci] = d;
    const auto shift = static_cast<float>(std::log1p(-d));
    for (std::size_t l = 0; l < w.listings.size(); ++l) {
      if (static_cast<int>(w.hot[l].channel) != ci) continue;
      set_log_ratio(w, static_cast<int>(l), w.listings[l].log_ratio + shift);
    }
  }
}

}  // namespace

void apply_policy(const Scenario& s, World& w, int day) {
  w.today = conditions_on(s, s.calendar.start + day);
  w.today.sim_day = day + w.warmup;
  w.today.month = w.month_of_day[w.today.sim_day];
  w.today.month_end =
      day + 1 == s.calendar.days || w.month_of_day[w.today.sim_day + 1] != w.today.month;
  w.recorder.at(day, Daily::returns) = react_to_links(s, w, day);
  set_visibility(s, w);
  purge_carts(w);
  apply_discounts(w);
}

}  // namespace linksim::detail
