// The mutable world of one replication: agents, listings, accounts and the
// day's scratch state. Buyers, by far the largest population, are kept in
// structure-of-arrays form; their follow lists are one flat array with offsets.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "alias.hpp"
#include "linksim/distributed.hpp"
#include "linksim/scenario.hpp"
#include "metrics/recorder.hpp"

namespace linksim::detail {

using Fen = std::int64_t;  // money: 1/100 RMB, exact in every sum

// A day that never comes: days run from -warm-up, so no negative sentinel will do.
inline constexpr int never = std::numeric_limits<int>::min();

// Bytes per buyer slot: 4 (rate) + 8 (next session) + 4 (elasticity) + 4
// (trust) + 1 (apps) + 2 (month of the last session) + 2K (preferences, K
// categories, 16-bit fixed point) + 8 (follow offset) + 4 per followed
// streamer; with model v2's arrivals or lapses, 1 (status) + 4 (satisfaction)
// + 4 + 4 (lapse budget and daily step). With K = 12 and 6 follows: 79
// bytes, 92 with arrivals or lapses.
//
// Model v2: the slots of every buyer the run can have (those active at the
// start and an upper bound on the arrivals, buyer_slots) are built before day
// 0; a slot is unborn until its buyer arrives, then active or lapsed. An
// unborn or lapsed buyer's next session is +infinity, so the demand phase
// never visits it.
//
// Sessions are a Poisson process of rate λ_b on the traffic clock, which
// advances by the day's traffic multiplier each day: `next_session` is the
// clock time of the buyer's next session, so a day's sessions are those before
// the clock's end of the day (Poisson with mean λ_b x traffic, independent
// across days), and a buyer with none is not visited at all.
// Buyers are simulated in fixed chunks (the demand phase's unit of work, and
// with --partition-buyers of the split over ranks).
inline constexpr std::int64_t demand_chunk = 8192;

struct Buyers {
  // This process's buyers: all of them, or with --partition-buyers a slice of
  // whole demand chunks, global indices [first, first + count) of `total`.
  // The arrays below hold the slice, indexed from 0.
  std::int64_t count = 0;
  std::int64_t first = 0;
  std::int64_t total = 0;
  int categories = 0;
  std::vector<float> rate;                // λ_b, sessions per day
  std::vector<double> next_session;       // on the traffic clock
  std::vector<float> elasticity;          // ε_b
  float max_elasticity = 0;               // the largest ε_b of these buyers
  std::vector<float> trust;               // ψ_b in [0, 1]
  std::vector<std::uint8_t> apps;         // bit 0: Taobao installed, bit 1: JD installed
  std::vector<std::uint16_t> seen_month;  // 1 + month index of its last session, 0 = none
  // Model v2, allocated only with arrivals or lapses (dynamic()):
  std::vector<std::uint8_t> status;  // BuyerStatus
  std::vector<float> satisfaction;   // s_b in [0, 1]: average outcome of its intent sessions
  std::vector<float> lapse_left;     // hazard budget left before the buyer lapses (or returns)
  // The daily lapse hazard h_b of an active buyer, the return hazard of a
  // lapsed one, spent from lapse_left each day (a float budget near 16 loses
  // steps below about 1e-6: smaller hazards never fire).
  std::vector<float> lapse_step;
  std::int64_t born = 0;    // slots whose buyer has arrived (global, in order)
  std::int64_t active = 0;  // active buyers (global)
  bool dynamic() const { return !status.empty(); }
  std::vector<std::uint16_t> prefs;         // w_b[k] * pref_scale, buyer-major
  std::vector<std::uint32_t> pref_total;    // the sum of a buyer's prefs (intent sessions' pick)
  std::vector<std::uint64_t> follow_begin;  // count + 1 offsets into follows
  std::vector<std::uint32_t> follows;       // followed streamer ids
  double pref_scale = 4096.0;               // fixed-point scale: 65535 / K, so K x scale fits
  double pref_unit = 1.0 / 4096.0;          // 1 / pref_scale
  double pref(std::int64_t b, int k) const { return prefs[b * categories + k] * pref_unit; }
};

enum class MerchantState : std::uint8_t { active, exited };
enum BuyerStatus : std::uint8_t { unborn = 0, active_buyer = 1, lapsed = 2 };
// 1 for an active buyer's status, 0 for an unborn or lapsed one's: s(2 - s),
// arithmetic that the passes over every slot vectorise where a choice would
// not (demand.cpp, buyers.cpp).
inline float active_weight(float status) { return status * (2.0f - status); }
static_assert(unborn == 0 && active_buyer == 1 && lapsed == 2);

// No streamer: an order placed from search (intent sessions).
inline constexpr std::uint32_t no_streamer = 0xFFFFFFFFu;

struct Merchant {
  Origin origin = Origin::native;
  int category = 0;
  double quality = 0.5;
  double price = 100.0;  // RMB
  double margin = 0.35;
  double commission = 0.2;
  double on_time = 0.9;
  float eligible_draw = 0.0f;  // fixed uniform: covered by an opening with eligible_share above it
  bool initial = false;        // active on day 0 of the horizon
  bool pool = false;           // a union pool listing's seller: not a Kuaishou merchant (v2)
  bool founding = false;       // built with the world (before any warm-up): no cold start
  MerchantState state = MerchantState::active;
  int join_day = 0;
  int exit_day = never;
  // An external merchant that left only because its links closed (idle, no
  // store) is dormant: it still sells on Taobao or JD and comes back the day
  // its links reopen to it. `absent` holds [exit day, return day) intervals.
  bool dormant = false;
  std::vector<std::pair<int, int>> absent;
  bool active_after(int days) const;  // active at the end of day days - 1
  int loss_months = 0;
  int idle_months = 0;
  bool idle_all_month = true;
  int listed_days = 0;          // days with a visible listing in the current month
  int store_ready_day = never;  // day its store listing goes live; never = no store
  bool onboarding_decided = false;
  int cold_start_day = never;  // first day with cold_start.sales orders
  int union_listing = -1;
  int store_listing = -1;
  Fen month_net = 0;    // sales net of fees, commissions and goods, this month
  Fen month_costs = 0;  // onboarding cost booked this month
  Fen sales_net = 0;    // over the whole run
  Fen fixed_costs = 0;  // over the whole run
};

// What the demand loop reads of a listing, packed.
struct ListingHot {
  float base_p = 0;     // c0 * Q(q)
  float log_ratio = 0;  // log(price / ref_price of the category)
  // base_p x a bound on the price factor (price/ref)^-ε over every buyer of
  // this process: 1 at or above the reference price, exp(max ε x |log_ratio|)
  // below it; raised by 1e-6, above fast_exp's relative error (below 2e-7,
  // Rng.FastExpIsAccurate), float's rounding and that of multiplying it by a
  // buyer's factors in another order than the order probability. A draw
  // u >= bound x the buyer's preference x trust x demand x links' factor fails
  // whatever the buyer's ε, so the demand loop computes the exact probability
  // only for the few draws below it, with no branch on the listing's price.
  float bound = 0;
  std::uint16_t category = 0;
  Channel channel = Channel::store;
  std::uint8_t surfaces = 0;  // bit 0 live, bit 1 video: where it may be shown today
};

struct Listing {
  int merchant = 0;
  Fen price = 0;
  double stock = 0;
  double cap = 0;
  int orders_today = 0;
  double planned_daily = 1.0;     // units per day the listing is stocked for
  std::int64_t month_demand = 0;  // orders placed this month, filled or not
  int month_days = 0;             // days shown anywhere this month
  bool deep = false;              // a union pool listing: stock never runs out (v2)
  float log_ratio = 0;            // log(price / reference price), before any discount
};

struct Streamer {
  std::vector<int> categories;
  std::int64_t followers = 0;
  double reputation = 1.0;
  Fen income = 0;
  int day_orders = 0;
  int day_ok = 0;
  // Model v2: income by month, live rate and exit.
  Fen month_income = 0;
  double live_factor = 1.0;  // multiplies streamers.live_rate, from last month's income
  int poor_months = 0;       // consecutive months below the reservation income
  bool gone = false;         // left the platform
  bool fresh = false;        // arrived since the last cart refill: refill today
  int join_day = 0;          // days since calendar.start
};

// The day's conditions, set by the policy phase.
struct DayConditions {
  int day = 0;      // days since calendar.start; negative during the warm-up
  int sim_day = 0;  // days since the simulation began (warm-up included)
  Date date = 0;
  int month = 0;  // months since the start month
  bool month_end = false;
  double traffic = 1.0;  // M_t
  double demand = 1.0;   // D_t
  std::array<double, channel_count> logistics{1, 1, 1};
  std::array<std::uint8_t, channel_count> surfaces{7, 0, 0};  // allowed surfaces per channel
  std::array<double, channel_count> fee{0, 0, 0};
  std::array<bool, channel_count> fee_on_commission{false, false, false};
  std::array<double, channel_count> eligible{1, 1, 1};
  // Subsidies (v2), paid by the external platform on its channel's sales.
  std::array<double, channel_count> commission_bonus{0, 0, 0};
  std::array<double, channel_count> price_discount{0, 0, 0};
};

struct Order {
  std::uint64_t key;  // lottery key: hash of (seed, day, buyer, session, listing)
  std::uint32_t buyer;
  std::uint32_t listing;
  std::uint32_t streamer;
  std::uint16_t session;
  Surface surface;
  bool filled = false;
};

// An order's place in its listing's stock lottery: its key, and its index in
// the day's orders for the ties.
struct LotteryTicket {
  std::uint64_t key;
  std::uint32_t order;
};

// Money that has left the buyers, by who holds it.
struct Accounts {
  Fen gmv = 0;
  Fen cost_of_goods = 0;
  Fen platform_store_fees = 0;
  Fen platform_cps = 0;
  Fen platform_link_fees = 0;
  Fen external_fees = 0;
  Fen streamer_commission = 0;
  Fen subsidies = 0;  // paid by the external platforms (v2): discounts and commission bonuses
};

struct World {
  std::uint64_t seed = 0;  // the replication's seed
  int warmup = 0;          // warm-up days before calendar.start
  DayConditions today;
  double traffic_clock = 0;  // sum of the traffic multipliers of the days so far
  Buyers buyers;
  // --partition-buyers: the MPI job whose ranks hold a slice of the buyers
  // each (the collectives of a day go through it); null: the whole world here.
  Ensemble* split = nullptr;
  std::vector<Merchant> merchants;
  std::vector<Listing> listings;
  // Clearing's scratch: the day's orders' indices grouped by listing (a
  // counting sort), where each listing's group starts in order_index, and the
  // (key, order) tickets of one listing's lottery.
  std::vector<std::uint32_t> order_index;
  std::vector<std::uint32_t> order_starts;
  std::vector<LotteryTicket> tickets;
  std::vector<ListingHot> hot;  // parallel to listings
  std::vector<Streamer> streamers;
  int cart_size = 0;
  std::vector<std::int32_t> carts;  // streamers * cart_size
  std::vector<std::int32_t> cart_len;
  std::vector<std::vector<int>> by_category;  // listings streamers may pick, per category, today
  std::vector<int> visible_per_category;      // listings shown anywhere, per category, today
  std::vector<std::uint32_t> live_ids;        // today's live streamers
  std::vector<std::uint8_t> live;             // 1 if streamer is live today (compact, for demand)
  std::vector<std::uint8_t> present;          // 1 if streamer has not left (v2: for video follows)
  bool any_gone = false;                      // a streamer has left (v2)
  std::vector<std::vector<int>> search;       // per category: today's search results (v2)
  std::vector<AliasTable> search_alias;       // per category: relevance weights (search.cpp)
  std::array<double, channel_count> discount_applied{0, 0, 0};  // in the listings' log_ratio
  AliasTable live_reco;                   // over live_ids: followers^a x reputation^b
  AliasTable all_reco;                    // over all streamers, for video sessions
  std::vector<std::int32_t> cart_offset;  // where today's browsing starts in each cart
  std::vector<int> month_of_day;          // month index of every day of the horizon
  int listed_today = 0;                   // merchants with a listing shown anywhere today
  std::vector<Order> orders;              // today's orders
  Accounts accounts;
  Recorder recorder;
  // Entry attractiveness: GMV of the last 30 days and its first-30-day reference.
  std::array<Fen, 30> gmv_ring{};
  double attract_reference = 0;
  // Model v2: arrivals' and streamer entry's attractiveness references.
  double buyer_attract_reference = 0;
  double streamer_attract_reference = 0;

  int active_merchants() const;  // Kuaishou merchants, pool sellers excluded
};

}  // namespace linksim::detail
