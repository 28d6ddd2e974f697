// Step 2 (model v2): the search surface. Once a day, each category's listings
// allowed on search and in stock are ranked by relevance (O(listings) a day,
// not per session); an intent session's page is then search_depth of them,
// checked in relevance order.
//
// The page is search_depth draws weighted by relevance^search_sharpness, not
// the same first search_depth listings for every buyer: a fixed top-k of a
// category's n listings cannot be the same world at population.scale 0.1 and
// 1 (the top 10 of 40 listings are not the top 10 of 400), and neither can a
// sample without replacement (10 of 40 reaches further down the ranking than
// 10 of 400); independent weighted draws come from the same distribution of
// listings at any scale. A listing drawn twice is checked twice: at scale s
// each listing stands for 1/s similar ones, as each buyer does. The ranking still decides what
// sells (the more relevant a listing, the more pages show it, the sharper the more so), and a
// category with no more than search_depth listings shows all of them, so
// that a thin assortment leaves needs unmet: with m identical listings,
// P(order) = 1 - (1 - p)^min(m, depth) (model-v2.md's closed form).
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
  w.search_alias.assign(w.search.size(), AliasTable{});
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
  std::vector<double> weights;
  for (std::size_t k = 0; k < by_category.size(); ++k) {
    auto& ranked = by_category[k];
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
      return a.score != b.score ? a.score > b.score : a.listing < b.listing;
    });
    weights.clear();
    // Relative to the most relevant (the list is sorted), so that a sharp
    // power neither underflows to 0 nor overflows.
    for (const Ranked& r : ranked) {
      w.search[k].push_back(r.listing);
      weights.push_back(std::pow(r.score / ranked.front().score, s.buyers.search_sharpness));
    }
    // Weights of 0 throughout (no seller ever on time) leave the page uniform.
    if (std::none_of(weights.begin(), weights.end(), [](double x) { return x > 0; })) {
      std::fill(weights.begin(), weights.end(), 1.0);
    }
    // Only a category with more listings than a page samples its page.
    if (ranked.size() > static_cast<std::size_t>(s.buyers.search_depth)) {
      w.search_alias[k].reset(weights);
    } else {
      w.search_alias[k] = AliasTable{};
    }
  }
}

}  // namespace linksim::detail
