// The stages of one simulated day, in the order of model.md. Each takes the
// constant Scenario and the mutable World; none knows about files or YAML.
#pragma once

#include "linksim/scenario.hpp"
#include "world/world.hpp"

namespace linksim::detail {

// On day 0, after the warm-up: the merchants then active become the day-0
// population; money and cohort records start from zero.
void start_horizon(const Scenario& s, World& w);
// 1. Policy and events of the day; which listings may be shown where; closed
//    listings leave every cart; external merchants onboard or go idle.
void apply_policy(const Scenario& s, World& w, int day);
// 1. Streamers whose reselect day it is refill their carts (parallel over
//    streamers); who is live today.
void refill_carts(const Scenario& s, World& w, int threads);
void decide_live(const Scenario& s, World& w);
// 1. (v2) Buyers lapse, lapsed ones return, new buyers arrive.
void turn_over_buyers(const Scenario& s, World& w, int threads);
// 1. (v2) Each category's search results for the day, by relevance.
void rank_search(const Scenario& s, World& w);
double search_relevance(const Scenario& s, const World& w, int listing);
// 2. Buyers' sessions, browsing and orders (parallel over buyers).
void generate_demand(const Scenario& s, World& w, int threads);
// 3. Orders meet stock: a deterministic lottery decides who is served.
void clear_market(const Scenario& s, World& w);
// 4. Delivery on time or late; buyers' trust and streamers' reputation.
void fulfil_orders(const Scenario& s, World& w);
// 5. Every filled order's money, by who receives it.
void settle_money(const Scenario& s, World& w);
// 6. Restocking.
void restock(const Scenario& s, World& w);
// 7. New merchants arrive; (v2) new streamers arrive.
void enter_merchants(const Scenario& s, World& w);
void enter_streamers(const Scenario& s, World& w);
// 8. On the last day of a month: fixed costs, exits, cohorts; (v2) streamers'
//    income sets next month's live rate, the poorest leave; buyers seen.
void close_month(const Scenario& s, World& w);
void close_streamer_month(const Scenario& s, World& w);
// Streamers that have not left (model v2).
int streamers_present(const World& w);
// The day's row of the daily series.
void record_day(const Scenario& s, World& w);

// A buyer's trust drops by `penalty` (only on the rank that holds it).
void penalise(Buyers& b, std::uint32_t buyer, float penalty);

// The conditions (policy and events) in force on a date.
DayConditions conditions_on(const Scenario& s, Date date);

}  // namespace linksim::detail
