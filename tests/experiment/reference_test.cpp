// Stored references: outputs that a change must leave exactly as they are.
//
// Model v1 is a special case of v2, bit for bit: with every v2 mechanism off
// (scenarios/base.yaml keeps them off), the bundled v1 scenarios give the
// same monthly.csv and replications.csv, and the default comparison the same
// comparison.csv, as the last v1 commit.
//
// The reference is stored, not rebuilt: building dc56cd0 in the test would
// take minutes and a second tree. tests/data/v1/ holds that commit's six
// scenario files (extending today's base.yaml, whose v1 keys are unchanged)
// and, in reference/, the files its binary wrote with
//   linksim run tests/data/v1/NAME.yaml $SMALL --out reference/NAME
//   linksim compare tests/data/v1/closed_loop.yaml tests/data/v1/open_links.yaml $SMALL
// where SMALL is `--set population.buyers=20000 --set calendar.warmup_days=30
// --replications 2` (a size the sanitizer build can afford; the full-size
// default comparison was also checked identical, docs/model.md).
//
// v2 added columns (monthly.csv) and rows (comparison.csv): every column and
// row of the reference must be there with the same text; the new ones are
// not compared. Since then the intervals of levels are cut to what the
// quantity can take (a share's to [0, 1], an amount's or a count's at zero):
// a reference bound outside that reads as the bound it was cut to.
//
// Model v2 with every mechanism on: a speed-up keeps every draw
// (docs/performance.md), so the three years of kuaishou_2021_2023 at a small
// scale give the same monthly.csv, quarterly.csv and replications.csv, to the
// last character, as when the reference was made. tests/data/v2/ holds that
// scenario resolved (independent of later edits to the bundled scenarios) and
// the files of
//   linksim run tests/data/v2/kuaishou_2021_2023.yaml --out reference
// A change that is meant to change the model's results makes them again with
// that command, and says so in its commit.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "linksim/result.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

Csv read_csv(const fs::path& p) {
  std::stringstream in(test::read_file(p));
  Csv csv;
  std::string line;
  std::getline(in, line);
  csv.header = split(line);
  while (std::getline(in, line)) csv.rows.push_back(split(line));
  return csv;
}

// The text of an interval's bound as linksim writes it now: cut to the
// domain of a level with this unit (growth rates are not cut).
std::string cut(const std::string& text, const std::string& unit, bool growth) {
  if (text.empty() || growth) return text;
  const double v = std::stod(text);
  if (v < 0) return "0";
  if (unit == "share" && v > 1) return "1";
  return text;
}

// Every cell of `reference` is in `now` with the same text: rows matched by
// the key columns, columns by name; a level's interval bounds as cut now.
void expect_same(const fs::path& reference, const fs::path& now,
                 const std::vector<std::string>& keys) {
  const Csv ref = read_csv(reference), cur = read_csv(now);
  ASSERT_FALSE(ref.rows.empty()) << reference;
  const auto key_of = [&](const Csv& csv, const std::vector<std::string>& row) {
    std::string k;
    for (const auto& name : keys) k += row.at(static_cast<std::size_t>(csv.column(name))) + "|";
    return k;
  };
  std::map<std::string, const std::vector<std::string>*> by_key;
  for (const auto& row : cur.rows) by_key[key_of(cur, row)] = &row;
  int differences = 0;
  for (const auto& row : ref.rows) {
    const std::string k = key_of(ref, row);
    const auto it = by_key.find(k);
    ASSERT_NE(it, by_key.end()) << now << ": no row " << k;
    for (std::size_t c = 0; c < ref.header.size(); ++c) {
      const int at = cur.column(ref.header[c]);
      ASSERT_GE(at, 0) << now << ": no column " << ref.header[c];
      const std::string& value = it->second->at(static_cast<std::size_t>(at));
      const std::string& name = ref.header[c];
      std::string expected = row[c];
      if (name == "ci95_low" || name == "ci95_high") {  // comparison.csv: a level's interval
        const std::string metric = row.at(static_cast<std::size_t>(ref.column("metric")));
        expected = cut(expected, row.at(static_cast<std::size_t>(ref.column("unit"))),
                       metric.find("growth") != std::string::npos);
      } else if (name.size() > 3 && (name.ends_with("_lo") || name.ends_with("_hi"))) {
        const std::string column = name.substr(0, name.size() - 3);  // monthly.csv
        for (const auto& info : monthly_info()) {
          if (info.name == column) {
            expected = cut(expected, info.unit, column.find("growth") != std::string::npos);
          }
        }
      }
      if (value != expected && ++differences <= 5) {
        ADD_FAILURE() << now << ": row " << k << " column " << name << ": v1 " << row[c] << " ("
                      << expected << " as written now), now " << value;
      }
    }
  }
  EXPECT_EQ(differences, 0) << now;
}

const std::string small =
    " --set population.buyers=20000 --set calendar.warmup_days=30 --replications 2 -q";

fs::path data() { return test::source_dir() / "tests" / "data" / "v1"; }

TEST(ModelV1, EveryBundledV1ScenarioGivesTheSameFiles) {
  const fs::path out = test::temp_path("v1_reference");
  for (const char* name : {"closed_loop", "open_links", "kuaishou_2022", "douyin_style",
                           "lockdown_open", "lockdown_closed"}) {
    const fs::path dir = out / name;
    const auto r = test::shell(std::string(LINKSIM_BINARY) + " run " +
                               (data() / (std::string(name) + ".yaml")).string() + small +
                               " --out " + dir.string());
    ASSERT_EQ(r.code, 0) << r.text;
    for (const char* file : {"monthly.csv", "replications.csv"}) {
      expect_same(data() / "reference" / name / file, dir / file,
                  {std::string(file) == "monthly.csv" ? "month" : "replication"});
    }
  }
  fs::remove_all(out);
}

TEST(ModelV1, TheDefaultComparisonGivesTheSameComparison) {
  const fs::path out = test::temp_path("v1_compare");
  const auto r = test::shell(
      std::string(LINKSIM_BINARY) + " compare " + (data() / "closed_loop.yaml").string() + " " +
      (data() / "open_links.yaml").string() + small + " --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.text;
  expect_same(data() / "reference" / "comparison.csv", out / "comparison.csv",
              {"scenario", "metric"});
  fs::remove_all(out);
}

TEST(ModelV2, SpeedUpsKeepEveryDrawOfTheThreeYears) {
  const fs::path v2 = test::source_dir() / "tests" / "data" / "v2";
  const fs::path out = test::temp_path("v2_reference");
  const auto r = test::shell(std::string(LINKSIM_BINARY) + " run " +
                             (v2 / "kuaishou_2021_2023.yaml").string() + " -q --threads 2 --out " +
                             out.string());
  ASSERT_EQ(r.code, 0) << r.text;
  for (const char* file : {"monthly.csv", "quarterly.csv", "replications.csv"}) {
    // A multi-line EXPECT_EQ: gtest prints the lines that differ.
    EXPECT_EQ(test::read_file(v2 / "reference" / file), test::read_file(out / file)) << file;
  }
  fs::remove_all(out);
}

}  // namespace
}  // namespace linksim
