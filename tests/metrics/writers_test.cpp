// Writers on hand-made results: the files, their columns (defined once), the
// readable amounts, and atomic writes that never leave a partial file.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "linksim/experiment.hpp"
#include "metrics/files.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

RunResult hand_made() {
  RunResult r;
  r.scenario = test::scenario_from("name: hand\ncalendar: { days: 40 }\n");
  r.version = "test";
  r.commit = "abc";
  r.months = {"2022-01", "2022-02"};
  for (int i = 0; i < 3; ++i) {
    ReplicationResult rep;
    rep.index = i;
    rep.seed = 100 + i;
    rep.metrics.assign(metric_info().size(), 0.0);
    rep.metrics[0] = 1e10 + 1e8 * i;  // gmv in fen: 1 亿 RMB and a bit
    rep.daily = Eigen::MatrixXd::Constant(40, static_cast<Eigen::Index>(daily_info().size()), i);
    rep.monthly = Eigen::MatrixXd::Constant(2, static_cast<Eigen::Index>(monthly_info().size()), i);
    r.replications.push_back(rep);
  }
  aggregate(r);
  return r;
}

TEST(Writers, FilesAndColumns) {
  const fs::path dir = test::temp_path("linksim_writers_test");
  fs::remove_all(dir);
  const RunResult r = hand_made();
  write_run(r, dir);
  for (const char* f :
       {"summary.json", "timeseries.csv", "monthly.csv", "replications.csv", "scenario.yaml"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  }
  const std::string ts = test::read_file(dir / "timeseries.csv");
  EXPECT_EQ(ts.substr(0, ts.find('\n')).rfind("day,date,gmv_store,gmv_store_lo,gmv_store_hi,", 0),
            0u);
  EXPECT_EQ(std::count(ts.begin(), ts.end(), '\n'), 41);
  const std::string second =
      ts.substr(ts.find('\n') + 1, ts.find('\n', ts.find('\n') + 1) - ts.find('\n') - 1);
  // Mean 1 of 0, 1 and 2; the interval [-1.484, 3.484] cut at zero (an amount).
  EXPECT_EQ(second.rfind("0,2022-01-01,1,0,3.484", 0), 0u) << second;
  const auto summary = nlohmann::json::parse(test::read_file(dir / "summary.json"));
  EXPECT_EQ(summary["scenario"]["seed"], 20220301);
  EXPECT_EQ(summary["linksim"]["commit"], "abc");
  EXPECT_DOUBLE_EQ(summary["metrics"]["gmv"]["mean"].get<double>(), 1.01e10);
  EXPECT_EQ(summary["metrics"]["gmv"]["replications"].size(), 3u);
  EXPECT_EQ(summary["metrics"]["gmv"]["unit"], "fen");
  EXPECT_TRUE(summary["metrics"]["retention_30"]["sd"].is_number());
  // Every replication's monthly values in long form, with their units.
  const std::string long_form = test::read_file(dir / "periods_long.csv");
  EXPECT_EQ(long_form.substr(0, long_form.find('\n')), "period,replication,seed,metric,unit,value");
  EXPECT_EQ(std::count(long_form.begin(), long_form.end(), '\n'),
            static_cast<long>(1 + 2 * 3 * monthly_info().size()));
  EXPECT_NE(long_form.find("\n2022-02,2,102,gmv,fen,2\n"), std::string::npos);
  // Every replication's daily values, one row per replication and day.
  const std::string daily = test::read_file(dir / "daily_replications.csv");
  EXPECT_EQ(daily.substr(0, daily.find('\n')).rfind("replication,seed,day,date,gmv_store,", 0), 0u);
  EXPECT_EQ(std::count(daily.begin(), daily.end(), '\n'), 1 + 3 * 40);
  EXPECT_NE(daily.find("\n2,102,39,2022-02-09,2,2,"), std::string::npos);
  // Every column of the wide files has its unit in units.json.
  const auto units = nlohmann::json::parse(test::read_file(dir / "units.json"));
  std::istringstream header(ts.substr(0, ts.find('\n')));
  int columns = 0;
  for (std::string name; std::getline(header, name, ',');) {
    if (name == "day" || name == "date") continue;
    EXPECT_TRUE(units["timeseries.csv"].contains(name)) << name;
    ++columns;
  }
  EXPECT_EQ(columns, static_cast<int>(3 * daily_info().size()));
  EXPECT_EQ(units["monthly.csv"]["gmv_lo"], "fen");
  EXPECT_EQ(units["monthly.csv"]["in_store_share"], "share");
  EXPECT_EQ(units["replications.csv"]["retention_90"], "share");
  EXPECT_EQ(units["daily_replications.csv"]["gmv_store"], "fen");
  const std::string reps = test::read_file(dir / "replications.csv");
  EXPECT_EQ(reps.substr(0, reps.find('\n')).rfind("replication,seed,gmv,gmv_store,", 0), 0u);
  fs::remove_all(dir);
}

TEST(Writers, ReadableAmounts) {
  EXPECT_EQ(format_rmb(123456789012.0), "12.35 亿 RMB");  // fen
  EXPECT_EQ(format_rmb(1234567800.0), "1,234.6 万 RMB");
  EXPECT_EQ(format_rmb(99999.0), "1,000 RMB");
  EXPECT_EQ(format_rmb(-250000000000.0), "-25.00 亿 RMB");
  EXPECT_EQ(format_rmb(std::nan("")), "n/a");
  const std::string table = run_table(hand_made());
  EXPECT_NE(table.find("gmv"), std::string::npos);
  EXPECT_NE(table.find("1.01 亿 RMB"), std::string::npos) << table;
}

// The comparison table names each row's unit once, in its unit column, and
// prints the levels, their intervals and the difference in it: GMV of about
// 1 亿 RMB with a difference of 1.1 万 reads in 万 on both sides, not "1.01 亿"
// beside "+1.1 万".
TEST(Writers, ComparisonTableHasOneUnitPerRow) {
  RunResult other = hand_made();
  other.scenario.name = "other";
  for (auto& rep : other.replications) rep.metrics[0] += 1e6 + 1e5 * rep.index;  // + 1 万 RMB
  aggregate(other);
  Comparison c;
  c.runs = {hand_made(), other};
  for (const auto& r : c.runs) c.differences.push_back(paired_differences(c.runs.front(), r));
  const std::string table = comparison_table(c);
  std::istringstream lines(table);
  std::string line;
  std::getline(lines, line);
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("metric", 0), 0u) << line;
  EXPECT_NE(line.find("unit"), std::string::npos) << line;
  bool gmv = false;
  while (std::getline(lines, line)) {
    // A unit is written once per row at most, never inside a cell.
    for (const char* unit : {"亿", "万", "RMB", "pts"}) {
      const auto first = line.find(unit);
      if (first != std::string::npos) {
        EXPECT_EQ(line.find(unit, first + 1), std::string::npos) << unit << " twice: " << line;
      }
    }
    if (line.rfind("gmv ", 0) == 0) {
      gmv = true;
      EXPECT_NE(line.find("万 RMB"), std::string::npos) << line;
      EXPECT_NE(line.find("10,100.0 [9,851.6, 10,348.4]"), std::string::npos) << line;
      EXPECT_NE(line.find("+1.1 [+0.9, +1.3] (+0.01%)*"), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(gmv) << table;
}

// On a terminal narrower than a table, the comparison is a block per metric
// and the sweep a block per point, every line within the width (CJK
// characters counting two); without a width, always the table.
TEST(Writers, NarrowTerminalsGetBlocksInsteadOfWideTables) {
  Comparison c;
  c.runs = {hand_made(), hand_made()};
  c.runs[1].scenario.name = "a_rather_long_scenario_name";
  for (const auto& r : c.runs) c.differences.push_back(paired_differences(c.runs.front(), r));
  SweepResult sweep;
  sweep.plan.base = c.runs[0].scenario;
  sweep.plan.axes = {SweepAxis{.key = "policy.0.taobao.fee", .values = {"0", "0.1"}}};
  for (const char* v : {"0", "0.1"}) {
    sweep.plan.points.push_back(SweepPoint{.index = 0, .values = {v}, .scenario = {}});
    sweep.points.push_back(SweepPointResult{
        .replications = {}, .seeds = {}, .metrics = c.runs[0].metrics, .resumed = false});
  }
  const auto widest = [](const std::string& text) {
    std::size_t w = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) w = std::max(w, detail::display_width(line));
    return w;
  };
  EXPECT_GT(widest(comparison_table(c)), 80u);
  EXPECT_GT(widest(sweep_table(sweep)), 80u);
  const std::string compared = comparison_table(c, 80);
  EXPECT_LE(widest(compared), 80u) << compared;
  EXPECT_NE(compared.find("\ngmv (亿 RMB)\n  hand  "), std::string::npos) << compared;
  EXPECT_NE(compared.find("  a_rather_long_scenario_name − hand  "), std::string::npos) << compared;
  const std::string swept = sweep_table(sweep, 80);
  EXPECT_LE(widest(swept), 80u) << swept;
  EXPECT_NE(swept.find("\npoint 1: policy.0.taobao.fee = 0.1\n  gmv (亿 RMB)"), std::string::npos)
      << swept;
  EXPECT_EQ(comparison_table(c, 400), comparison_table(c));  // wide enough: the table
}

TEST(Writers, Utf8IsCheckedByTheStandardsRules) {
  using detail::invalid_utf8;
  const auto npos = std::string_view::npos;
  EXPECT_EQ(invalid_utf8("closed loop 快手小店 \xF0\x9F\x9B\x92 ok"), npos);  // 4 bytes: U+1F6D2
  EXPECT_EQ(invalid_utf8("ab\xE5\xBF"), 2u);                                  // cut short
  EXPECT_EQ(invalid_utf8("\xC0\xAF"), 0u);                                    // overlong '/'
  EXPECT_EQ(invalid_utf8("x\xED\xA0\x80"), 1u);                               // a surrogate
  EXPECT_EQ(invalid_utf8("\xF4\x90\x80\x80"), 0u);                            // past U+10FFFF
  EXPECT_EQ(invalid_utf8("\xE5x\xBF"), 0u);                                   // not a continuation
  EXPECT_EQ(detail::line_column("ab\ncd\nef", 7), "3:2");
}

// A paired difference shows the digits that tell it from zero when its
// interval excludes zero, and two decimals otherwise.
TEST(Writers, SignificantDifferencesNeverReadAsZero) {
  Difference d;
  d.diff = {.mean = -0.00012, .sd = 0, .lo = -0.00015, .hi = -0.00004, .n = 10};
  d.relative = -0.00013;
  d.significant = true;
  EXPECT_EQ(format_paired(d, "share"), "-0.012 pts [-0.015, -0.004] (-0.01%)*");
  d.diff = {.mean = -0.0000012, .sd = 0, .lo = -0.0000015, .hi = -0.0000004, .n = 10};
  EXPECT_EQ(format_paired(d, "share").substr(0, 35), "-0.00012 pts [-0.00015, -0.00004] (");
  d.significant = false;
  d.diff = {.mean = -0.00012, .sd = 0, .lo = -0.00030, .hi = 0.0001, .n = 10};
  d.relative = -0.0002;
  EXPECT_EQ(format_paired(d, "share"), "-0.01 pts [-0.03, +0.01] (-0.0%) ");
  d.diff = {.mean = 0.0213, .sd = 0, .lo = 0.0195, .hi = 0.0236, .n = 10};
  d.relative = 0.022;
  d.significant = true;
  EXPECT_EQ(format_paired(d, "share"), "+2.13 pts [+1.95, +2.36] (+2.2%)*");
}

// Intervals stay within what a quantity can take: shares in [0, 1], amounts
// and counts at or above zero, growth rates anywhere; the means unchanged.
TEST(Writers, IntervalsRespectTheirDomains) {
  RunResult r;
  r.scenario = test::scenario_from("name: domain\ncalendar: { days: 40 }\n");
  r.months = {"2022-01"};
  const auto& mc = monthly_info();
  for (int i = 0; i < 3; ++i) {
    ReplicationResult rep;
    rep.metrics.assign(metric_info().size(), 0.0);
    // Replications 0, 0 and 1: a t interval of about [-0.9, 1.6].
    rep.daily = Eigen::MatrixXd::Constant(40, static_cast<Eigen::Index>(daily_info().size()),
                                          i == 2 ? 1.0 : 0.0);
    rep.monthly =
        Eigen::MatrixXd::Constant(1, static_cast<Eigen::Index>(mc.size()), i == 2 ? 1.0 : 0.0);
    for (auto& v : rep.metrics) v = i == 2 ? 1.0 : 0.0;
    r.replications.push_back(rep);
  }
  aggregate(r);
  int growth = 0;
  for (std::size_t c = 0; c < mc.size(); ++c) {
    const auto j = static_cast<Eigen::Index>(c);
    EXPECT_DOUBLE_EQ(r.monthly_mean(0, j), 1.0 / 3) << mc[c].name;
    if (mc[c].name.find("growth") != std::string::npos) {
      EXPECT_LT(r.monthly_lo(0, j), 0) << mc[c].name;
      EXPECT_GT(r.monthly_hi(0, j), 1) << mc[c].name;
      ++growth;
      continue;
    }
    EXPECT_EQ(r.monthly_lo(0, j), 0.0) << mc[c].name;
    if (mc[c].unit == "share") {
      EXPECT_EQ(r.monthly_hi(0, j), 1.0) << mc[c].name;
    } else {
      EXPECT_GT(r.monthly_hi(0, j), 1.0) << mc[c].name;
    }
  }
  EXPECT_GT(growth, 0);
  for (std::size_t m = 0; m < metric_info().size(); ++m) {
    if (metric_info()[m].name.find("growth") != std::string::npos) continue;
    EXPECT_EQ(r.metrics[m].lo, 0.0) << metric_info()[m].name;
    EXPECT_NEAR(r.metrics[m].mean, 1.0 / 3, 1e-15) << metric_info()[m].name;
  }
  for (Eigen::Index j = 0; j < r.daily_lo.cols(); ++j) EXPECT_GE(r.daily_lo(0, j), 0.0);
}

TEST(Writers, AtomicWriteNeverLeavesAPartialFile) {
  const fs::path dir = test::temp_path("linksim_atomic_test");
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file_atomic(dir / "a.txt", "complete");
  // A target that cannot be replaced (a folder) fails and keeps what was there.
  fs::create_directories(dir / "b.txt");
  EXPECT_THROW(write_file_atomic(dir / "b.txt", "x"), std::runtime_error);
  EXPECT_THROW(write_file_atomic(dir / "missing" / "c.txt", "x"), std::runtime_error);
  EXPECT_EQ(test::read_file(dir / "a.txt"), "complete");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  }
  EXPECT_EQ(files, 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace linksim
