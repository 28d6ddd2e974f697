#include "linksim/simulation.hpp"

#include <stdexcept>

#include "day/phases.hpp"
#include "metrics/finish.hpp"
#include "rng.hpp"
#include "scenario/bind.hpp"
#include "world/build.hpp"

namespace linksim {

using namespace detail;

// A Scenario built or changed in code is checked as a file's is: an invalid
// one is refused with every problem instead of simulated (an empty policy,
// say, would be read past its end).
static void refuse_invalid(const Scenario& s) {
  if (auto problems = detail::value_problems(s); !problems.empty()) {
    throw ScenarioError(std::move(problems));
  }
}

Simulation::Simulation(const Scenario& scenario, std::uint64_t seed, int threads, Ensemble* split,
                       std::int64_t buyer_slots)
    : scenario_(scenario), world_(std::make_unique<World>()), threads_(std::max(1, threads)) {
  refuse_invalid(scenario_);
  World& w = *world_;
  w.split = split;
  w.warmup = scenario.calendar.warmup_days;
  day_ = -w.warmup;
  // Months and recorder rows cover the warm-up too; results keep the horizon.
  Scenario whole = scenario;
  whole.calendar.start -= w.warmup;
  whole.calendar.days += w.warmup;
  w.month_of_day = month_index(whole);
  w.recorder.resize(whole.calendar.days, w.warmup, w.month_of_day.back() + 1,
                    static_cast<int>(scenario.categories.size()));
  build_world(scenario, w, seed, threads_, buyer_slots);
}

Simulation::Simulation(const Scenario& scenario, const Simulation& warmed)
    : scenario_(scenario),
      world_(std::make_unique<World>(*warmed.world_)),
      threads_(warmed.threads_),
      day_(warmed.day_) {
  refuse_invalid(scenario_);
}

Simulation::~Simulation() = default;

// One day, in the order of model.md.
void Simulation::step() {
  if (done()) throw std::logic_error("Simulation::step past the end of the horizon");
  const Scenario& s = scenario_;
  World& w = *world_;
  if (day_ == 0) start_horizon(s, w);
  apply_policy(s, w, day_);
  turn_over_buyers(s, w, threads_);
  refill_carts(s, w, threads_);
  decide_live(s, w);
  rank_search(s, w);
  generate_demand(s, w, threads_);
  clear_market(s, w);
  fulfil_orders(s, w);
  settle_money(s, w);
  restock(s, w);
  enter_merchants(s, w);
  enter_streamers(s, w);
  if (w.today.month_end) {
    close_month(s, w);
    close_streamer_month(s, w);
  }
  record_day(s, w);
  ++day_;
}

void Simulation::run_to_end() {
  while (!done()) step();
}

ReplicationResult Simulation::result(int index) const {
  ReplicationResult r = finish_replication(scenario_, *world_);
  r.index = index;
  r.seed = world_->seed;
  return r;
}

std::string version() { return LINKSIM_VERSION; }
std::string git_commit() { return LINKSIM_GIT_COMMIT; }

}  // namespace linksim

namespace linksim {

std::uint64_t seed_of_replication(std::uint64_t scenario_seed, int replication) {
  return detail::replication_seed(scenario_seed, replication);
}

WorldView Simulation::view() const {
  const World& w = *world_;
  WorldView v;
  v.day = day_;
  v.date = format_date(scenario_.calendar.start + day_);
  const auto& b = w.buyers;
  v.buyers.slots = b.total;
  v.buyers.active = b.dynamic() ? b.active : b.total;
  v.buyers.session_rate = b.rate;
  v.buyers.trust = b.trust;
  v.buyers.status = b.status;
  v.buyers.satisfaction = b.satisfaction;
  v.merchants.reserve(w.merchants.size());
  for (const auto& m : w.merchants) {
    v.merchants.push_back({.origin = m.origin,
                           .category = m.category,
                           .quality = m.quality,
                           .price_rmb = m.price,
                           .margin = m.margin,
                           .commission = m.commission,
                           .active = m.state == detail::MerchantState::active,
                           .pool = m.pool,
                           .join_day = m.join_day});
  }
  v.streamers.reserve(w.streamers.size());
  for (const auto& st : w.streamers) {
    v.streamers.push_back({.followers = st.followers,
                           .reputation = st.reputation,
                           .live_factor = st.live_factor,
                           .income_fen = static_cast<std::int64_t>(st.income),
                           .present = !st.gone,
                           .join_day = st.join_day});
  }
  v.active_merchants = w.active_merchants();
  return v;
}

}  // namespace linksim
