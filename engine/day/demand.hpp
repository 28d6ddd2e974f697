// The demand phase's day-wide inputs and per-chunk outputs (engine/day/
// demand.cpp): what a chunk of buyers produces, the carts' and search's lists
// gathered once a day (lists.cpp), and the exchange of chunks between MPI
// ranks (exchange.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "world/world.hpp"

namespace linksim::detail {

struct ChunkOut {
  std::vector<Order> orders;
  std::int64_t sessions[surface_count] = {0, 0, 0};
  std::int64_t sessions_external = 0;
  std::int64_t intent_met = 0;
  double trust_sum = 0;
  // Intent sessions and those met, by category (v2; empty when off).
  std::vector<std::int64_t> intent_by_category, met_by_category;
};

// What a session on a streamer's cart browses today: the first browse_depth
// listings shown on its surface, from the day's offset, in cart order. The
// same for every buyer, so it is gathered once a day, for each streamer and
// surface (slot 2 x streamer + surface), instead of once per session.
struct BrowseLists {
  int depth = 0;
  std::vector<ListingHot> hot;     // [slot][j]
  std::vector<std::int32_t> id;    // [slot][j]
  std::vector<std::int32_t> size;  // [slot]

  // A list holds at most a whole cart, whatever browse_depth says.
  BrowseLists(const World& w, int browse_depth);
};

// Model v2: each category's listings on search today, in relevance order,
// their hot data gathered once as for the browse lists, and the relevance
// weights a page is sampled by (search.cpp).
struct SearchLists {
  std::vector<ListingHot> hot;     // every category's, one after another
  std::vector<std::int32_t> id;    // listing ids, parallel to hot
  std::vector<std::size_t> begin;  // [category]: where its listings start; one past the end
  // The relevance weights' alias tables (search.cpp), a column's two
  // candidates packed with their hot data, so that a draw reads one record;
  // none for a category whose page shows every listing.
  struct Column {
    ListingHot hot[2];  // the column's own listing, and its alias
    std::int32_t id[2];
    double keep;  // probability of the column's own listing
  };
  std::vector<Column> columns;
  std::vector<std::size_t> column_begin;  // [category]; one past the end
  // [category]: the largest base probability and the smallest log price ratio
  // of its listings, for a bound on any listing's conversion for one buyer.
  std::vector<double> top_base, least_log_ratio;

  explicit SearchLists(const World& w);
};

// --partition-buyers: every rank's chunks [c0, c1) to every rank (exchange.cpp).
void exchange(Ensemble& split, std::vector<ChunkOut>& outs, std::int64_t c0, std::int64_t c1);

}  // namespace linksim::detail
