// The demand phase under --partition-buyers: each rank's chunks of orders
// and counts sent to every rank, so that each joins them all in chunk order.
#include <cstring>

#include "day/demand.hpp"
#include "ensemble.hpp"

namespace linksim::detail {

// --partition-buyers: every rank's chunks [c0, c1) to every rank, so that
// each joins all the chunks in chunk order, as a single process does. The
// ranks hold contiguous chunk ranges in rank order, so rank order is chunk
// order. Per chunk: its order count, session counts and trust sum, then its
// orders as bytes.
void exchange(Ensemble& split, std::vector<ChunkOut>& outs, std::int64_t c0, std::int64_t c1) {
  struct Header {
    std::int64_t orders, live, video, search, external, met, categories;
    double trust_sum;
  };
  std::vector<char> mine;
  for (std::int64_t c = c0; c < c1; ++c) {
    const ChunkOut& o = outs[c];
    const Header h{static_cast<std::int64_t>(o.orders.size()),
                   o.sessions[0],
                   o.sessions[1],
                   o.sessions[2],
                   o.sessions_external,
                   o.intent_met,
                   static_cast<std::int64_t>(o.intent_by_category.size()),
                   o.trust_sum};
    const auto* hp = reinterpret_cast<const char*>(&h);
    mine.insert(mine.end(), hp, hp + sizeof h);
    const auto* op = reinterpret_cast<const char*>(o.orders.data());
    mine.insert(mine.end(), op, op + o.orders.size() * sizeof(Order));
    for (const auto* v : {&o.intent_by_category, &o.met_by_category}) {
      const auto* vp = reinterpret_cast<const char*>(v->data());
      mine.insert(mine.end(), vp, vp + v->size() * sizeof(std::int64_t));
    }
  }
  const std::vector<char> all = split.gather(mine);
  std::size_t at = 0;
  for (auto& o : outs) {
    Header h{};
    std::memcpy(&h, all.data() + at, sizeof h);
    at += sizeof h;
    o.orders.resize(static_cast<std::size_t>(h.orders));
    if (!o.orders.empty())
      std::memcpy(o.orders.data(), all.data() + at, o.orders.size() * sizeof(Order));
    at += o.orders.size() * sizeof(Order);
    for (auto* v : {&o.intent_by_category, &o.met_by_category}) {
      v->resize(static_cast<std::size_t>(h.categories));
      if (!v->empty()) std::memcpy(v->data(), all.data() + at, v->size() * sizeof(std::int64_t));
      at += v->size() * sizeof(std::int64_t);
    }
    o.sessions[0] = h.live;
    o.sessions[1] = h.video;
    o.sessions[2] = h.search;
    o.sessions_external = h.external;
    o.intent_met = h.met;
    o.trust_sum = h.trust_sum;
  }
}

}  // namespace linksim::detail
