#include "scenario/keys.hpp"

#include <limits>

namespace linksim::detail {

namespace {

using namespace ranges;

#define FIELD(expr) [](Scenario& s) -> FieldRef { return &s.expr; }
#define KEY(path, type, range, unit, doc, source, expr) \
  Key<Scenario> { path, KeyType::type, range, unit, doc, source, FIELD(expr) }

// A union's catalogue (model v2), the same keys for Taobao and JD.
#define POOL_KEYS(ch, Name, commissions)                                                         \
  KEY("external." #ch ".pool.listings", integer, Range(0, 1e8), "listings",                      \
      "Listings of the " Name                                                                    \
      " Union catalogue (merchants with no Kuaishou store), at "                                 \
      "population.scale 1, spread over categories by demand weight x origin_mix." #ch            \
      "; 0 = none (model v1).",                                                                  \
      "article: union links let streamers sell the external catalogues",                         \
      external.ch.pool.listings),                                                                \
      KEY("external." #ch ".pool.quality_mean", real, unit_open, "",                             \
          "Mean quality of pool listings (Beta).", "assumed", external.ch.pool.quality_mean),    \
      KEY("external." #ch ".pool.quality_sd", real, nonneg, "",                                  \
          "Standard deviation of pool listings' quality; 0 = all equal.", "assumed",             \
          external.ch.pool.quality_sd),                                                          \
      KEY("external." #ch ".pool.commission_min", real, prob, "",                                \
          "Least commission rate of a pool listing (uniform between min and max).", commissions, \
          external.ch.pool.commission_min),                                                      \
      KEY("external." #ch ".pool.commission_max", real, prob, "",                                \
          "Greatest commission rate of a pool listing.", commissions,                            \
          external.ch.pool.commission_max)

}  // namespace

const std::vector<Key<Scenario>>& scenario_keys() {
  static const std::vector<Key<Scenario>> keys{
      KEY("name", string, any, "", "Scenario name; names the default output folder out/<name>/.",
          "", name),
      KEY("seed", integer, nonneg, "",
          "Master seed; replication r uses mix(seed, r), shared by scenarios run with the same "
          "seed "
          "(common random numbers).",
          "", seed),
      KEY("replications", integer, Range(1, 100000), "runs",
          "Independent replications whose mean and 95% interval are reported.", "", replications),
      KEY("calendar.start", date, any, "date", "First simulated day (one tick is one day).",
          "article: links were cut on 2022-03-01", calendar.start),
      KEY("calendar.days", integer, Range(1, 36600), "days", "Length of the horizon.", "",
          calendar.days),
      KEY("calendar.warmup_days", integer, Range(0, 36600), "days",
          "Days simulated before calendar.start under the first policy entry and not reported, so "
          "that day 0 starts from a settled population (burn-in).",
          "assumed", calendar.warmup_days),
      KEY("population.buyers", integer, Range(1, 2e9), "buyers", "Buyers at the start.", "assumed",
          population.buyers),
      KEY("population.merchants", integer, nonneg, "merchants", "Merchants active on day 0.",
          "assumed", population.merchants),
      KEY("population.streamers", integer, Range(1, 4e9), "streamers", "Streamers (达人).",
          "assumed", population.streamers),
      KEY("population.scale", real, Range(0, 1000, true), "",
          "One factor on every population (buyers, merchants, streamers), every arrival rate "
          "and the union pools, so that a smaller world is the same world sampled: shares, "
          "retention, conversion and growth do not depend on it (within their intervals).",
          "", population.scale),
      KEY("buyers.session_rate", real, nonneg, "sessions/day",
          "Mean daily rate of shopping sessions per buyer (λ).", "assumed", buyers.session_rate),
      KEY("buyers.session_rate_spread", real, nonneg, "",
          "Coefficient of variation of λ across buyers (gamma distributed); 0 = identical.",
          "assumed", buyers.session_rate_spread),
      KEY("buyers.preference_concentration", real, nonneg, "",
          "Dirichlet concentration of category preferences; larger = closer to the category "
          "demand weights; 0 = identical buyers.",
          "assumed", buyers.preference_concentration),
      KEY("buyers.follows", real, Range(0, 1000), "streamers",
          "Mean number of streamers a buyer follows (Poisson).", "assumed", buyers.follows),
      KEY("buyers.follow_share", real, prob, "",
          "Probability that a session goes to a followed streamer (Kuaishou's 'private' traffic).",
          "assumed", buyers.follow_share),
      KEY("buyers.video_share", real, prob, "",
          "Probability that a session is on the video surface rather than in a livestream.",
          "assumed", buyers.video_share),
      KEY("buyers.browse_depth", integer, Range(1, 1000), "listings",
          "Listings of a cart a buyer looks at in one session.", "assumed", buyers.browse_depth),
      KEY("buyers.max_orders_per_session", integer, Range(1, 1000), "orders",
          "Most orders one session can place.", "assumed", buyers.max_orders_per_session),
      KEY("buyers.price_elasticity", real, nonneg, "",
          "Mean price elasticity ε: conversion scales with (price/reference price)^-ε.", "assumed",
          buyers.price_elasticity),
      KEY("buyers.price_elasticity_spread", real, nonneg, "",
          "Standard deviation of ε across buyers (normal, truncated at 0).", "assumed",
          buyers.price_elasticity_spread),
      KEY("buyers.app_share.taobao", real, prob, "",
          "Share of buyers with the Taobao app installed.", "assumed", buyers.app_share.taobao),
      KEY("buyers.app_share.jd", real, prob, "", "Share of buyers with the JD app installed.",
          "assumed", buyers.app_share.jd),
      KEY("buyers.trust.stockout_penalty", real, prob, "trust",
          "Trust lost per order that fails for lack of stock.", "assumed",
          buyers.trust.stockout_penalty),
      KEY("buyers.trust.late_penalty", real, prob, "trust", "Trust lost per late delivery.",
          "assumed", buyers.trust.late_penalty),
      KEY("buyers.trust.recovery", real, prob, "trust/day", "Trust regained per day, up to 1.",
          "assumed", buyers.trust.recovery),
      KEY("buyers.intent_share", real, prob, "",
          "Share of sessions that start from a need (intent sessions, on the search surface) "
          "rather than from a streamer's cart; 0 = off (model v1).",
          "article: users' definite shopping needs still wait to be met (assumed value)",
          buyers.intent_share),
      KEY("buyers.search_depth", integer, Range(1, 64), "listings",
          "Listings of the category an intent session checks, in relevance order.", "assumed",
          buyers.search_depth),
      KEY("buyers.search_sharpness", real, nonneg, "",
          "How strongly search pages favour relevant listings: a page is a sample of the "
          "category's listings weighted by relevance^this (0 = uniform).",
          "assumed", buyers.search_sharpness),
      KEY("buyers.arrivals.per_day", real, nonneg, "buyers/day",
          "Base rate of new buyers (Poisson, at population.scale 1); 0 = no arrivals (model v1).",
          "assumed", buyers.arrivals.per_day),
      KEY("buyers.arrivals.yearly_growth", real, positive, "",
          "Factor by which the arrival rate grows in a year (a_t ~ growth^(t/365)); 1 = flat.",
          "article: GMV +47.7% year on year in 2022Q1, +31.5% in Q2",
          buyers.arrivals.yearly_growth),
      KEY("buyers.arrivals.attractiveness_exponent", real, nonneg, "",
          "Elasticity of arrivals to shopping attractiveness (orders per session over the last "
          "30 days against the first 30); 0 = off.",
          "assumed", buyers.arrivals.attractiveness_exponent),
      KEY("buyers.arrivals.max_attractiveness", real, at_least_1, "",
          "Cap on the attractiveness factor of arrivals, so that the buyer slots allocated before "
          "day 0 bound every possible run.",
          "assumed", buyers.arrivals.max_attractiveness),
      KEY("buyers.lapse.hazard", real, prob, "1/day",
          "Daily hazard that a satisfied active buyer lapses (stops shopping): it lapses on a day "
          "with probability 1 - e^-hazard (about the hazard); 0 = off.",
          "assumed", buyers.lapse.hazard),
      KEY("buyers.lapse.dissatisfaction", real, nonneg, "",
          "Lapse hazard multiplier: hazard x (1 + this x (1 - satisfaction)).", "assumed",
          buyers.lapse.dissatisfaction),
      KEY("buyers.lapse.memory_days", real, at_least_1, "days",
          "Time constant of a buyer's satisfaction, an average of its intent sessions' outcomes "
          "(1 met, 0 unmet).",
          "assumed", buyers.lapse.memory_days),
      KEY("buyers.lapse.return_rate", real, prob, "1/day",
          "Daily hazard that a lapsed buyer returns, times the day's traffic multiplier "
          "(promotions bring buyers back).",
          "assumed", buyers.lapse.return_rate),
      KEY("conversion.base", real, prob, "",
          "Base probability c0 that a browsed listing becomes an order.", "assumed",
          conversion.base),
      KEY("conversion.jump_loss", real, prob, "",
          "Share of would-be orders lost when the buyer must jump to another app.", "assumed",
          conversion.jump_loss),
      KEY("conversion.no_app_factor", real, prob, "",
          "Conversion factor on an external link for a buyer without that app.", "assumed",
          conversion.no_app_factor),
      KEY("streamers.follower_zipf", real, nonneg, "",
          "Zipf exponent of streamer popularity (which streamers buyers follow).", "assumed",
          streamers.follower_zipf),
      KEY("streamers.categories", integer, Range(1, 64), "categories",
          "Most focus categories per streamer; each has 1 to this many (at most the number of "
          "categories), uniformly.",
          "article: 1-3 focus categories", streamers.categories),
      KEY("streamers.live_rate", real, prob, "",
          "Probability that a streamer is live on a given day.", "assumed", streamers.live_rate),
      KEY("streamers.cart_size", integer, Range(1, 1000), "listings",
          "Listings in a streamer's cart.", "assumed", streamers.cart_size),
      KEY("streamers.reselect_days", integer, Range(1, 3650), "days",
          "Days between cart refills (staggered across streamers).", "assumed",
          streamers.reselect_days),
      KEY("streamers.quality_noise", real, nonneg, "",
          "Standard deviation of the noise on quality as a streamer perceives it.",
          "article: streamers find it hard to tell good products from bad",
          streamers.quality_noise),
      KEY("streamers.candidate_sample", integer, Range(1, 1e7), "listings",
          "Candidates a streamer examines when refilling the cart.", "assumed",
          streamers.candidate_sample),
      KEY("streamers.reco_exponent", real, nonneg, "",
          "Recommendation weight of a live streamer = followers^this x reputation^"
          "reputation_exponent.",
          "assumed", streamers.reco_exponent),
      KEY("streamers.reputation_memory_days", real, at_least_1, "days",
          "Memory of a streamer's reputation: an average of its orders' fulfilment (filled and on "
          "time) over about this many days.",
          "assumed", streamers.reputation_memory_days),
      KEY("streamers.reputation_exponent", real, nonneg, "",
          "Weight of reputation in recommendation traffic; 0 = ignored.", "assumed",
          streamers.reputation_exponent),
      KEY("streamers.income_elasticity", real, nonneg, "",
          "Elasticity of a streamer's live rate to last month's commission income: live_rate x "
          "min(max_live_factor, (income / reservation_income)^this); 0 = off.",
          "assumed", streamers.income_elasticity),
      KEY("streamers.max_live_factor", real, at_least_1, "",
          "Most a streamer's live rate can rise above streamers.live_rate with income.", "assumed",
          streamers.max_live_factor),
      KEY("streamers.reservation_income", real, nonneg, "RMB/month",
          "Monthly commission income below which a streamer streams less and, after "
          "patience_months, leaves; 0 = nobody leaves.",
          "assumed", streamers.reservation_income),
      KEY("streamers.patience_months", integer, at_least_1, "months",
          "Consecutive months below the reservation income after which a streamer leaves.",
          "assumed", streamers.patience_months),
      KEY("streamers.entry.per_day", real, nonneg, "streamers/day",
          "Base arrival rate of new streamers (Poisson, at population.scale 1); 0 = none.",
          "assumed", streamers.entry.per_day),
      KEY("streamers.entry.attractiveness_exponent", real, nonneg, "",
          "Elasticity of streamer entry to commission income per streamer over the last 30 days "
          "against the first 30.",
          "assumed", streamers.entry.attractiveness_exponent),
      KEY("streamers.entry.max_attractiveness", real, at_least_1, "",
          "Cap on the attractiveness factor of streamer entry (and so on the streamers the "
          "memory estimate counts).",
          "assumed", streamers.entry.max_attractiveness),
      KEY("merchants.origin_mix.native", real, nonneg, "",
          "Relative share of native merchants, at the start and among entrants.",
          "article: the store carried 98.8% of GMV in 2021-12", merchants.origin_mix.native),
      KEY("merchants.origin_mix.taobao", real, nonneg, "", "Relative share of Taobao merchants.",
          "article: external links were a small share of GMV", merchants.origin_mix.taobao),
      KEY("merchants.origin_mix.jd", real, nonneg, "", "Relative share of JD merchants.",
          "article: JD called the cut's effect 'almost none'", merchants.origin_mix.jd),
      KEY("merchants.commission_rate", real, prob, "",
          "Mean commission rate offered to streamers, fraction of price.",
          "article: union commissions 1-30%, top streamers ask 20%+", merchants.commission_rate),
      KEY("merchants.commission_spread", real, nonneg, "",
          "Standard deviation of commission rates across merchants (truncated to [0, 0.9]).",
          "assumed", merchants.commission_spread),
      KEY("merchants.quality.mean", real, unit_open, "", "Mean product quality (Beta).", "assumed",
          merchants.quality.mean),
      KEY("merchants.quality.sd", real, nonneg, "",
          "Standard deviation of quality (Beta); 0 = all equal.", "assumed", merchants.quality.sd),
      KEY("merchants.margin", real, prob, "", "Gross margin: price minus cost of goods, fraction.",
          "assumed", merchants.margin),
      KEY("merchants.stock.unlimited", boolean, any, "", "No stock limits at all.", "",
          merchants.stock.unlimited),
      KEY("merchants.stock.daily_units", real, positive, "units/day",
          "Sales a new merchant plans for; its stock cap is this x days_of_cover.", "assumed",
          merchants.stock.daily_units),
      KEY("merchants.stock.days_of_cover", real, positive, "days",
          "Stock cap in days of planned sales.", "assumed", merchants.stock.days_of_cover),
      KEY("merchants.stock.restock_days", integer, at_least_1, "days",
          "Days to refill an empty stock (restock = cap / this per day).", "assumed",
          merchants.stock.restock_days),
      KEY("merchants.stock.external_cover_factor", real, positive, "",
          "Stock cap multiplier for Taobao/JD merchants (mature supply chains).",
          "article: live commerce strains warehousing", merchants.stock.external_cover_factor),
      KEY("merchants.stock.adapt", real, prob, "",
          "Monthly step of planned sales toward last month's orders (0 = fixed plan).", "assumed",
          merchants.stock.adapt),
      KEY("merchants.on_time.native", real, prob, "", "On-time delivery rate, native merchants.",
          "assumed", merchants.on_time.native),
      KEY("merchants.on_time.taobao", real, prob, "", "On-time delivery rate, Taobao merchants.",
          "assumed", merchants.on_time.taobao),
      KEY("merchants.on_time.jd", real, prob, "", "On-time delivery rate, JD merchants.",
          "assumed: JD runs its own logistics", merchants.on_time.jd),
      KEY("merchants.fixed_cost_monthly", real, nonneg, "RMB/month",
          "Fixed cost of selling on the platform, paid by every listed merchant.", "assumed",
          merchants.fixed_cost_monthly),
      KEY("merchants.patience_months", integer, at_least_1, "months",
          "Consecutive unprofitable months after which a merchant exits.", "assumed",
          merchants.patience_months),
      KEY("merchants.exit_hazard_monthly", real, prob, "1/month",
          "Exogenous monthly exit probability of every merchant.", "assumed",
          merchants.exit_hazard_monthly),
      KEY("merchants.idle_exit_months", integer, at_least_1, "months",
          "Months an unlisted (idle) external merchant stays before it counts as gone.", "assumed",
          merchants.idle_exit_months),
      KEY("merchants.onboarding.probability", real, prob, "",
          "Probability that an external merchant opens a store when its links close in live carts.",
          "assumed", merchants.onboarding.probability),
      KEY("merchants.onboarding.cost", real, nonneg, "RMB", "One-off cost of opening the store.",
          "assumed", merchants.onboarding.cost),
      KEY("merchants.onboarding.delay_days", integer, nonneg, "days",
          "Days from the decision to the store listing going live.", "assumed",
          merchants.onboarding.delay_days),
      KEY("merchants.entry.native_per_day", real, nonneg, "merchants/day",
          "Base arrival rate of new native merchants (Poisson).", "assumed",
          merchants.entry.native_per_day),
      KEY("merchants.entry.external_per_day", real, nonneg, "merchants/day",
          "Base arrival rate of new Taobao and JD merchants together, split by origin_mix.",
          "assumed", merchants.entry.external_per_day),
      KEY("merchants.entry.closed_entry_factor", real, prob, "",
          "Entry multiplier for an external origin while its links are closed in live carts.",
          "assumed", merchants.entry.closed_entry_factor),
      KEY("merchants.entry.attractiveness_exponent", real, nonneg, "",
          "Elasticity of entry to GMV per active merchant relative to the first 30 days.",
          "assumed", merchants.entry.attractiveness_exponent),
      KEY("merchants.cold_start.boost", real, positive, "",
          "Multiplier on a new merchant's listing score in cart selection.",
          "article: new-merchant support shortened cold start by ~15%", merchants.cold_start.boost),
      KEY("merchants.cold_start.days", integer, nonneg, "days", "Days the boost lasts.", "assumed",
          merchants.cold_start.days),
      KEY("merchants.cold_start.sales", integer, at_least_1, "orders",
          "Orders in one day that mark the end of a merchant's cold start.", "assumed",
          merchants.cold_start.sales),
      KEY("platform.store_take_rate", real, prob, "", "Platform fee on store sales, fraction.",
          "article: commission revenue under 1% of GMV in 2021-Q4 (assumed 5% take rate)",
          platform.store_take_rate),
      KEY("platform.cps_share", real, prob, "", "Platform's share of union commissions (CPS).",
          "article: Alimama keeps 10% as technical service fee (analogy)", platform.cps_share),
      KEY("platform.pool_quality_threshold", real, prob, "",
          "Least quality for a store listing to enter the distribution pool (好物联盟).",
          "article: the pool's entry bar is higher than elsewhere",
          platform.pool_quality_threshold),
      KEY("external.taobao.take_rate", real, prob, "",
          "Taobao/Tmall's own fee on union sales, fraction.", "assumed", external.taobao.take_rate),
      POOL_KEYS(taobao, "Taobao", "article: Taobao Union commissions about 5-30%"),
      KEY("external.jd.take_rate", real, prob, "", "JD's own fee on union sales, fraction.",
          "assumed", external.jd.take_rate),
      POOL_KEYS(jd, "JD", "article: JD Union commissions about 1-10%"),
      KEY("reports.richness_min_listings", integer, at_least_1, "listings",
          "Active listings a category needs to count as rich.", "assumed",
          reports.richness_min_listings),
      KEY("reports.platform_scale", real, positive, "buyers",
          "Platform buyers one simulated buyer stands for (at population.scale 1): money and "
          "counts are also reported at platform level (gmv_platform) to compare with published "
          "totals.",
          "assumed", reports.platform_scale),
      KEY("sensitivity.method", string, any, "",
          "`linksim sensitivity`: morris (elementary effects, for screening) or sobol (first "
          "and total indices, Saltelli sampling).",
          "", sensitivity.method),
      KEY("sensitivity.samples", integer, Range(0, 1e6), "",
          "Morris trajectories, or Sobol base samples N (N x (factors + 2) points); 0: 10 or "
          "128.",
          "", sensitivity.samples),
      KEY("sensitivity.levels", integer, Range(2, 100), "", "Morris grid levels (even).", "",
          sensitivity.levels),
      KEY("sensitivity.bootstrap", integer, Range(0, 100000), "",
          "Bootstrap resamples for the indices' 95% intervals (0: none).", "",
          sensitivity.bootstrap),
      KEY("sensitivity.compare", string, any, "",
          "A scenario file (relative to this one): analyse the paired difference against it, "
          "common random numbers, instead of this scenario's own metrics.",
          "", sensitivity.compare),
      KEY("calibration.target", string, any, "",
          "`linksim calibrate`: the observed series to fit, a CSV of period (YYYY-MM or "
          "YYYY-Qn), metric, value and optional weight and unit (relative to the scenario file "
          "given "
          "to the command).",
          "", calibration.target),
      KEY("calibration.method", string, any, "",
          "Derivative-free optimiser (NLopt): bobyqa (quadratic models in a trust region), "
          "neldermead or sbplx (simplex methods, more robust to a rough loss); or abc-smc, a "
          "Bayesian calibration (sequential Monte Carlo ABC, docs/validation.md) that gives a "
          "posterior instead of a point.",
          "", calibration.method),
      KEY("calibration.particles", integer, Range(10, 1e6), "",
          "abc-smc: particles in each generation of the posterior.", "", calibration.particles),
      KEY("calibration.generations", integer, Range(1, 1000), "",
          "abc-smc: most generations (each with a smaller tolerance).", "",
          calibration.generations),
      KEY("calibration.quantile", real, Range(0.05, 0.95), "",
          "abc-smc: each generation's tolerance is this weighted quantile of the distances of "
          "the generation before (0.5: the median).",
          "", calibration.quantile),
      KEY("calibration.min_acceptance", real, Range(0, 1), "",
          "abc-smc: stop after a generation that accepted fewer of its simulations than this.", "",
          calibration.min_acceptance),
      KEY("calibration.draws", integer, Range(1, 1e6), "",
          "`linksim forecast`: posterior draws, each run once with its own seed.", "",
          calibration.draws),
      KEY("calibration.evaluations", integer, Range(1, 100000), "",
          "Most model evaluations (each a run of every replication) the optimiser may spend.", "",
          calibration.evaluations),
      KEY("calibration.tolerance", real, Range(0, 100), "",
          "RMS scaled error (a fraction of each metric's typical size) a fit must reach to "
          "count as converged.",
          "", calibration.tolerance),
      KEY("calibration.bootstrap", integer, Range(0, 100000), "",
          "Resamples of the replications for the fitted values' 95% intervals (0: none).", "",
          calibration.bootstrap),
  };
  return keys;
}

const std::vector<ListKey>& list_keys() {
  static const std::vector<ListKey> keys{
      {"categories", "Product categories; at least one, names unique."},
      {"policy",
       "Policy timeline: dated entries in increasing order, each in force until the next; the "
       "first must start on or before calendar.start. A field left out of an entry keeps its "
       "value from the entry before (the first starts from closed links, no fee, all eligible)."},
      {"events", "Dated events (promotions, lockdowns, demand shocks), inside the horizon."},
      {"sweep",
       "Axes of `linksim sweep` (cartesian product); each gives `key` and either `values` or "
       "`from`, `to` and `points`. Other commands ignore it; `sweep --vary` replaces it."},
      {"sensitivity.factors",
       "Factors of `linksim sensitivity`, each a numeric `key` sampled from `from` to `to`. "
       "Other commands ignore them; `sensitivity --vary KEY=FROM:TO` replaces them."},
      {"calibration.free",
       "Free keys of `linksim calibrate`, each a numeric `key` fitted within `from` to `to`. "
       "Other commands ignore them; `calibrate --free KEY=FROM:TO` replaces them."},
  };
  return keys;
}

}  // namespace linksim::detail
