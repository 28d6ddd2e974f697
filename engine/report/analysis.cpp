// report.html for the analyses: a sensitivity folder (sensitivity.json,
// written by `linksim sensitivity`) and a calibration folder
// (calibration.json, written by `linksim calibrate`); bayes.cpp has the
// posterior and forecast folders. Tables and notes are
// built here; the script draws the charts from the data this embeds.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "linksim/experiment.hpp"
#include "report/page.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;
using nlohmann::json;

// A scenario key's value as written in a scenario: up to 4 significant digits.
std::string plain(const json& v) {
  if (!v.is_number()) return "n/a";
  const double x = v.get<double>();
  char buf[48];
  if (std::fabs(x) >= 1e4 && std::fabs(x) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", x);
  }
  return buf;
}

double number(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : std::nan("");
}

// A period's place in time: "YYYY-MM" and "YYYY-Qn" sort as text within each form.
bool period_before(const json& a, const json& b) {
  return a.at("period").get<std::string>() < b.at("period").get<std::string>();
}

std::vector<std::pair<std::string, std::vector<json>>> fit_by_metric(const json& fit) {
  std::vector<std::pair<std::string, std::vector<json>>> out;
  for (const auto& row : fit) {
    const std::string metric = row.at("metric");
    auto at =
        std::find_if(out.begin(), out.end(), [&](const auto& m) { return m.first == metric; });
    if (at == out.end()) at = out.insert(out.end(), {metric, {}});
    at->second.push_back(row);
  }
  for (auto& [metric, rows] : out) std::stable_sort(rows.begin(), rows.end(), period_before);
  return out;
}

namespace {

std::string linksim_of(const json& j, const fs::path& dir) {
  const json l = j.value("linksim", json::object());
  return "linksim " + html(l.value("version", "")) + " (" + html(l.value("commit", "")) +
         "); folder <code>" + html(dir.string()) + "</code>";
}

// The file's metrics in the report's usual order: the headline ones, then any others.
std::vector<std::string> metric_order(const json& results) {
  std::vector<std::string> names;
  for (int m : headline_indices()) {
    if (results.contains(metric_info()[m].name)) names.push_back(metric_info()[m].name);
  }
  for (const auto& [name, r] : results.items()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// One scale for all the figures of a sign summary, chosen as a chart's is:
// money in bn, M, k or plain RMB after the largest value, shares in percent (a
// level) or percentage points (a difference).
struct Scale {
  double factor;
  int decimals;
  std::string unit;
  bool plus;  // "+" before a positive figure: a difference
};

Scale scale_of(const std::string& unit, bool paired, double largest) {
  if (unit == "fen") {
    if (largest >= 1e11) return {1e-11, 2, "bn RMB", paired};
    if (largest >= 1e8) return {1e-8, 1, "M RMB", paired};
    if (largest >= 1e6) return {1e-5, 1, "k RMB", paired};
    return {1e-2, 0, "RMB", paired};
  }
  if (unit == "share") return {100, 2, paired ? "pts" : "%", paired};
  return {1, 2, unit, paired};
}

// A figure in its scale, with thousands separators. The sign is the value's
// own, also when it rounds to 0: which side of 0 it is on is the point.
std::string figure(double v, const Scale& sc) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", sc.decimals, std::fabs(v * sc.factor));
  const std::string digits(buf);
  const std::size_t whole = std::min(digits.find('.'), digits.size());
  std::string text = v < 0 ? "-" : v > 0 && sc.plus ? "+" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i < whole && (whole - i) % 3 == 0) text.push_back(',');
    text.push_back(digits[i]);
  }
  return text;
}

// "Does the answer flip?" under a metric's chart, from results.METRIC.sign:
// the quantity's spread over the design rows and the shares of rows below and
// above 0, then per factor (in ranking order) the means over the rows in the
// lower and upper half of its range. Each figure carries data-sign, the field
// it shows, so that a test can check it against the file.
std::string sign_html(const json& sign, const json& r, const json& axes, const std::string& what,
                      bool paired, const std::string& id) {
  const json halves = sign.value("halves", json::object());
  std::vector<double> values{number(sign, "min"), number(sign, "max"), number(sign, "mean")};
  for (const auto& h : halves)
    values.insert(values.end(), {number(h, "lower"), number(h, "upper")});
  double largest = 0;
  for (double v : values) largest = std::isnan(v) ? largest : std::max(largest, std::fabs(v));
  const Scale sc = scale_of(r.value("unit", ""), paired, largest);
  const auto span = [&](const char* field, const std::string& text) {
    return std::string("<span data-sign=\"") + field + "\">" + html(text) + "</span>";
  };
  const double negative = number(sign, "negative_share"), positive = number(sign, "positive_share");
  const int rows = sign.value("rows", 0);
  const long zero = rows - std::lround(negative * rows) - std::lround(positive * rows);
  std::ostringstream h;
  h << "<div class=\"sign\" id=\"" << id << "\"><p><b>Does the answer flip?</b> "
    << span("answer", negative > 0 && positive > 0 ? "Yes" : "No") << ": " << html(what)
    << " is negative in " << span("negative_share", format_percent(negative, 0)) << " of the "
    << rows << " design rows and positive in "
    << span("positive_share", format_percent(positive, 0))
    << (zero > 0 ? ", 0 in the other " + std::to_string(zero) : "") << "; it runs from "
    << span("min", figure(number(sign, "min"), sc)) << " to "
    << span("max", figure(number(sign, "max"), sc)) << " " << span("unit", sc.unit) << ", mean "
    << span("mean", figure(number(sign, "mean"), sc)) << ".</p>\n";

  std::map<std::string, std::string> range;
  for (const auto& a : axes) {
    range[a.at("key").get<std::string>()] =
        plain(a.value("from", json())) + " to " + plain(a.value("to", json()));
  }
  h << "<table><thead><tr><th>factor, range</th><th>lower half of the range: mean, "
    << html(sc.unit) << "</th><th>upper half: mean, " << html(sc.unit)
    << "</th><th>rows (lower / upper)</th><th>flips?</th></tr></thead><tbody>\n";
  for (const auto& ranked : r.value("ranking", json::array())) {
    const std::string key = ranked;
    if (!halves.contains(key)) continue;
    const json& f = halves[key];
    h << "<tr data-key=\"" << html(key) << "\"><td><code>" << html(key) << "</code> " << range[key]
      << "</td><td class=num data-sign=\"lower\">" << figure(number(f, "lower"), sc)
      << "</td><td class=num data-sign=\"upper\">" << figure(number(f, "upper"), sc)
      << "</td><td class=num data-sign=\"rows\">" << f.value("lower_rows", 0) << " / "
      << f.value("upper_rows", 0) << "</td><td data-sign=\"flips\">"
      << (f.value("flips", false) ? "<b>flips</b>" : "no") << "</td></tr>\n";
  }
  h << "</tbody></table></div>\n";
  return h.str();
}

// The quantity at each design row against the top-ranked factor's value there
// ({"key", "x", "y"}), or null for a file written before sensitivity.json
// held its rows.
json top_factor_rows(const json& s, const json& r) {
  const json& design = s.at("design");
  const json ranking = r.value("ranking", json::array());
  if (!r.contains("rows") || !design.contains("values") || ranking.empty()) return nullptr;
  const std::string key = ranking.front();
  std::size_t f = 0;
  while (f < s.at("axes").size() && s["axes"][f].at("key") != key) ++f;
  json x = json::array();
  for (const auto& row : design["values"]) x.push_back(row.at(f));
  return {{"key", key}, {"x", x}, {"y", r["rows"]}};
}

void sensitivity_from(Report& rep, const fs::path& dir, const json& s) {
  const json& sc = s.at("scenario");
  const json& design = s.at("design");
  const std::string name = sc.at("name");
  const std::string method = design.at("method");
  const bool morris = method == "morris";
  const std::string other = s.contains("compare") && s["compare"].is_string()
                                ? fs::path(s["compare"].get<std::string>()).stem().string()
                                : "";
  const std::size_t k = rep.sensitivities.size();

  std::string factors;
  for (const auto& a : s.at("axes")) {
    factors += (factors.empty() ? "" : ", ") + html(a.at("key").get<std::string>()) + " " +
               plain(a.at("from")) + " to " + plain(a.at("to"));
  }
  rep.sources +=
      "<li><b>sensitivity of " + html(name) + "</b>: scenario file <code>" +
      html(sc.value("file", "")) + "</code>" +
      (other.empty()
           ? std::string()
           : ", compared with <code>" + html(s["compare"].get<std::string>()) + "</code>") +
      "; " + (morris ? "Morris" : "Sobol'") + " design, " +
      std::to_string(design.value("samples", 0)) +
      (morris ? " trajectories, " : " base samples, ") + std::to_string(design.value("rows", 0)) +
      " rows, " + std::to_string(design.value("points", 0)) + " points; factors " + factors +
      "; seed " + std::to_string(sc.value("seed", 0ULL)) + " at every point, " +
      std::to_string(sc.value("replications", 0)) + " replications per point; " +
      linksim_of(s, dir) + "</li>\n";

  std::ostringstream h;
  h << "<section><h2>Sensitivity of " << html(name)
    << (other.empty() ? "" : " (paired difference, " + html(other) + " − " + html(name) + ")")
    << ": " << (morris ? "Morris elementary effects" : "Sobol' indices") << "</h2>\n<p>";
  if (!other.empty()) {
    h << "The quantity analysed is the paired difference " << html(other) << " − " << html(name)
      << " (both run with the same values and seeds at every design point): the bars say which "
         "assumptions move the gap between the two. ";
  }
  if (morris) {
    h << "Each factor's effect is the change in the quantity across the factor's whole range. "
         "<b>mu*</b> is the mean absolute effect, with its 95% bootstrap interval as whiskers; "
         "<b>σ</b> is the effects' standard deviation (large next to mu*: the effect depends on "
         "the other factors, or is not linear). Factors ranked by mu*; money in RMB, shares' "
         "effects in percentage points.";
  } else {
    h << "<b>total</b> is the share of the quantity's variance over the design due to the factor "
         "with all its interactions, <b>first</b> the share due to the factor alone; both "
         "fractions of the variance (0 to 1) with 95% bootstrap intervals as whiskers. Factors "
         "ranked by the total index.";
  }
  // Files written before the sign summary existed hold none: nothing is said of it.
  const json& results = s.at("results");
  const bool signs = std::any_of(results.begin(), results.end(), [](const json& r) {
    return r.contains("sign") && r["sign"].is_object();
  });
  if (signs) {
    h << " Under each chart, <b>does the answer flip?</b>: the quantity's range over the design "
         "rows and the shares of rows where it is negative and positive; then, per factor, its "
         "mean over the rows with the factor in the lower and in the upper half of the factor's "
         "range, marked <b>flips</b> when the two have opposite signs (moving that factor across "
         "its range turns the answer around, on average over the others).";
  }
  h << "</p>\n";

  json metrics = json::array();
  for (const auto& metric : metric_order(results)) {
    const json& r = results.at(metric);
    const bool defined = r.value("defined", false);
    const json variance = r.value("variance", json());
    const bool varies = variance.is_number() && variance.get<double>() > 0;
    const std::size_t i = metrics.size();
    const std::string quantity =
        metric + (other.empty() ? "" : " (paired difference, " + other + " − " + name + ")");
    metrics.push_back({{"name", metric},
                       {"quantity", quantity},
                       {"unit", r.value("unit", "")},
                       {"chart", defined && varies},
                       {"ranking", r.value("ranking", json::array())},
                       {"factors", r.value("factors", json::object())},
                       {"rows", top_factor_rows(s, r)}});
    if (!defined) {
      h << "<p class=note><b>" << html(quantity)
        << "</b>: undefined at some design points, so it has no indices.</p>\n";
    } else if (!varies) {
      h << "<p class=note><b>" << html(quantity)
        << "</b>: the same at every design point; no factor moves it.</p>\n";
    } else {
      const std::size_t bars = r.value("ranking", json::array()).size();
      h << "<div class=chart style=\"height: " << std::max<std::size_t>(220, 110 + 56 * bars)
        << "px\"><canvas id=\"sens-" << k << "-" << i << "\"></canvas></div>\n";
      if (!metrics.back()["rows"].is_null()) {
        h << "<div class=chart><canvas id=\"sens-" << k << "-" << i << "-rows\"></canvas></div>\n";
      }
      if (r.contains("sign") && r["sign"].is_object()) {
        h << sign_html(r["sign"], r, s.at("axes"), other.empty() ? metric : "the difference",
                       !other.empty(), "sign-" + std::to_string(k) + "-" + std::to_string(i));
      }
    }
  }
  h << "</section>\n";
  rep.analyses += h.str();
  rep.sensitivities.push_back(
      {{"name", name}, {"method", method}, {"compare", other}, {"metrics", metrics}});
  rep.title += (rep.title.empty() ? "" : ", ") + std::string("sensitivity of ") + name;
}

json interval_end(const json& row, std::size_t end) {
  const json ci = row.value("ci95", json());
  return ci.is_array() && ci.size() == 2 ? ci[end] : json();
}

void calibration_from(Report& rep, const fs::path& dir, const json& c) {
  const json& sc = c.at("scenario");
  const std::string name = sc.at("name");
  const json target = c.value("target", json::object());
  const std::string status = c.at("status");
  const std::size_t k = rep.calibrations.size();
  char loss[96];
  std::snprintf(loss, sizeof loss, "loss %.3g (root mean square scaled error %.1f%%)",
                number(c, "loss"), 100 * number(c, "rms"));

  rep.sources +=
      "<li><b>calibration of " + html(name) + "</b>: scenario file <code>" +
      html(sc.value("file", "")) + "</code>, seed " + std::to_string(sc.value("seed", 0ULL)) +
      ", " + std::to_string(sc.value("replications", 0)) +
      " replications per evaluation; target <code>" + html(target.value("file", "")) + "</code> (" +
      std::to_string(target.value("rows", 0)) + " rows); " + html(c.value("method", "")) + ", " +
      std::to_string(c.value("evaluations", 0)) + " evaluations, tolerance " +
      plain(c.value("tolerance", json())) + "; " + linksim_of(c, dir) + "</li>\n";

  // The banner says the status; the message's own "converged: " is dropped.
  std::string message = c.value("message", "");
  for (const std::string prefix : {"converged: ", "did not converge: "}) {
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  }
  std::ostringstream h;
  h << "<section><h2>Calibration of " << html(name) << " to "
    << html(target.value("file", "the target")) << "</h2>\n"
    << "<div class=\"banner " << (status == "converged" ? "ok" : "warn") << "\"><b>"
    << (status == "converged"       ? "Converged"
        : status == "not_converged" ? "Not converged"
                                    : html(status))
    << "</b>" << (message.empty() ? "" : ": " + html(message)) << "<br><small>"
    << html(c.value("method", "")) << ", " << c.value("evaluations", 0) << " evaluations; " << loss
    << "</small></div>\n";

  h << "<table><thead><tr><th>free key</th><th>range</th><th>start</th>"
       "<th>fitted [95% interval]</th><th>flags</th></tr></thead><tbody>\n";
  for (const auto& f : c.at("free")) {
    const json ci = f.value("ci95", json());
    std::string flags;
    if (f.value("at_bound", false)) {
      const double v = number(f, "value"), from = number(f, "from"), to = number(f, "to");
      flags = std::fabs(v - from) <= std::fabs(v - to) ? "at lower bound" : "at upper bound";
    }
    if (!f.value("identified", true))
      flags += (flags.empty() ? "" : ", ") + std::string("not identified");
    h << "<tr><td><code>" << html(f.at("key").get<std::string>()) << "</code></td><td class=num>"
      << plain(f.value("from", json())) << " to " << plain(f.value("to", json()))
      << "</td><td class=num>" << plain(f.value("start", json())) << "</td><td class=num>"
      << plain(f.value("value", json()))
      << (ci.is_array() && ci.size() == 2 ? " [" + plain(ci[0]) + ", " + plain(ci[1]) + "]"
                                          : " (no interval)")
      << "</td><td class=flag>" << flags << "</td></tr>\n";
  }
  h << "</tbody></table>\n<p>At a bound: the fit pushed the value to the end of its range (the "
       "range may be too narrow). Not identified: the targets hardly constrain the value. Below, "
       "the target (points) against the model at the fitted values (line, 95% band over "
       "replications); money in RMB, shares in %.</p>\n";

  // The fit per metric, in the file's order of first appearance, periods in time order.
  json fits = json::array();
  for (const auto& [metric, rs] : fit_by_metric(c.at("fit"))) {
    json f{{"metric", metric}, {"unit", rs.front().value("unit", "")}};
    for (const char* field : {"periods", "target", "model", "lo", "hi", "weight"}) {
      f[field] = json::array();
    }
    for (const auto& row : rs) {
      f["periods"].push_back(row.at("period"));
      f["target"].push_back(row.value("target", json()));
      f["model"].push_back(row.value("model", json()));
      f["lo"].push_back(interval_end(row, 0));
      f["hi"].push_back(interval_end(row, 1));
      f["weight"].push_back(row.value("weight", json()));
    }
    h << "<div class=chart><canvas id=\"calib-" << k << "-" << fits.size()
      << "\"></canvas></div>\n";
    fits.push_back(f);
  }
  if (fits.empty()) h << "<p class=note>The file holds no fit rows.</p>\n";
  json trace{{"evaluation", json::array()}, {"loss", json::array()}, {"best", json::array()}};
  for (const auto& t : c.at("trace")) {
    trace["evaluation"].push_back(t.value("evaluation", json()));
    trace["loss"].push_back(t.value("loss", json()));
    trace["best"].push_back(t.value("best", json()));
  }
  if (trace["loss"].empty()) {
    h << "<p class=note>The file holds no trace of the evaluations.</p>\n";
  } else {
    h << "<div class=chart style=\"height: 260px\"><canvas id=\"calib-" << k
      << "-loss\"></canvas></div>\n";
  }
  h << "</section>\n";
  rep.analyses += h.str();
  rep.calibrations.push_back({{"name", name}, {"fits", fits}, {"trace", trace}});
  rep.title += (rep.title.empty() ? "" : ", ") + std::string("calibration of ") + name;
}

}  // namespace

void add_sensitivity(Report& rep, const fs::path& dir) {
  section_from(dir, "sensitivity.json", [&](const json& s) {
    if (s.value("status", "") != "complete") {
      throw std::runtime_error("the sensitivity analysis in " + dir.string() +
                               " is not finished (run the same linksim sensitivity command again "
                               "to finish it)");
    }
    sensitivity_from(rep, dir, s);
  });
}

void add_calibration(Report& rep, const fs::path& dir) {
  section_from(dir, "calibration.json", [&](const json& c) { calibration_from(rep, dir, c); });
}

}  // namespace linksim::detail
