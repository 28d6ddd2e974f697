// report.html in a real browser: Debian's headless Chromium loads the reports
// of a comparison and of a sweep, with no console messages, and every value
// the charts plot equals the output files' (timeseries.csv, summary.json,
// sweep.json), through the scale factor the chart shows it in.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "report/browser.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::expect_clean;
using test::expect_plotted;
using test::json_number;
using test::linksim;
using test::load_in_chromium;
using test::Output;
using test::Page;

const std::string small = test::small_flags(70);

// Columns of a CSV file by header name; empty cells are NaN.
std::map<std::string, std::vector<double>> read_csv(const fs::path& file) {
  std::istringstream in(test::read_file(file));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::istringstream h(line);
  for (std::string cell; std::getline(h, cell, ',');) header.push_back(cell);
  std::map<std::string, std::vector<double>> cols;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream r(line);
    for (std::string cell; std::getline(r, cell, ',');) cells.push_back(cell);
    cells.resize(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) {
      char* end = nullptr;
      const double v = std::strtod(cells[i].c_str(), &end);
      cols[header[i]].push_back(cells[i].empty() || *end != '\0' ? std::nan("") : v);
    }
  }
  return cols;
}

TEST(Report, ComparisonChartsPlotTheFilesValues) {
  const fs::path out = test::temp_path("linksim_report_compare");
  fs::remove_all(out);
  const Output o =
      linksim("compare " + test::bundled("closed_loop.yaml") + " " +
              test::bundled("open_links.yaml") + " " + small + " --report --out " + out.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const Page page = load_in_chromium(out / "report.html");
  expect_clean(page);
  const json comparison = json::parse(test::read_file(out / "comparison.json"));
  std::vector<fs::path> folders;
  for (const auto& s : comparison["scenarios"])
    folders.push_back(out / s["folder"].get<std::string>());
  // GMV by channel for each scenario, then in-store share, active merchants and
  // retention; and the paired difference of GMV and of the store's share.
  ASSERT_EQ(page.rendered["charts"].size(), folders.size() + 3 + 2);
  // comparison_daily.csv: metric -> stat -> values by day.
  std::map<std::string, std::map<std::string, std::vector<double>>> daily_difference;
  {
    std::istringstream in(test::read_file(out / "comparison_daily.csv"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "scenario,day,date,metric,unit,diff_mean,diff_ci95_low,diff_ci95_high");
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::istringstream cells(line);
      for (std::string cell; std::getline(cells, cell, ',');) f.push_back(cell);
      f.resize(8);
      EXPECT_EQ(f[0], "open_links");
      const auto number = [](const std::string& t) { return t.empty() ? NAN : std::stod(t); };
      daily_difference[f[3]]["mean"].push_back(number(f[5]));
      daily_difference[f[3]]["lo"].push_back(number(f[6]));
      daily_difference[f[3]]["hi"].push_back(number(f[7]));
    }
  }
  EXPECT_EQ(daily_difference.size(), 5u);
  int checked = 0, differences = 0;
  for (const auto& chart : page.rendered["charts"]) {
    const double factor = chart["factor"].get<double>();
    ASSERT_FALSE(chart["datasets"].empty()) << chart["id"];
    for (const auto& d : chart["datasets"]) {
      const json& key = d["key"];
      if (key["source"] == "difference") {
        const std::string stat = key["stat"];
        const auto& values = daily_difference.at(key["metric"].get<std::string>());
        ASSERT_EQ(d["data"].size(), values.at("mean").size()) << key.dump();
        for (std::size_t i = 0; i < d["data"].size(); ++i) {
          expect_plotted(d["data"][i], stat == "zero" ? 0.0 : values.at(stat)[i], factor,
                         key.dump() + " day " + std::to_string(i));
        }
        ++differences;
        continue;
      }
      const fs::path folder = folders.at(key["run"].get<std::size_t>());
      const std::string column = key["column"];
      const std::string stat = key["stat"];
      if (key["source"] == "daily") {
        const auto csv = read_csv(folder / "timeseries.csv");
        const auto& values = csv.at(stat == "mean" ? column : column + "_" + stat);
        ASSERT_EQ(d["data"].size(), values.size()) << column;
        // The union links' GMV on the right axis, in its own scale, where
        // there is any (open links); on the store's axis otherwise.
        const bool external = column == "gmv_taobao" || column == "gmv_jd";
        const bool right = !chart["right"].is_null();
        EXPECT_EQ(d["axis"], external && right ? "y1" : "y") << chart["id"] << column;
        const double f = d["factor"].get<double>();
        EXPECT_EQ(f, external && right ? chart["right"]["factor"].get<double>() : factor);
        for (std::size_t i = 0; i < values.size(); ++i) {
          expect_plotted(d["data"][i], values[i], f, column + " day " + std::to_string(i));
          ++checked;
        }
      } else {
        ASSERT_EQ(key["source"], "monthly");
        const json summary = json::parse(test::read_file(folder / "summary.json"));
        const std::string field = stat == "mean" ? "mean" : stat == "lo" ? "ci95_low" : "ci95_high";
        ASSERT_EQ(d["data"].size(), summary["monthly"].size());
        for (std::size_t i = 0; i < d["data"].size(); ++i) {
          expect_plotted(d["data"][i], json_number(summary["monthly"][i][column][field]), factor,
                         column + " month " + std::to_string(i));
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 2000);
  // Share axes stop at 100%.
  int shares = 0;
  for (const auto& chart : page.rendered["charts"]) {
    if (chart["unit"] != "%") continue;
    ++shares;
    EXPECT_LE(chart["y_max"].get<double>(), 100.0) << chart["id"];
  }
  EXPECT_EQ(shares, 2);           // the store's share and new merchants' retention
  EXPECT_EQ(differences, 2 * 4);  // two charts of a band, its mean and the zero line
  // The closed loop sells nothing through links: one axis; open links: the
  // right axis for Taobao and JD, in a scale of their own, far below the store's.
  EXPECT_TRUE(page.rendered["charts"][0]["right"].is_null());
  const json& open = page.rendered["charts"][1];
  ASSERT_FALSE(open["right"].is_null()) << open.dump().substr(0, 300);
  EXPECT_GT(open["right"]["factor"].get<double>(), open["factor"].get<double>());
  EXPECT_NE(open["title"].get<std::string>().find("Taobao and JD on the right axis"),
            std::string::npos);
  // Tables and labels as a user reads them: RMB in k (ASCII, readable without
  // CJK fonts), Chinese labels beside English ones.
  EXPECT_NE(page.dom.find("k RMB"), std::string::npos);
  EXPECT_NE(page.dom.find("store 快手小店"), std::string::npos);
  EXPECT_NE(page.dom.find("快手小店"), std::string::npos);
  EXPECT_NE(page.dom.find("Paired comparison against closed_loop"), std::string::npos);
  // The comparison's table: one unit per row, in its own column, none in the cells.
  EXPECT_NE(page.dom.find("<th>metric</th><th>unit</th>"), std::string::npos);
  int cells = 0;
  for (std::size_t at = 0; (at = page.dom.find("<td class=\"num", at)) != std::string::npos; ++at) {
    const std::string cell = page.dom.substr(at, page.dom.find("</td>", at) - at);
    EXPECT_EQ(cell.find("RMB"), std::string::npos) << cell;
    EXPECT_EQ(cell.find("pts"), std::string::npos) << cell;
    ++cells;
  }
  EXPECT_EQ(cells, static_cast<int>(3 * headline_indices().size()));
  EXPECT_NE(page.dom.find("seed 20220301"), std::string::npos);
  // The verdict comes first: a sentence per headline metric that says what
  // comparison.json says (higher, lower, or an interval including zero).
  const auto verdict = page.dom.find("Verdict");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, page.dom.find("Sources"));
  for (int m : headline_indices()) {
    const std::string name = metric_info()[m].name;
    const json& mj = comparison["scenarios"][1]["metrics"][name];
    const std::string head = "<b>" + name + "</b> (" + metric_info()[m].doc + "): ";
    const std::string said =
        mj["paired_difference"]["mean"].is_null() ? head + "not measured over this horizon."
        : !mj["significant"].get<bool>()
            ? head + "no difference shown between open_links and closed_loop"
        : mj["paired_difference"]["mean"].get<double>() > 0 ? head + "open_links is <b>higher</b> ("
                                                            : head + "open_links is <b>lower</b> (";
    EXPECT_NE(page.dom.find(said), std::string::npos) << said;
  }
  EXPECT_NE(page.dom.find("closed_loop.yaml"), std::string::npos);
  fs::remove_all(out);
}

// A two-axis sweep: per headline metric the paired difference to the first
// axis's first value (each line against its own baseline) and the levels,
// every value the file's; its table fits a 1280-pixel window with one unit
// per column and a Δ under every point that is not its own baseline.
TEST(Report, SweepChartsPlotTheFilesValues) {
  const fs::path out = test::temp_path("linksim_report_sweep");
  fs::remove_all(out);
  const Output o = linksim("sweep " + test::bundled("open_links.yaml") + " " + small +
                           " --vary policy.0.taobao.fee=0,0.2 --vary conversion.jump_loss=0.2,0.6"
                           " --report --out " +
                           out.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const Page page = load_in_chromium(out / "report.html", 1280);
  expect_clean(page);
  const json sweep = json::parse(test::read_file(out / "sweep.json"));
  ASSERT_EQ(page.rendered["charts"].size(), 2 * headline_indices().size());
  int differences = 0;
  for (const auto& chart : page.rendered["charts"]) {
    const double factor = chart["factor"].get<double>();
    const bool difference = chart["id"].get<std::string>().ends_with("-diff");
    differences += difference;
    // A line per value of the second axis, each over the first axis's two
    // values, and the zero line on a difference chart.
    ASSERT_EQ(chart["datasets"].size(), 2u * 3u + (difference ? 1 : 0)) << chart["id"];
    for (const auto& d : chart["datasets"]) {
      const json& key = d["key"];
      const std::string stat = key["stat"];
      if (stat == "zero") {
        for (const auto& v : d["data"]) EXPECT_EQ(v, 0);
        continue;
      }
      EXPECT_EQ(key["difference"], difference) << chart["id"];
      const std::string field = stat == "mean" ? "mean" : stat == "lo" ? "ci95_low" : "ci95_high";
      ASSERT_EQ(d["data"].size(), key["points"].size());
      for (std::size_t i = 0; i < d["data"].size(); ++i) {
        const int point = key["points"][i];
        const json& metric = sweep["results"][point]["metrics"][key["metric"].get<std::string>()];
        expect_plotted(d["data"][i],
                       json_number(difference ? metric["paired_difference"][field] : metric[field]),
                       factor, key.dump());
      }
    }
  }
  EXPECT_EQ(differences, static_cast<int>(headline_indices().size()));
  EXPECT_NE(page.dom.find("Sweep of open_links"), std::string::npos);
  EXPECT_NE(page.dom.find("paired difference to policy.0.taobao.fee = 0"), std::string::npos);
  // The table: every point's row, a Δ for the two points off their baseline
  // in each headline column, and no table past the window's edge.
  EXPECT_NE(page.dom.find("<th>gmv<br>"), std::string::npos);
  std::size_t deltas = 0;
  for (std::size_t at = 0; (at = page.dom.find("class=\"delta\">Δ ", at)) != std::string::npos;
       ++at)
    ++deltas;
  EXPECT_EQ(deltas, 2 * headline_indices().size());
  ASSERT_FALSE(page.rendered["tables"].empty());
  for (const auto& t : page.rendered["tables"]) {
    EXPECT_LE(t["right"].get<int>(), page.rendered["viewport"].get<int>()) << t.dump();
  }
  fs::remove_all(out);
}

// The report as a user on a machine without CJK fonts sees it: headless
// Chromium with a fontconfig that knows only DejaVu renders the page without
// a script error and with every chart drawn, and its screenshot is a real
// picture of it (a PNG of the window's size, far larger than a blank page's).
TEST(Report, ScreenshotWithoutCjkFontsShowsEveryChart) {
  const fs::path out = test::temp_path("linksim_report_shot");
  fs::remove_all(out);
  const Output o =
      linksim("compare " + test::bundled("closed_loop.yaml") + " " +
              test::bundled("open_links.yaml") + " " + small + " --report --out " + out.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const fs::path fonts = out / "fonts.conf";
  std::ofstream(fonts) << "<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir></fontconfig>\n";
  ::setenv("FONTCONFIG_FILE", fonts.c_str(), 1);
  const Page page = load_in_chromium(out / "report.html");
  const fs::path shot = out / "report.png";
  const std::string cmd =
      "timeout 120 chromium --headless --no-sandbox --disable-gpu "
      "--hide-scrollbars --no-first-run --user-data-dir=" +
      (out / "profile").string() + " --window-size=1280,3000 --screenshot=" + shot.string() +
      " 'file://" + fs::absolute(out / "report.html").string() + "' >/dev/null 2>&1";
  const int code = std::system(cmd.c_str());
  ::unsetenv("FONTCONFIG_FILE");
  expect_clean(page);
  EXPECT_EQ(page.rendered["status"], "ok");
  // Every canvas of the page has its chart: the runs' GMV by channel, the
  // three series, and the two differences over time.
  EXPECT_EQ(page.rendered["charts"].size(), 2u + 3u + 2u);
  ASSERT_EQ(code, 0);
  const std::string png = test::read_file(shot);
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) |
           (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  EXPECT_EQ(be32(16), 1280u);  // IHDR width
  EXPECT_EQ(be32(20), 3000u);  // and height
  EXPECT_GT(png.size(), 100u * 1024) << "a page of seven charts compresses to far more than a "
                                        "blank one";
  fs::remove_all(out);
}

TEST(Report, FolderWithoutResultsIsAClearError) {
  const fs::path empty = test::temp_path("linksim_report_empty");
  fs::create_directories(empty);
  const Output o = linksim("report " + empty.string());
  EXPECT_EQ(o.code, 1) << o.text;
  EXPECT_NE(o.text.find("holds no linksim results"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("calibration.json, posterior.json or forecast.json"), std::string::npos)
      << o.text;
  EXPECT_FALSE(fs::exists(empty / "report.html"));
  fs::remove_all(empty);
}

}  // namespace
}  // namespace linksim
