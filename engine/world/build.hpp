// Building the population of a replication from a constant Scenario.
#pragma once

#include "linksim/scenario.hpp"
#include "rng.hpp"
#include "world/world.hpp"

namespace linksim::detail {

// The whole world on day 0: buyers, streamers, merchants and their listings.
void build_world(const Scenario& s, World& w, std::uint64_t seed, int threads);

// Adds a merchant of `origin` joining on `day`, with its listings; returns its id.
int add_merchant(const Scenario& s, World& w, Origin origin, int day, Stream& rng, bool initial);

// Days of planned sales a merchant of `origin` keeps in stock.
double stock_cover_days(const Scenario& s, Origin origin);

// Draws a category for a merchant of `origin`: demand weight x origin strength.
int draw_category(const Scenario& s, Origin origin, Stream& rng);

}  // namespace linksim::detail

namespace linksim::detail {
// Opens a store for an external merchant (onboarding): pays the cost, live after the delay.
void open_store(const Scenario& s, World& w, int merchant, int day);
}  // namespace linksim::detail
