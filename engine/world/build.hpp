// Building the population of a replication from a constant Scenario.
#pragma once

#include "linksim/scenario.hpp"
#include "rng.hpp"
#include "world/world.hpp"

namespace linksim::detail {

// The whole world on day 0: buyers, streamers, merchants and their listings.
// `slots`: at least this many buyer slots (0: buyer_slots(s)).
void build_world(const Scenario& s, World& w, std::uint64_t seed, int threads,
                 std::int64_t slots = 0);

// Buyers active on day 0 at population.scale, and the slots of every buyer the
// run can have: those and an upper bound on the arrivals (the Poisson mean of
// every day's arrival rate at its traffic and the largest attractiveness, plus
// ten standard deviations and ten), so that no run's arrivals exceed them.
std::int64_t initial_buyers(const Scenario& s);
std::int64_t buyer_slots(const Scenario& s);
// The day's rate of new buyers (model v2): per_day x growth^(day/365) x traffic
// x min(attractiveness, max)^exponent, at population.scale.
double buyer_arrival_rate(const Scenario& s, int day, double traffic, double attractiveness);
// The product of the traffic multipliers of the events in force on a date.
double traffic_on(const Scenario& s, Date date);
// Whether the buyers arrive or lapse (model v2): their status arrays exist.
bool buyers_dynamic(const Scenario& s);
// One buyer's lapse budget (Exp(1)), drawn on `day` (-1: at the start).
float lapse_budget(std::uint64_t seed, std::int64_t buyer, int day);
// The daily lapse hazard h x (1 + dissatisfaction x (1 - sat)) of a buyer
// with satisfaction `sat` (it lapses on a day with probability 1 - e^-that).
float lapse_step(const Scenario& s, double sat);
// A new streamer (v2 entry): categories from its own stream, no followers.
void add_streamer(const Scenario& s, World& w, int day);

// Adds a merchant of `origin` joining on `day`, with its listings; returns its id.
int add_merchant(const Scenario& s, World& w, Origin origin, int day, Stream& rng, bool initial);

// Adds one listing of a union's pool (a seller with no Kuaishou store).
int add_pool_listing(const Scenario& s, World& w, Origin origin, const Scenario::Pool& pool,
                     Stream& rng);

// Days of planned sales a merchant of `origin` keeps in stock.
double stock_cover_days(const Scenario& s, Origin origin);

// Draws a category for a merchant of `origin`: demand weight x origin strength.
int draw_category(const Scenario& s, Origin origin, Stream& rng);

}  // namespace linksim::detail

namespace linksim::detail {
// Sets a listing's price factor (log of price over the category's reference,
// after any discount) and the browse bound that depends on it.
void set_log_ratio(World& w, int listing, float log_ratio);
// Opens a store for an external merchant (onboarding): pays the cost, live after the delay.
void open_store(const Scenario& s, World& w, int merchant, int day);
}  // namespace linksim::detail
