// What every session of a day shares, gathered once a day for the demand
// phase: each streamer's browse list per surface, and each category's search
// listings with their relevance alias tables packed for one read a draw.
#include <algorithm>

#include "day/demand.hpp"

namespace linksim::detail {

// A list holds at most a whole cart, whatever browse_depth says.
BrowseLists::BrowseLists(const World& w, int browse_depth)
    : depth(std::min(browse_depth, w.cart_size)) {
  const std::size_t slots = 2 * w.cart_len.size();
  hot.resize(slots * static_cast<std::size_t>(depth));
  id.resize(slots * static_cast<std::size_t>(depth));
  size.assign(slots, 0);
  for (std::size_t st = 0; st < w.cart_len.size(); ++st) {
    const int len = w.cart_len[st];
    const std::int32_t* cart = &w.carts[st * w.cart_size];
    for (const Surface surface : {Surface::live, Surface::video}) {
      const std::size_t slot = 2 * st + static_cast<std::size_t>(surface);
      const std::uint8_t bit = surface == Surface::live ? 1 : 2;
      int n = 0;
      for (int j = 0, i = w.cart_offset[st]; j < len && n < depth; ++j) {
        const std::int32_t l = cart[i];
        i = i + 1 == len ? 0 : i + 1;
        if (!(w.hot[l].surfaces & bit)) continue;
        hot[slot * depth + n] = w.hot[l];
        id[slot * depth + n] = l;
        ++n;
      }
      size[slot] = n;
    }
  }
}

SearchLists::SearchLists(const World& w) {
  begin.push_back(0);
  column_begin.push_back(0);
  for (std::size_t k = 0; k < w.search.size(); ++k) {
    const std::size_t first = hot.size();
    double base = 0, ratio = 0;
    for (const int l : w.search[k]) {
      hot.push_back(w.hot[l]);
      id.push_back(l);
      base = std::max(base, static_cast<double>(w.hot[l].base_p));
      ratio = std::min(ratio, static_cast<double>(w.hot[l].log_ratio));
    }
    top_base.push_back(base);
    least_log_ratio.push_back(ratio);
    begin.push_back(hot.size());
    const AliasTable& alias = w.search_alias.at(k);
    for (std::size_t i = 0; i < alias.size(); ++i) {
      const std::size_t a = first + i, b = first + alias.alias(i);
      columns.push_back({{hot[a], hot[b]}, {id[a], id[b]}, alias.prob(i)});
    }
    column_begin.push_back(columns.size());
  }
}

}  // namespace linksim::detail
