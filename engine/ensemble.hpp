// The engine's side of linksim::Ensemble (linksim/distributed.hpp): the one a
// run uses, and the buyers a rank holds when a world is split over ranks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "linksim/distributed.hpp"
#include "linksim/simulation.hpp"

namespace linksim::detail {

// The ensemble a run spreads over: `ensemble`, or a process alone when null.
Ensemble& ensemble_or_alone(Ensemble* ensemble);
inline Ensemble& ensemble_of(const RunOptions& options) {
  return ensemble_or_alone(options.ensemble);
}

// The buyers a rank holds when a world is split over `size` ranks: whole
// chunks of `chunk` buyers, contiguous, in rank order.
struct BuyerSlice {
  std::int64_t first = 0, end = 0;  // global buyer indices [first, end)
};
inline BuyerSlice buyer_slice(std::int64_t buyers, std::int64_t chunk, int rank, int size) {
  const std::int64_t chunks = (buyers + chunk - 1) / chunk;
  const std::int64_t c0 = chunks * rank / size, c1 = chunks * (rank + 1) / size;
  return {std::min(buyers, c0 * chunk), std::min(buyers, c1 * chunk)};
}

}  // namespace linksim::detail
