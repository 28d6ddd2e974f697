// report.html for the Bayesian folders: a posterior (posterior.json of
// `linksim calibrate --method abc-smc`: generations, each key's marginal,
// every pair of keys, the fit) and a forecast (forecast.json of `linksim
// forecast`: the answer first, then the quarterly bands). Tables are built
// here; report.js draws the charts from the data this embeds.
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "linksim/experiment.hpp"
#include "report/page.hpp"

namespace linksim::detail {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void posterior_from(Report& rep, const json& p) {
  const json& sc = p.at("scenario");
  const std::string name = sc.at("name");
  const json target = p.value("target", json::object());
  const std::size_t k = rep.posteriors.size();
  rep.sources += "<li><b>Bayesian calibration of " + html(name) + "</b>: scenario file <code>" +
                 html(sc.value("file", "")) + "</code>, seed " +
                 std::to_string(sc.value("seed", 0ULL)) + "; target <code>" +
                 html(target.value("file", "")) + "</code> (" +
                 std::to_string(target.value("rows", 0)) + " rows); abc-smc, " +
                 std::to_string(p.value("simulations", 0L)) + " simulations</li>\n";
  std::ostringstream h;
  h << "<section><h2>Posterior of " << html(name) << " given "
    << html(target.value("file", "the target")) << "</h2>\n"
    << "<div class=\"banner ok\"><b>abc-smc</b>: " << html(p.value("stop", "")) << "<br><small>"
    << html(p.value("distance", "")) << "</small></div>\n";
  h << "<table><thead><tr><th>generation</th><th>tolerance</th><th>accepted</th>"
       "<th>simulations</th><th>acceptance</th><th>ESS</th></tr></thead><tbody>\n";
  for (const auto& g : p.at("generations")) {
    char row[256];
    std::snprintf(row, sizeof row,
                  "<tr><td class=num>%d</td><td class=num>%s</td><td class=num>%d</td><td "
                  "class=num>%ld</td><td class=num>%.1f%%</td><td class=num>%.0f</td></tr>\n",
                  g.value("generation", 0), plain(g.value("epsilon", json())).c_str(),
                  g.value("accepted", 0), g.value("simulated", 0L),
                  100 * g.value("acceptance", 0.0), g.value("ess", 0.0));
    h << row;
  }
  h << "</tbody></table>\n";
  h << "<table><thead><tr><th>key</th><th>prior</th><th>posterior median</th>"
       "<th>50% interval</th><th>90% interval</th></tr></thead><tbody>\n";
  for (const auto& key : p.at("keys")) {
    h << "<tr><td><code>" << html(key.at("key").get<std::string>()) << "</code></td><td>"
      << html(key.value("prior", "")) << " " << plain(key.value("from", json())) << " to "
      << plain(key.value("to", json())) << "</td><td class=num>"
      << plain(key.value("median", json())) << "</td><td class=num>["
      << plain(key.value("q25", json())) << ", " << plain(key.value("q75", json()))
      << "]</td><td class=num>[" << plain(key.value("q05", json())) << ", "
      << plain(key.value("q95", json())) << "]</td></tr>\n";
  }
  h << "</tbody></table>\n<p>Each key's marginal (the last generation's particles, weighted), "
       "then every pair of keys (a point per particle: a ridge or a cloud along a diagonal is a "
       "combination the target pins down while each key alone stays loose), then the target "
       "(points) against the posterior predictive median and its 90% band.</p>\n";
  const json& keys = p.at("keys");
  const char* grid = "<div style=\"display: grid; grid-template-columns: 1fr 1fr; gap: 8px\">\n";
  h << grid;
  for (std::size_t j = 0; j < keys.size(); ++j) {
    h << "<div class=chart style=\"height: 240px\"><canvas id=\"post-" << k << "-marg-" << j
      << "\"></canvas></div>\n";
  }
  h << "</div>\n" << grid;
  for (std::size_t a = 0; a < keys.size(); ++a) {
    for (std::size_t b = a + 1; b < keys.size(); ++b) {
      h << "<div class=chart style=\"height: 300px\"><canvas id=\"post-" << k << "-pair-" << a
        << "-" << b << "\"></canvas></div>\n";
    }
  }
  h << "</div>\n";
  json fits = json::array();
  for (const auto& [metric, rs] : fit_by_metric(p.at("fit"))) {
    json f{{"metric", metric}, {"unit", rs.front().value("unit", "")}};
    for (const char* field : {"periods", "target", "model", "lo", "hi"}) f[field] = json::array();
    for (const auto& row : rs) {
      f["periods"].push_back(row.at("period"));
      f["target"].push_back(row.value("target", json()));
      f["model"].push_back(row.value("median", json()));
      f["lo"].push_back(row.value("q05", json()));
      f["hi"].push_back(row.value("q95", json()));
    }
    h << "<div class=chart><canvas id=\"post-" << k << "-fit-" << fits.size()
      << "\"></canvas></div>\n";
    fits.push_back(f);
  }
  h << "</section>\n";
  rep.analyses += h.str();
  json kinfo = json::array();
  for (const auto& key : keys) {
    kinfo.push_back({{"key", key.at("key")},
                     {"prior", key.value("prior", "uniform")},
                     {"from", key.at("from")},
                     {"to", key.at("to")}});
  }
  rep.posteriors.push_back({{"name", name},
                            {"keys", kinfo},
                            {"values", p.at("particles").at("values")},
                            {"weights", p.at("particles").at("weights")},
                            {"fits", fits}});
  rep.title += (rep.title.empty() ? "" : ", ") + std::string("posterior of ") + name;
}

// A forecast folder (forecast.json of `linksim forecast`): the answer first
// (whole years, and with --compare their paired difference and what it moves
// with), then quarterly GMV, growth and the store's share with their 50% and
// 90% bands, and the difference's.
void forecast_from(Report& rep, const json& f) {
  const json& sc = f.at("scenario");
  const std::string name = sc.at("name");
  const bool compare = f.contains("compare") && f.at("compare").is_object();
  const std::string other = compare ? f.at("compare").at("name").get<std::string>() : "";
  const std::size_t k = rep.forecasts.size();
  const auto band_of = [](const json& b) {
    return b.is_object() ? b : json{{"median", nullptr}, {"q05", nullptr}, {"q95", nullptr}};
  };
  const auto money = [](const json& b) {
    const auto v = [&](const char* q) { return b.value(q, json()); };
    if (!v("median").is_number()) return std::string("n/a");
    return format_rmb(v("median").get<double>(), RmbUnits::ascii) + " [" +
           format_rmb(number(b, "q05"), RmbUnits::ascii) + ", " +
           format_rmb(number(b, "q95"), RmbUnits::ascii) + "]";
  };
  // In the years' table: the median, and the interval on a line of its own.
  const auto cell = [](const std::string& text) {
    const auto at = text.find(" [");
    return at == std::string::npos
               ? html(text)
               : html(text.substr(0, at)) + "<br><small>" + html(text.substr(at + 1)) + "</small>";
  };
  const auto growth = [](const json& b, bool points) {
    if (!b.value("median", json()).is_number()) return std::string("n/a");
    char buf[96];
    std::snprintf(buf, sizeof buf, points ? "%+.1f pts [%+.1f, %+.1f]" : "%+.1f%% [%+.1f, %+.1f]",
                  100 * number(b, "median"), 100 * number(b, "q05"), 100 * number(b, "q95"));
    return std::string(buf);
  };
  rep.sources += "<li><b>Forecast of " + html(name) + "</b>" +
                 (compare ? " against " + html(other) : std::string()) + ": " +
                 std::to_string(f.value("draws", 0)) + " draws of <code>" +
                 html(f.value("posterior", "")) + "</code>; " + html(f.value("bands", "")) +
                 "</li>\n";
  std::ostringstream h;
  h << "<section><h2>Forecast: " << html(name)
    << (compare ? " against " + html(other) : std::string()) << "</h2>\n";
  const json& years = f.at("yearly");
  if (compare) {
    // The answer first: each whole year in which the scenarios differ.
    std::string lines;
    bool all_clear = true;
    for (const auto& y : years) {
      const json d = band_of(y.at("difference").at("gmv_platform"));
      if (number(d, "median") == 0 && number(d, "q05") == 0 && number(d, "q95") == 0) continue;
      const bool up = number(d, "q05") > 0, down = number(d, "q95") < 0;
      all_clear = all_clear && (up || down);
      lines += "<b>" + y.at("year").get<std::string>() + ": " + html(other) + " − " + html(name) +
               " = " + html(money(d)) + " of GMV, " +
               growth(band_of(y.at("difference").at("gmv_growth_yoy")), true) +
               " of year-on-year growth</b>; " +
               (up     ? html(other) + " is higher in at least 95% of the draws"
                : down ? html(name) + " is higher in at least 95% of the draws"
                       : std::string("the 90% interval includes zero")) +
               ".<br>\n";
    }
    if (!lines.empty()) {
      h << "<div class=\"banner " << (all_clear ? "ok" : "warn") << "\">" << lines
        << "<small>Median [90% interval] over the posterior draws, paired: each draw runs both "
           "scenarios with the same values and seed.</small></div>\n";
    }
  }
  h << "<table><thead><tr><th>year</th><th>" << html(name) << " GMV</th><th>YoY growth</th>";
  if (compare) {
    h << "<th>" << html(other) << " GMV</th><th>YoY growth</th><th>difference in GMV</th><th>in "
      << "YoY growth</th>";
  }
  h << "</tr></thead><tbody>\n";
  for (const auto& y : years) {
    h << "<tr><td>" << y.at("year").get<std::string>() << "</td><td class=num>"
      << cell(money(band_of(y.at(name).at("gmv_platform")))) << "</td><td class=num>"
      << cell(growth(band_of(y.at(name).at("gmv_growth_yoy")), false)) << "</td>";
    if (compare) {
      h << "<td class=num>" << cell(money(band_of(y.at(other).at("gmv_platform"))))
        << "</td><td class=num>" << cell(growth(band_of(y.at(other).at("gmv_growth_yoy")), false))
        << "</td><td class=num>" << cell(money(band_of(y.at("difference").at("gmv_platform"))))
        << "</td><td class=num>"
        << cell(growth(band_of(y.at("difference").at("gmv_growth_yoy")), true)) << "</td>";
    }
    h << "</tr>\n";
  }
  h << "</tbody></table>\n";
  if (compare && !years.empty() && years.front().contains("difference_rank_correlation")) {
    h << "<p>What the difference in a year's GMV moves with: Spearman's rank correlation over "
         "the draws of each free key with it (n/a: the difference does not vary).</p>\n"
      << "<table><thead><tr><th>key</th>";
    for (const auto& y : years) h << "<th>" << y.at("year").get<std::string>() << "</th>";
    h << "</tr></thead><tbody>\n";
    for (const auto& [key, unused] : years.front().at("difference_rank_correlation").items()) {
      h << "<tr><td><code>" << html(key) << "</code></td>";
      for (const auto& y : years) {
        const json rho = y.at("difference_rank_correlation").value(key, json());
        char buf[32];
        std::snprintf(buf, sizeof buf, "%+.2f", rho.is_number() ? rho.get<double>() : 0.0);
        h << "<td class=num>" << (rho.is_number() ? buf : "n/a") << "</td>";
      }
      h << "</tr>\n";
    }
    h << "</tbody></table>\n";
  }
  h << "<p>Quarterly: the posterior predictive median (line), its 50% (darker) and 90% (lighter) "
       "bands; parameter and simulation uncertainty together.</p>\n";
  // Quarterly series: [metric][series] = {median, q05, q25, q75, q95}.
  json quarters = json::array(), series = json::object();
  const std::vector<std::string> names = compare
                                             ? std::vector<std::string>{name, other, "difference"}
                                             : std::vector<std::string>{name};
  const char* metrics[] = {"gmv_platform", "gmv_growth_yoy", "in_store_share"};
  for (const auto& q : f.at("quarterly")) {
    quarters.push_back(q.at("quarter"));
    for (const char* m : metrics) {
      for (const auto& n : names) {
        const json b = band_of(q.at(n).value(m, json()));
        for (const char* stat : {"median", "q05", "q25", "q75", "q95"}) {
          series[m][n][stat].push_back(b.value(stat, json()));
        }
      }
    }
  }
  for (const char* m : metrics) {
    h << "<div class=chart><canvas id=\"fc-" << k << "-" << m << "\"></canvas></div>\n";
  }
  if (compare) {
    for (const char* m : {"gmv_platform", "gmv_growth_yoy"}) {
      h << "<div class=chart><canvas id=\"fc-" << k << "-diff-" << m << "\"></canvas></div>\n";
    }
  }
  h << "</section>\n";
  rep.analyses += h.str();
  rep.forecasts.push_back(
      {{"name", name},
       {"other", other},
       {"quarters", quarters},
       {"series", series},
       {"units",
        {{"gmv_platform", "fen"}, {"gmv_growth_yoy", "share"}, {"in_store_share", "share"}}}});
  rep.title += (rep.title.empty() ? "" : ", ") + std::string("forecast of ") + name;
}

}  // namespace

void add_forecast(Report& rep, const fs::path& dir) {
  section_from(dir, "forecast.json", [&](const json& f) { forecast_from(rep, f); });
}

void add_posterior(Report& rep, const fs::path& dir) {
  section_from(dir, "posterior.json", [&](const json& p) { posterior_from(rep, p); });
}

}  // namespace linksim::detail
