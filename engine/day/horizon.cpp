// The end of the warm-up: what has been simulated so far was only to settle
// the population, so the day-0 merchants are those active now and every
// account and cohort record starts from zero.
#include <algorithm>

#include "day/phases.hpp"

namespace linksim::detail {

void start_horizon(const Scenario& /*s*/, World& w) {
  for (Merchant& m : w.merchants) {
    m.initial = m.state == MerchantState::active && !m.pool;
    m.sales_net = 0;
    m.fixed_costs = 0;
  }
  for (Streamer& st : w.streamers) st.income = 0;
  w.accounts = Accounts{};
  auto& rec = w.recorder;
  std::fill(rec.joined.begin(), rec.joined.end(), 0);
  std::fill(rec.retained_next_month.begin(), rec.retained_next_month.end(), -1);
  // Buyers seen this month count from day 0, as the monthly table does.
  const auto tag = static_cast<std::uint16_t>(w.month_of_day[w.warmup] + 1);
  for (auto& seen : w.buyers.seen_month) seen = seen == tag ? 0 : seen;
  // Intent sessions by category count from day 0, as the monthly table does.
  std::fill(rec.intent_by_category.begin(), rec.intent_by_category.end(), 0);
  std::fill(rec.met_by_category.begin(), rec.met_by_category.end(), 0);
}

}  // namespace linksim::detail
