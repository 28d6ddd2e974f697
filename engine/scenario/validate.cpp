// Checks that span several keys: sums, orderings, dates inside the horizon,
// feasible distributions (the study blocks' in validate_studies.cpp). Single-key types and ranges
// are checked in bind.cpp when a file is read; value_problems checks them again on a Scenario as
// code holds it (Simulation refuses one that fails).
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <type_traits>
#include <variant>

#include "scenario/bind.hpp"
#include "scenario/keys.hpp"

namespace linksim::detail {

std::string number_text(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

namespace {

struct Checker : RuleChecker {
  // The name becomes a folder name (out/<name>/, a comparison's subfolder):
  // it must stay a single, portable folder name inside the output folder.
  void name() {
    const std::string& n = s.name;
    std::string shown;
    bool control = false;
    for (const char c : n) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) {
        control = true;
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02X", u);
        shown += hex;
      } else {
        shown += c;
      }
    }
    std::string lower;
    for (const char c : n.substr(0, n.find('.'))) {
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    static const std::set<std::string> devices = {
        "con",  "prn",  "aux",  "nul",  "com1", "com2", "com3", "com4", "com5", "com6", "com7",
        "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"};
    const std::string got = ", got '" + shown + "')";
    if (n.empty()) {
      fail("name", "empty (expected a name: it names the output folder, got none)");
    } else if (control) {
      fail("name", "control characters (expected none in a folder name" + got);
    } else if (n.find_first_of("/\\") != std::string::npos) {
      fail("name",
           "not a single folder name (expected no '/' or '\\': it names one folder "
           "inside the output folder" +
               got);
    } else if (n.front() == '.') {
      fail("name", "a hidden or parent folder (expected a name that does not start with '.'" + got);
    } else if (n.size() > 100) {
      fail("name", "too long for a folder name (expected at most 100 bytes, got " +
                       std::to_string(n.size()) + ")");
    } else if (devices.count(lower) != 0) {
      fail("name",
           "a device name on Windows (expected none of CON, PRN, AUX, NUL, COM1-9 or "
           "LPT1-9" +
               got);
    } else if (n.back() == ' ') {
      fail("name", "ends in a space (expected a folder name without one" + got);
    }
  }

  bool horizon_known() const {
    return !marks.failed.count("calendar.start") && !marks.failed.count("calendar.days");
  }

  void in_horizon(const std::string& path, Date d) {
    if (horizon_known() && (d < s.calendar.start || d >= s.end())) {
      fail(path, "date outside the horizon (expected " + format_date(s.calendar.start) + " to " +
                     format_date(s.end() - 1) + ", got " + format_date(d) + ")");
    }
  }

  void categories() {
    if (s.categories.empty()) fail("categories", "expected at least one category, got none");
    std::set<std::string> names;
    for (std::size_t i = 0; i < s.categories.size(); ++i) {
      const auto& c = s.categories[i];
      const std::string at = "categories[" + std::to_string(i) + "]";
      if (!names.insert(c.name).second) {
        fail(at + ".name",
             "duplicate category name (expected unique names, got '" + c.name + "' twice)");
      }
      const auto& m = c.origin_mix;
      if (m.native + m.taobao + m.jd <= 0) {
        fail(at + ".origin_mix", "expected at least one positive origin strength, got all 0");
      }
    }
  }

  void merchants() {
    const auto& m = s.merchants;
    if (m.origin_mix.native + m.origin_mix.taobao + m.origin_mix.jd <= 0) {
      fail("merchants.origin_mix", "expected at least one positive share, got all 0");
    }
    const double var_max = m.quality.mean * (1 - m.quality.mean);
    if (m.quality.sd * m.quality.sd >= var_max) {
      fail("merchants.quality.sd", "too large for a Beta distribution with mean " +
                                       number_text(m.quality.mean) + " (expected below " +
                                       number_text(std::sqrt(var_max)) + ", got " +
                                       number_text(m.quality.sd) + ")");
    }
  }

  void policy() {
    if (s.policy.empty()) {
      fail("policy", "expected at least one entry (the policy on the first day), got none");
      return;
    }
    if (horizon_known() && s.policy.front().from > s.calendar.start) {
      fail("policy[0].from",
           "the first entry must start on or before calendar.start (expected "
           "at most " +
               format_date(s.calendar.start) + ", got " + format_date(s.policy.front().from) + ")");
    }
    for (std::size_t i = 1; i < s.policy.size(); ++i) {
      const std::string at = "policy[" + std::to_string(i) + "].from";
      const std::string prev = "policy[" + std::to_string(i - 1) + "]";
      if (marks.failed.count(at) || marks.failed.count(prev + ".from")) continue;
      if (s.policy[i].from <= s.policy[i - 1].from) {
        fail(at, "policy entries out of date order (expected after " +
                     format_date(s.policy[i - 1].from) + ", got " + format_date(s.policy[i].from) +
                     ")");
      }
      // An entry after the horizon is clipped with a warning (clip_to_horizon).
    }
    for (std::size_t i = 0; i < s.policy.size(); ++i) {
      for (const Channel c : {Channel::taobao, Channel::jd}) {
        const std::string& on = s.policy[i][c].fee_on;
        if (on != "price" && on != "commission") {
          fail(
              "policy[" + std::to_string(i) + "]." + channel_names[static_cast<int>(c)] + ".fee_on",
              "expected price or commission, got '" + on + "'");
        }
      }
    }
  }

  void events() {
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      const auto& e = s.events[i];
      const std::string at = "events[" + std::to_string(i) + "]";
      // An event outside the simulated days is clipped with a warning (clip_to_horizon).
      if (e.to < e.from) {
        fail(at + ".to", "ends before it starts (expected on or after " + format_date(e.from) +
                             ", got " + format_date(e.to) + ")");
      } else if (e.every == "year" && e.to - e.from >= 365) {
        fail(at + ".to", "a yearly event lasts less than a year (expected at most 365 days, got " +
                             std::to_string(e.to - e.from + 1) + ")");
      }
      if (e.every != "" && e.every != "year") {
        fail(at + ".every", "expected year (or nothing: once), got '" + e.every + "'");
      }
      if (e.type == EventType::subsidy) {
        if (e.channel != "taobao" && e.channel != "jd") {
          fail(at + (marks.has(at + ".channel") ? ".channel" : ""),
               "a subsidy needs the channel that pays it (expected taobao or jd, got '" +
                   e.channel + "')");
        }
        if (!marks.has(at + ".commission_bonus") && !marks.has(at + ".price_discount")) {
          fail(at,
               "a subsidy needs 'commission_bonus' or 'price_discount' (expected one, got "
               "none)");
        }
        // Only their neutral values (the resolved YAML spells them out).
        const bool changes[] = {e.traffic != 1.0, e.demand != 1.0,
                                e.logistics != std::array<double, channel_count>{1, 1, 1}};
        int which = 0;
        for (const char* other : {"traffic", "demand", "logistics"}) {
          if (changes[which++]) {
            fail(at + "." + other,
                 std::string("a subsidy changes prices and commissions only (expected no '") +
                     other + "', got one: give it an event of its own)");
          }
        }
        continue;
      }
      if (!e.channel.empty()) {
        fail(at + ".channel",
             "only a subsidy has a channel (expected none, got '" + e.channel + "')");
      }
      const char* needs = e.type == EventType::promotion  ? "traffic"
                          : e.type == EventType::lockdown ? "logistics"
                                                          : "demand";
      if (!marks.has(at + "." + needs)) {
        fail(at, std::string("a ") + event_type_names[static_cast<int>(e.type)] + " needs '" +
                     needs + "' (expected it in the event, got none)");
      }
    }
  }

  // Sizes the engine's 32-bit ids can hold (buyers and streamers by uint32,
  // listings by int), bounded from above before anything is built: the
  // initial population at population.scale and every arrival the horizon's
  // rates allow at their largest.
  void sizes() {
    const double scale = s.population.scale;
    const double days = static_cast<double>(s.calendar.days) + s.calendar.warmup_days;
    double traffic = 1;
    for (const auto& e : s.events) traffic *= std::max(1.0, e.traffic);
    const auto& a = s.buyers.arrivals;
    const double buyer_rate = a.per_day * scale * traffic *
                              std::max(1.0, std::pow(a.yearly_growth, days / 365.0)) *
                              std::pow(a.max_attractiveness, a.attractiveness_exponent);
    const double arrivals = buyer_rate * days;
    const double buyers = static_cast<double>(s.population.buyers) * scale + arrivals +
                          10 * std::sqrt(std::max(0.0, arrivals)) + 10;
    if (!(buyers < 4e9)) {
      fail(a.per_day > 0 ? "buyers.arrivals.per_day" : "population.buyers",
           "the buyers of this run (those at the start and every possible arrival) exceed the "
           "4,000,000,000 the engine can hold (expected fewer, got about " +
               number_text(buyers) + "; lower population.scale, the buyers or the arrival rate)");
    }
    const auto& e = s.streamers.entry;
    const double streamers =
        static_cast<double>(s.population.streamers) * scale +
        e.per_day * scale * days * std::pow(e.max_attractiveness, e.attractiveness_exponent);
    if (!(streamers < 4e9)) {
      fail("streamers.entry.per_day",
           "the streamers of this run exceed the 4,000,000,000 the engine can hold (expected "
           "fewer, got about " +
               number_text(streamers) + ")");
    }
    const auto& m = s.merchants.entry;
    const double listings =
        2 * (static_cast<double>(s.population.merchants) * scale +
             (m.native_per_day + m.external_per_day) * scale * days * 3) +
        static_cast<double>(s.external.taobao.pool.listings + s.external.jd.pool.listings) * scale;
    if (!(listings < 2e9)) {
      fail("population.merchants",
           "the listings of this run (merchants', entrants' and the pools') exceed the "
           "2,000,000,000 the engine can hold (expected fewer, got about " +
               number_text(listings) + ")");
    }
  }

  // Model v2's keys that only make sense together.
  void model_v2() {
    const auto& st = s.streamers;
    if (st.income_elasticity > 0 && !(st.reservation_income > 0)) {
      fail("streamers.reservation_income",
           "the live rate's response to income is relative to it (expected above 0 with "
           "streamers.income_elasticity " +
               number_text(st.income_elasticity) + ", got 0)");
    }
    for (const char* ch : {"taobao", "jd"}) {
      const Scenario::Pool& p =
          std::string(ch) == "taobao" ? s.external.taobao.pool : s.external.jd.pool;
      const std::string at = std::string("external.") + ch + ".pool.";
      if (p.commission_min > p.commission_max) {
        fail(at + "commission_max", "expected at least commission_min " +
                                        number_text(p.commission_min) + ", got " +
                                        number_text(p.commission_max));
      }
      const double var_max = p.quality_mean * (1 - p.quality_mean);
      if (p.quality_sd * p.quality_sd >= var_max) {
        fail(at + "quality_sd", "too large for a Beta distribution with mean " +
                                    number_text(p.quality_mean) + " (expected below " +
                                    number_text(std::sqrt(var_max)) + ", got " +
                                    number_text(p.quality_sd) + ")");
      }
    }
  }

  // The rules on what a simulation reads (not on the name, nor on the study
  // blocks, which it does not read).
  void model() {
    categories();
    merchants();
    policy();
    events();
    model_v2();
    sizes();
  }
};

}  // namespace

void validate_scenario(const Scenario& s, const KeyMarks& marks, Diagnostics& diags) {
  Checker c{{s, marks, diags}};
  c.name();
  c.model();
  validate_studies(s, marks, diags);
}

namespace {

// Every numeric field of `item` against its key's range.
template <class T>
void check_ranges(const std::vector<Key<T>>& keys, const T& item, const std::string& prefix,
                  Diagnostics& diags) {
  // The accessors hand out pointers to the fields; nothing is written through them.
  T& fields = const_cast<T&>(item);
  for (const auto& k : keys) {
    double v = 0;
    const bool number = std::visit(
        [&](auto* p) {
          using F = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_arithmetic_v<F> && !std::is_same_v<F, bool>) {
            v = static_cast<double>(*p);
            return true;
          }
          return false;
        },
        k.field(fields));
    if (number && !k.range.contains(v)) {
      diags.add(
          Mark{}, prefix + k.path,
          "out of range (expected a value in " + k.range.str() + ", got " + number_text(v) + ")");
    }
  }
}

}  // namespace

std::vector<std::string> value_problems(const Scenario& s) {
  Diagnostics diags;
  check_ranges(scenario_keys(), s, "", diags);
  for (std::size_t i = 0; i < s.categories.size(); ++i)
    check_ranges(category_keys(), s.categories[i], "categories[" + std::to_string(i) + "].", diags);
  for (std::size_t i = 0; i < s.policy.size(); ++i)
    check_ranges(policy_keys(), s.policy[i], "policy[" + std::to_string(i) + "].", diags);
  for (std::size_t i = 0; i < s.events.size(); ++i)
    check_ranges(event_keys(), s.events[i], "events[" + std::to_string(i) + "].", diags);
  // The rules on what a simulation reads.
  KeyMarks all;
  all.every_key = true;
  Checker{{s, all, diags}}.model();
  std::vector<std::string> out;
  for (const auto& d : diags.items()) {
    out.push_back("<scenario " + s.name + ">: " + (d.path.empty() ? "" : d.path + ": ") +
                  d.message);
  }
  return out;
}

std::vector<std::string> clip_to_horizon(Scenario& s, const KeyMarks& marks) {
  std::vector<std::string> clipped;
  const auto where = [&](const std::string& path) {
    const Mark& m = marks.of(path);
    return m.file + ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
  };
  std::vector<PolicyEntry> policy;
  for (std::size_t i = 0; i < s.policy.size(); ++i) {
    if (i > 0 && s.policy[i].from >= s.end()) {
      const std::string at = "policy[" + std::to_string(i) + "]";
      clipped.push_back(where(at + ".from") + ": " + at + " (from " +
                        format_date(s.policy[i].from) + ")");
    } else {
      policy.push_back(s.policy[i]);
    }
  }
  std::vector<Event> events;
  const Date first = s.calendar.start - s.calendar.warmup_days;
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    const Event& e = s.events[i];
    if (e.every.empty() && (e.to < first || e.from >= s.end())) {
      const std::string at = "events[" + std::to_string(i) + "]";
      clipped.push_back(where(at + ".from") + ": " + at +
                        (e.name.empty() ? "" : " '" + e.name + "'") + " (" + format_date(e.from) +
                        " to " + format_date(e.to) + ")");
    } else {
      events.push_back(e);
    }
  }
  s.policy = std::move(policy);
  s.events = std::move(events);
  return clipped;
}

}  // namespace linksim::detail
