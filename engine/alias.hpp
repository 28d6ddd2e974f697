// Walker's alias method (Vose's construction): O(1) draws from a fixed
// discrete distribution, used for streamer popularity and recommendations.
#pragma once

#include <cstdint>
#include <vector>

#include "rng.hpp"

namespace linksim::detail {

class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(const std::vector<double>& weights) { reset(weights); }
  void reset(const std::vector<double>& weights);
  bool empty() const { return prob_.empty(); }
  std::size_t size() const { return prob_.size(); }
  // Column i keeps i with probability prob(i), else gives alias(i).
  double prob(std::size_t i) const { return prob_[i]; }
  std::uint32_t alias(std::size_t i) const { return alias_[i]; }
  std::uint32_t draw(Stream& rng) const {
    const std::uint64_t i = rng.below(prob_.size());
    return rng.uniform() < prob_[i] ? static_cast<std::uint32_t>(i) : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

}  // namespace linksim::detail
