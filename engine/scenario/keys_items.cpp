// Keys of list items (categories, policy entries, events), the default
// categories, and the text form of field values.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "scenario/keys.hpp"

namespace linksim::detail {

namespace {

using namespace ranges;

template <class T, class F>
Key<T> item(const char* path, KeyType type, Range range, const char* unit, const char* doc,
            const char* source, F field, bool required = false) {
  return Key<T>{path, type, range, unit, doc, source, +field, required};
}

}  // namespace

const std::vector<Key<Category>>& category_keys() {
  using C = Category;
  static const std::vector<Key<C>> keys{
      item<C>(
          "name", KeyType::string, any, "", "Category name, unique.", "",
          [](C& c) -> FieldRef { return &c.name; }, true),
      item<C>(
          "ref_price", KeyType::real, positive, "RMB", "Median price of the category's products.",
          "assumed; article: average order value about RMB 100 on Kuaishou (2020)",
          [](C& c) -> FieldRef { return &c.ref_price; }, true),
      item<C>("price_sigma", KeyType::real, nonneg, "", "Log-normal spread of prices.", "assumed",
              [](C& c) -> FieldRef { return &c.price_sigma; }),
      item<C>("demand_weight", KeyType::real, positive, "",
              "Relative demand: mean buyer preference for the category.", "assumed",
              [](C& c) -> FieldRef { return &c.demand_weight; }),
      item<C>("origin_mix.native", KeyType::real, nonneg, "",
              "Relative strength of native merchants in the category.", "assumed",
              [](C& c) -> FieldRef { return &c.origin_mix.native; }),
      item<C>("origin_mix.taobao", KeyType::real, nonneg, "",
              "Relative strength of Taobao merchants (stronger in apparel, beauty).", "model.md",
              [](C& c) -> FieldRef { return &c.origin_mix.taobao; }),
      item<C>("origin_mix.jd", KeyType::real, nonneg, "",
              "Relative strength of JD merchants (stronger in digital, appliances, alcohol).",
              "model.md", [](C& c) -> FieldRef { return &c.origin_mix.jd; }),
  };
  return keys;
}

#define CHANNEL_KEYS(ch)                                                                          \
  item<P>(#ch ".live", KeyType::boolean, any, "", #ch " links allowed in livestream carts.", "",  \
          [](P& p) -> FieldRef { return &p.ch.live; }),                                           \
      item<P>(#ch ".video", KeyType::boolean, any, "",                                            \
              #ch " links allowed in short-video carts and product pages.", "",                   \
              [](P& p) -> FieldRef { return &p.ch.video; }),                                      \
      item<P>(#ch ".search", KeyType::boolean, any, "",                                           \
              #ch " links shown on the search surface (mall, search results; model v2).",         \
              "article: JD links stayed on product pages in 2022",                                \
              [](P& p) -> FieldRef { return &p.ch.search; }),                                     \
      item<P>(#ch ".fee", KeyType::real, prob, "",                                                \
              "Platform fee on " #ch                                                              \
              " link sales, a fraction of the price or of the commission "                        \
              "(fee_on).",                                                                        \
              "article: Douyin charged 20% on third-party links",                                 \
              [](P& p) -> FieldRef { return &p.ch.fee; }),                                        \
      item<P>(#ch ".fee_on", KeyType::string, any, "",                                            \
              "What the fee is a fraction of: price (paid out of the merchant's margin) or "      \
              "commission (out of the streamer's, so carts respond to it).",                      \
              "article: Douyin's 2020 fee fell on promotion commissions",                         \
              [](P& p) -> FieldRef { return &p.ch.fee_on; }),                                     \
      item<P>(#ch ".eligible_share", KeyType::real, prob, "",                                     \
              "Share of " #ch " merchants the opening covers (e.g. Tmall / self-operated only).", \
              "article: the 2022-10 reopening covered Tmall and JD self-operated stores",         \
              [](P& p) -> FieldRef { return &p.ch.eligible_share; })

const std::vector<Key<PolicyEntry>>& policy_keys() {
  using P = PolicyEntry;
  static const std::vector<Key<P>> keys{
      item<P>(
          "from", KeyType::date, any, "date", "First day this entry is in force.", "",
          [](P& p) -> FieldRef { return &p.from; }, true),
      CHANNEL_KEYS(taobao),
      CHANNEL_KEYS(jd),
  };
  return keys;
}

const std::vector<Key<Event>>& event_keys() {
  using E = Event;
  static const std::vector<Key<E>> keys{
      item<E>(
          "type", KeyType::event_type, any, "",
          "promotion (needs traffic), lockdown (needs logistics), demand_shock (needs "
          "demand) or subsidy (needs channel, and commission_bonus or price_discount).",
          "", [](E& e) -> FieldRef { return &e.type; }, true),
      item<E>("name", KeyType::string, any, "", "A label for reports.", "",
              [](E& e) -> FieldRef { return &e.name; }),
      item<E>(
          "from", KeyType::date, any, "date", "First day of the event.", "",
          [](E& e) -> FieldRef { return &e.from; }, true),
      item<E>(
          "to", KeyType::date, any, "date", "Last day of the event (inclusive).", "",
          [](E& e) -> FieldRef { return &e.to; }, true),
      item<E>("traffic", KeyType::real, positive, "",
              "Multiplier on every buyer's session rate (M_t).",
              "article: 116 festival got 2x boost traffic",
              [](E& e) -> FieldRef { return &e.traffic; }),
      item<E>("demand", KeyType::real, positive, "", "Multiplier on conversion (D_t).", "assumed",
              [](E& e) -> FieldRef { return &e.demand; }),
      item<E>("logistics.store", KeyType::real, prob, "",
              "Logistics capacity for store orders: on-time probability multiplier.", "assumed",
              [](E& e) -> FieldRef { return &e.logistics[0]; }),
      item<E>("logistics.taobao", KeyType::real, prob, "",
              "Logistics capacity for Taobao link orders.", "assumed",
              [](E& e) -> FieldRef { return &e.logistics[1]; }),
      item<E>("logistics.jd", KeyType::real, prob, "",
              "Logistics capacity for JD link orders (JD's own logistics is hit less).", "assumed",
              [](E& e) -> FieldRef { return &e.logistics[2]; }),
      item<E>("every", KeyType::string, any, "",
              "year: the event repeats on the same dates in every year of the simulation "
              "(festivals); empty: once.",
              "", [](E& e) -> FieldRef { return &e.every; }),
      item<E>("channel", KeyType::string, any, "",
              "subsidy: the external channel that pays it (taobao or jd).", "",
              [](E& e) -> FieldRef { return &e.channel; }),
      item<E>("commission_bonus", KeyType::real, prob, "",
              "subsidy: commission rate added to the streamer's on the channel's sales, paid by "
              "the external platform.",
              "article: Taobao Union's 1.5 bn RMB Double 11 subsidy to promoters",
              [](E& e) -> FieldRef { return &e.commission_bonus; }),
      item<E>("price_discount", KeyType::real, Range(0, 0.95), "",
              "subsidy: share of the price taken off the buyer's, paid by the external platform.",
              "article: the 2020 Kuaishou x JD 双百亿补贴 day",
              [](E& e) -> FieldRef { return &e.price_discount; }),
  };
  return keys;
}

const std::vector<Key<SweepAxis>>& sweep_keys() {
  using A = SweepAxis;
  static const std::vector<Key<A>> keys{
      item<A>(
          "key", KeyType::string, any, "",
          "The scenario key to vary, written as for --set (list items by index, e.g. "
          "policy.1.taobao.fee).",
          "", [](A& a) -> FieldRef { return &a.key; }, true),
      item<A>("from", KeyType::real, any, "", "First value of an evenly spaced grid.", "",
              [](A& a) -> FieldRef { return &a.from; }),
      item<A>("to", KeyType::real, any, "", "Last value of an evenly spaced grid.", "",
              [](A& a) -> FieldRef { return &a.to; }),
      item<A>("points", KeyType::integer, Range(2, 10000), "values",
              "Values in the grid from `from` to `to` (0: use `values`).", "",
              [](A& a) -> FieldRef { return &a.points; }),
  };
  return keys;
}

const std::vector<Key<SensitivityFactor>>& factor_keys() {
  using F = SensitivityFactor;
  static const std::vector<Key<F>> keys{
      item<F>(
          "key", KeyType::string, any, "",
          "The numeric scenario key to vary, written as for --set (e.g. conversion.jump_loss).", "",
          [](F& f) -> FieldRef { return &f.key; }, true),
      item<F>(
          "from", KeyType::real, any, "", "Least value of the range.", "",
          [](F& f) -> FieldRef { return &f.from; }, true),
      item<F>(
          "to", KeyType::real, any, "", "Greatest value of the range.", "",
          [](F& f) -> FieldRef { return &f.to; }, true),
      item<F>("prior", KeyType::string, any, "",
              "`calibrate --method abc-smc`: the prior on the range, uniform or log_uniform "
              "(uniform in the logarithm, for a scale or a rate; needs from > 0). Sensitivity "
              "factors are always sampled uniformly.",
              "", [](F& f) -> FieldRef { return &f.prior; }),
  };
  return keys;
}

namespace {

template <class T>
bool type_in(const std::vector<Key<T>>& keys, const std::string& path, KeyType& type) {
  for (const auto& k : keys) {
    if (path == k.path) {
      type = k.type;
      return true;
    }
  }
  return false;
}

}  // namespace

bool key_type_of(const std::string& path, KeyType& type) {
  if (type_in(scenario_keys(), path, type)) return true;
  // A list item: NAME.INDEX.REST
  const auto dot = path.find('.');
  if (dot == std::string::npos) return false;
  const auto dot2 = path.find('.', dot + 1);
  if (dot2 == std::string::npos) return false;
  const std::string list = path.substr(0, dot);
  const std::string index = path.substr(dot + 1, dot2 - dot - 1);
  if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) return false;
  const std::string rest = path.substr(dot2 + 1);
  if (list == "categories") return type_in(category_keys(), rest, type);
  if (list == "policy") return type_in(policy_keys(), rest, type);
  if (list == "events") return type_in(event_keys(), rest, type);
  return false;
}

const char* key_type_name(KeyType t) {
  switch (t) {
    case KeyType::real:
      return "number";
    case KeyType::integer:
      return "integer";
    case KeyType::boolean:
      return "boolean";
    case KeyType::date:
      return "date";
    case KeyType::string:
      return "string";
    case KeyType::event_type:
      return "event type";
  }
  return "?";
}

namespace {
std::string number_text(double v) {
  if (v == ranges::inf) return "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("nan");
}
}  // namespace

std::string Range::str() const {
  std::string out(lo_open ? "(" : "[");
  out.append(number_text(lo)).append(", ").append(number_text(hi)).append("]");
  return out;
}

std::string yaml_quote(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::string yaml_unquote(const std::string& yaml) {
  if (yaml.size() < 2 || yaml.front() != '\'') return yaml;
  std::string out;
  for (std::size_t i = 1; i + 1 < yaml.size(); ++i) {
    out += yaml[i];
    if (yaml[i] == '\'') ++i;
  }
  return out;
}

std::string field_text(const FieldRef& ref, KeyType type) {
  struct Visitor {
    KeyType type;
    std::string operator()(double* v) const { return number_text(*v); }
    std::string operator()(int* v) const {
      return type == KeyType::date ? format_date(*v) : std::to_string(*v);
    }
    std::string operator()(std::int64_t* v) const { return std::to_string(*v); }
    std::string operator()(std::uint64_t* v) const { return std::to_string(*v); }
    std::string operator()(bool* v) const { return *v ? "true" : "false"; }
    std::string operator()(std::string* v) const { return *v; }
    std::string operator()(EventType* v) const { return event_type_names[static_cast<int>(*v)]; }
  };
  return std::visit(Visitor{type}, ref);
}

}  // namespace linksim::detail

namespace linksim {

std::vector<std::string> SweepAxis::grid() const {
  if (points <= 0) return values;
  std::vector<std::string> out;
  for (int i = 0; i < points; ++i) {
    // Twelve significant digits, so that 0:0.15:4 gives 0.05 and not 0.049999999999999996.
    const double v = i == points - 1 ? to : from + (to - from) * i / (points - 1);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    out.emplace_back(buf);
  }
  return out;
}

std::vector<Category> Scenario::default_categories() {
  // name, reference price (RMB), price sigma, demand weight, origin strength
  return {
      {"apparel", 45, 0.5, 1.6, {1.0, 1.6, 0.3}},  {"beauty", 59, 0.5, 1.2, {1.0, 1.4, 0.6}},
      {"food", 25, 0.4, 1.5, {1.2, 0.8, 0.8}},     {"home", 35, 0.5, 1.0, {1.0, 1.0, 0.8}},
      {"digital", 149, 0.6, 0.6, {0.6, 0.6, 2.5}}, {"appliances", 199, 0.6, 0.4, {0.6, 0.5, 3.0}},
      {"baby", 65, 0.5, 0.6, {1.0, 1.0, 1.0}},     {"jewelry", 99, 0.7, 0.7, {1.2, 1.0, 0.5}},
      {"alcohol", 99, 0.6, 0.4, {0.8, 0.6, 2.0}},  {"sports", 75, 0.5, 0.5, {1.0, 1.0, 1.0}},
      {"books", 20, 0.4, 0.3, {0.8, 1.0, 1.5}},    {"other", 29, 0.6, 0.8, {1.0, 1.0, 1.0}},
  };
}

bool parse_date(const std::string& text, Date& out) {
  using namespace std::chrono;
  int y = 0;
  unsigned m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data(), text.data() + 4, y);
  std::from_chars(text.data() + 5, text.data() + 7, m);
  std::from_chars(text.data() + 8, text.data() + 10, d);
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) return false;
  out = static_cast<Date>(sys_days{ymd}.time_since_epoch().count());
  return true;
}

int days_in_month(Date d) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{d}}};
  return static_cast<int>(
      static_cast<unsigned>(year_month_day_last{ymd.year(), month_day_last{ymd.month()}}.day()));
}

bool last_day_of_month(Date d) {
  using namespace std::chrono;
  return static_cast<int>(static_cast<unsigned>(year_month_day{sys_days{days{d}}}.day())) ==
         days_in_month(d);
}

bool Event::covers(Date date) const {
  if (date >= from && date <= to) return true;
  if (every != "year") return false;
  // The same dates shifted by whole years (29 February falls on the 28th in
  // other years): the years of `date` and the year before, for an event that
  // spans the new year.
  using namespace std::chrono;
  const year_month_day f{sys_days{days{from}}}, t{sys_days{days{to}}}, d{sys_days{days{date}}};
  auto shifted = [](year_month_day ymd, years by) {
    year_month_day out = ymd + by;
    if (!out.ok()) out = out.year() / out.month() / last;
    return static_cast<Date>(sys_days{out}.time_since_epoch().count());
  };
  for (const int back : {0, 1}) {
    const years by{static_cast<int>(d.year()) - static_cast<int>(f.year()) - back};
    if (shifted(f, by) <= date && date <= shifted(t, by)) return true;
  }
  return false;
}

std::int64_t Scenario::scaled(std::int64_t count) const {
  if (population.scale == 1.0) return count;
  return std::llround(static_cast<double>(count) * population.scale);
}

std::string format_date(Date d) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{d}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace linksim
