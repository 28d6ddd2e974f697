#include "alias.hpp"

namespace linksim::detail {

void AliasTable::reset(const std::vector<double>& weights) {
  const std::size_t n = weights.size();
  double total = 0;
  for (double w : weights) total += w;
  prob_.assign(n, 1.0);
  alias_.assign(n, 0);
  if (n == 0 || !(total > 0)) {
    prob_.clear();
    alias_.clear();
    return;
  }
  std::vector<double> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back();
    small.pop_back();
    const std::uint32_t l = large.back();
    prob_[s] = scaled[s];
    alias_[s] = l;
    scaled[l] -= 1.0 - scaled[s];
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (std::uint32_t i : large) prob_[i] = 1.0;
  for (std::uint32_t i : small) prob_[i] = 1.0;
}

}  // namespace linksim::detail
