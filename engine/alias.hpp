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
  // The same draw from one 64-bit number: the column from the high half of
  // x times the column count, the coin from the low half (Lemire's
  // multiply-shift; the low half is uniform and independent of the column up
  // to 2^-64 / columns).
  std::uint32_t draw(std::uint64_t x) const {
    const uint128 product = static_cast<uint128>(x) * prob_.size();
    const auto i = static_cast<std::uint64_t>(product >> 64);
    const double coin = static_cast<double>(static_cast<std::uint64_t>(product) >> 11) * 0x1.0p-53;
    return coin < prob_[i] ? static_cast<std::uint32_t>(i) : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

}  // namespace linksim::detail
