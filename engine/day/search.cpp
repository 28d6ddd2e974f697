// Step 2 (model v2): the search surface. Once a day, each category's listings
// allowed on search and in stock are ranked by relevance, and the first
// buyers.search_depth of them are what every intent session in that category
// checks, in order. O(listings) a day, not per session.
#include <algorithm>
#include <cmath>

#include "day/phases.hpp"

namespace linksim::detail {

double search_relevance(const Scenario& s, const World& w, int listing) {
  const ListingHot& h = w.hot[listing];
  const Merchant& m = w.merchants[w.listings[listing].merchant];
  // Quality as buyers convert on it, price against the category's reference
  // at the mean elasticity (after any discount), and the seller's record of
  // delivering on time (its reputation).
  return (0.5 + m.quality) * std::exp(-s.buyers.price_elasticity * h.log_ratio) * m.on_time;
}

void rank_search(const Scenario& s, World& w) {
  for (auto& list : w.search) list.clear();
  if (!(s.buyers.intent_share > 0)) return;
  struct Ranked {
    double score;
    int listing;
  };
  std::vector<std::vector<Ranked>> by_category(s.categories.size());
  const bool unlimited = s.merchants.stock.unlimited;
  for (std::size_t l = 0; l < w.listings.size(); ++l) {
    const ListingHot& h = w.hot[l];
    if (!(h.surfaces & 4)) continue;  // not on search today
    const Listing& listing = w.listings[l];
    if (!unlimited && !listing.deep && listing.stock < 1.0) continue;  // sold out
    by_category[h.category].push_back(
        {search_relevance(s, w, static_cast<int>(l)), static_cast<int>(l)});
  }
  const auto depth = static_cast<std::size_t>(s.buyers.search_depth);
  for (std::size_t k = 0; k < by_category.size(); ++k) {
    auto& ranked = by_category[k];
    const std::size_t keep = std::min(depth, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                      ranked.end(), [](const Ranked& a, const Ranked& b) {
                        return a.score != b.score ? a.score > b.score : a.listing < b.listing;
                      });
    for (std::size_t i = 0; i < keep; ++i) w.search[k].push_back(ranked[i].listing);
  }
}

}  // namespace linksim::detail
