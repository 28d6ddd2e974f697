// The resolved scenario: every parameter of the model, immutable once loaded.
//
// These are plain structs with in-class defaults. The one table of keys
// (engine/scenario/keys.cpp) binds each YAML key to a field here and holds its
// type, range, unit and meaning; scenarios/base.yaml spells every default out
// and a test keeps it equal to these defaults.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace linksim {

// A calendar date as days since 1970-01-01.
using Date = std::int32_t;

// Sales channels: the platform's own store (快手小店) and the two union links.
enum class Channel : std::uint8_t { store = 0, taobao = 1, jd = 2 };
inline constexpr int channel_count = 3;
inline constexpr std::array<const char*, channel_count> channel_names{"store", "taobao", "jd"};

// Where a buyer shops: the livestream cart, the short-video cart, or (model
// v2) the search surface: the mall, search results and product pages, where
// intent sessions go.
enum class Surface : std::uint8_t { live = 0, video = 1, search = 2 };
inline constexpr int surface_count = 3;
inline constexpr std::array<const char*, surface_count> surface_names{"live", "video", "search"};

// Merchant origin: native to the platform, or coming from Taobao / JD.
enum class Origin : std::uint8_t { native = 0, taobao = 1, jd = 2 };
inline constexpr int origin_count = 3;
inline constexpr std::array<const char*, origin_count> origin_names{"native", "taobao", "jd"};

struct OriginMix {
  double native = 1.0;
  double taobao = 1.0;
  double jd = 1.0;
  double operator[](Origin o) const {
    return o == Origin::native ? native : (o == Origin::taobao ? taobao : jd);
  }
};

struct Category {
  std::string name;
  double ref_price = 100.0;    // RMB, median price of the category
  double price_sigma = 0.5;    // log-normal spread of prices
  double demand_weight = 1.0;  // relative demand of the category
  OriginMix origin_mix;        // relative strength of each origin in the category
};

// Per external channel in one policy entry.
struct ChannelPolicy {
  bool live = false;             // links allowed in livestream carts
  bool video = false;            // links allowed in short-video carts and product pages
  bool search = false;           // links shown on the search surface (v2)
  double fee = 0.0;              // platform fee on external-link sales, a fraction of fee_on
  std::string fee_on = "price";  // price (out of the merchant's margin) or commission (streamer's)
  double eligible_share = 1.0;   // share of the channel's merchants the opening covers
};

struct PolicyEntry {
  Date from = 18993;  // 2022-01-01
  ChannelPolicy taobao;
  ChannelPolicy jd;
  const ChannelPolicy& operator[](Channel c) const { return c == Channel::taobao ? taobao : jd; }
};

enum class EventType : std::uint8_t { promotion, lockdown, demand_shock, subsidy };
inline constexpr std::array<const char*, 4> event_type_names{"promotion", "lockdown",
                                                             "demand_shock", "subsidy"};

struct Event {
  EventType type = EventType::promotion;
  std::string name;
  Date from = 0;
  Date to = 0;  // inclusive
  double traffic = 1.0;
  double demand = 1.0;
  std::array<double, channel_count> logistics{1.0, 1.0, 1.0};  // store, taobao, jd
  std::string every;  // "" (once) or "year": repeats on the same dates every year
  // subsidy: the external channel that pays it, the commission rate added to
  // the streamer's on that channel's sales and the share of the price taken
  // off the buyer's (both paid by the external platform).
  std::string channel;
  double commission_bonus = 0.0;
  double price_discount = 0.0;
  // Whether the event is in force on `date` (recurring ones in any year).
  bool covers(Date date) const;
};

// One axis of a sweep: a scenario key, written as for --set (list items by
// index, e.g. policy.1.taobao.fee), and the values it takes, either listed
// (YAML scalars, as written) or `points` evenly spaced from `from` to `to`.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
  double from = 0.0;
  double to = 0.0;
  int points = 0;
  std::vector<std::string> grid() const;  // the values to run, as YAML scalars
};

// One factor of a sensitivity analysis: a numeric scenario key, written as for
// --set, and the range it is sampled over (integer keys take rounded values).
struct SensitivityFactor {
  std::string key;
  double from = 0.0;
  double to = 0.0;
  // calibrate --method abc-smc: the prior on [from, to], uniform or
  // log_uniform (uniform in the logarithm; from > 0). Sensitivity factors are
  // sampled uniformly.
  std::string prior = "uniform";
};

// What `linksim sensitivity` runs (other commands ignore it).
struct Sensitivity {
  std::string method = "morris";  // morris (screening) or sobol (variance-based)
  int samples = 0;                // Morris trajectories or Sobol base samples; 0: 10 or 128
  int levels = 4;                 // Morris grid levels (even)
  int bootstrap = 1000;           // resamples for the indices' 95% intervals
  std::string compare;            // a scenario file: analyse the paired difference against it
  std::vector<SensitivityFactor> factors;
};

// What `linksim calibrate` fits (other commands ignore it): the free keys,
// each within its range (a SensitivityFactor: key, from, to), so that the
// model's monthly or quarterly metrics reproduce a target CSV.
struct Calibration {
  std::string target;             // CSV of period, metric, value[, weight][, unit]
  std::string method = "bobyqa";  // bobyqa, neldermead or sbplx (NLopt, derivative-free)
  int evaluations = 100;          // most model evaluations the optimiser may spend
  double tolerance = 0.1;         // RMS scaled error a converged fit must reach
  int bootstrap = 1000;           // resamples of the replications for the 95% intervals
  // abc-smc: particles per generation, most generations, the tolerance's
  // quantile of the last generation's distances, the acceptance rate below
  // which it stops, and the posterior draws `linksim forecast` runs.
  int particles = 200;
  int generations = 8;
  double quantile = 0.5;
  double min_acceptance = 0.02;
  int draws = 100;
  std::vector<SensitivityFactor> free;
};

struct Scenario {
  std::string name = "base";
  std::filesystem::path source;  // the file it was loaded from (not a key)
  std::uint64_t seed = 20220301;
  int replications = 10;

  struct Calendar {
    Date start = 18993;  // 2022-01-01
    int days = 365;
    int warmup_days = 180;  // simulated before start, not reported
  } calendar;

  struct Population {
    std::int64_t buyers = 200000;
    std::int64_t merchants = 1200;
    std::int64_t streamers = 800;
    double scale = 1.0;  // multiplies every population, arrival rate and pool (v2)
  } population;

  std::vector<Category> categories = default_categories();

  struct Buyers {
    double session_rate = 0.3;
    double session_rate_spread = 0.5;
    double preference_concentration = 1.0;
    double follows = 6.0;
    double follow_share = 0.6;
    double video_share = 0.4;
    int browse_depth = 5;
    int max_orders_per_session = 1;
    double price_elasticity = 1.2;
    double price_elasticity_spread = 0.3;
    struct Apps {
      double taobao = 0.7;
      double jd = 0.5;
    } app_share;
    struct Trust {
      double stockout_penalty = 0.05;
      double late_penalty = 0.03;
      double recovery = 0.002;
    } trust;
    // Model v2 (0 = off): intent sessions on the search surface, arrivals, lapses.
    double intent_share = 0.0;
    int search_depth = 5;
    double search_sharpness = 1.0;
    struct Arrivals {
      double per_day = 0.0;
      double yearly_growth = 1.0;
      double attractiveness_exponent = 0.0;
      double max_attractiveness = 3.0;
    } arrivals;
    struct Lapse {
      double hazard = 0.0;
      double dissatisfaction = 0.0;
      double memory_days = 30.0;
      double return_rate = 0.0;
    } lapse;
  } buyers;

  struct Conversion {
    double base = 0.02;
    double jump_loss = 0.4;
    double no_app_factor = 0.3;
  } conversion;

  struct Streamers {
    double follower_zipf = 1.1;
    int categories = 3;
    double live_rate = 0.5;
    int cart_size = 20;
    int reselect_days = 7;
    double quality_noise = 0.2;
    int candidate_sample = 60;
    double reco_exponent = 0.8;
    double reputation_memory_days = 30.0;
    double reputation_exponent = 1.0;
    // Model v2 (0 = off): live rate and exits driven by last month's income, entry.
    double income_elasticity = 0.0;
    double max_live_factor = 2.0;
    double reservation_income = 0.0;  // RMB/month
    int patience_months = 3;
    struct Entry {
      double per_day = 0.0;
      double attractiveness_exponent = 0.0;
      double max_attractiveness = 3.0;
    } entry;
  } streamers;

  struct Merchants {
    OriginMix origin_mix{0.984, 0.012, 0.004};
    double commission_rate = 0.2;
    double commission_spread = 0.05;
    struct Quality {
      double mean = 0.55;
      double sd = 0.2;
    } quality;
    double margin = 0.35;
    struct Stock {
      bool unlimited = false;
      double daily_units = 3.0;
      double days_of_cover = 20.0;
      int restock_days = 7;
      double external_cover_factor = 2.0;
      double adapt = 0.5;
    } stock;
    struct OnTime {
      double native = 0.92;
      double taobao = 0.95;
      double jd = 0.98;
    } on_time;
    double fixed_cost_monthly = 500.0;
    int patience_months = 3;
    double exit_hazard_monthly = 0.01;
    int idle_exit_months = 2;
    struct Onboarding {
      double probability = 0.3;
      double cost = 5000.0;
      int delay_days = 14;
    } onboarding;
    struct Entry {
      double native_per_day = 3.0;
      double external_per_day = 0.05;
      double closed_entry_factor = 0.3;
      double attractiveness_exponent = 0.5;
    } entry;
    struct ColdStart {
      double boost = 2.0;
      int days = 30;
      int sales = 10;
    } cold_start;
  } merchants;

  struct Platform {
    double store_take_rate = 0.05;
    double cps_share = 0.1;
    double pool_quality_threshold = 0.4;
  } platform;

  // A union's catalogue (v2): listings of merchants that never opened a
  // Kuaishou store, shown while the channel's links are allowed.
  struct Pool {
    std::int64_t listings = 0;  // 0 = no pool
    double quality_mean = 0.55;
    double quality_sd = 0.2;
    double commission_min = 0.05;
    double commission_max = 0.3;
  };
  struct External {
    struct Link {
      double take_rate = 0.05;
      Pool pool;
    } taobao, jd{0.06, {0, 0.6, 0.15, 0.01, 0.1}};
  } external;

  // Links open on both surfaces, no fee: the state before the 2022 cut.
  std::vector<PolicyEntry> policy{PolicyEntry{
      18262, {.live = true, .video = true}, {.live = true, .video = true}}};  // from 2020-01-01
  std::vector<Event> events;
  // Read by `linksim sweep` only: the grid it runs (cartesian product of the axes).
  std::vector<SweepAxis> sweep;
  Sensitivity sensitivity;
  Calibration calibration;

  struct Reports {
    int richness_min_listings = 5;
    double platform_scale = 1.0;  // platform buyers one simulated buyer stands for (v2)
  } reports;

  Date end() const { return calendar.start + calendar.days; }  // exclusive
  // A population or arrival rate of the scenario at population.scale: counts
  // are rounded (llround); at scale 1 they are the values as given.
  std::int64_t scaled(std::int64_t count) const;
  double scaled_rate(double per_day) const { return per_day * population.scale; }
  static std::vector<Category> default_categories();
};

// Dates: parse "YYYY-MM-DD" (false when malformed or not a real day) and format back.
bool parse_date(const std::string& text, Date& out);
std::string format_date(Date d);
// Days in the calendar month of a date, and whether the date is its last day.
int days_in_month(Date d);
bool last_day_of_month(Date d);

}  // namespace linksim

#include <stdexcept>

namespace linksim {

// Thrown when a scenario is invalid; holds one message per problem, each as
// `file:line:column: key.path: what is wrong (expected …, got …)`.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// What `vary` arguments replace: the sweep block ("KEY=v1,v2,v3" or
// "KEY=FROM:TO:POINTS", as given to `linksim sweep --vary`) or the sensitivity
// factors ("KEY=FROM:TO", as given to `linksim sensitivity --vary`) or the
// calibration's free keys ("KEY=FROM:TO", as given to `linksim calibrate --free`).
enum class Vary { sweep, sensitivity, calibration };

// Loads a scenario file, following `extends` chains and applying `--set`
// overrides (each "a.b.c=VALUE", VALUE read as YAML), then validates it all.
// `vary`, when not empty, replaces the file's sweep block, sensitivity factors
// or calibration free keys.
Scenario load_scenario(const std::filesystem::path& file,
                       const std::vector<std::string>& overrides = {},
                       const std::vector<std::string>& vary = {}, Vary into = Vary::sweep);
// The same from text; `file` is only used in messages and to resolve `extends`.
Scenario load_scenario_text(const std::string& text, const std::filesystem::path& file,
                            const std::vector<std::string>& overrides = {},
                            const std::vector<std::string>& vary = {}, Vary into = Vary::sweep);
// One problem of a scenario, as ScenarioError's messages give it: where
// (file, or "--set KEY=VALUE" for an override, line and column, 0 when the
// message has none), the dotted key, and what is wrong.
struct ScenarioProblem {
  std::string file;
  int line = 0, column = 0;
  std::string key, message;
};
// A ScenarioError message taken apart.
ScenarioProblem parse_problem(const std::string& text);
// Every problem of a scenario, as load_scenario would report it (empty when
// it is valid): for a Scenario built or changed in code. Each names
// "<resolved NAME>" as its file, its line and column those of to_yaml().
std::vector<ScenarioProblem> validate(const Scenario& scenario);
// A key's value by dotted path as written for --set (list items by index:
// "policy.0.taobao.fee"), as JSON text (a number, string, bool, list or
// object). Throws ScenarioError for a key the scenario does not have.
std::string get_value(const Scenario& scenario, const std::string& key);
// A copy of the scenario with `key` set to `value` (YAML), checked exactly as
// `--set KEY=VALUE` is: throws ScenarioError with the same messages.
Scenario with_value(const Scenario& scenario, const std::string& key, const std::string& value);

// A sensitivity factor's value as set on its key (%.12g).
std::string factor_value(double v);

// The resolved scenario as YAML with every key filled in; loading it again
// gives the same scenario.
std::string to_yaml(const Scenario& scenario);
// A JSON Schema (draft 2020-12) of scenario files, for editors.
std::string json_schema();
// docs/scenarios.md: every key with its type, default, range, unit and meaning.
std::string keys_markdown();

}  // namespace linksim
