// The command line as a user meets it: exit codes (0 ok, 1 failure while
// running, 2 invalid input), --help on every command, and what each prints.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

using test::linksim;
using test::Output;

const std::string small = test::small_flags(40);

TEST(Cli, VersionAndHelp) {
  const Output v = linksim("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.text.find(version()), std::string::npos);
  for (const char* cmd :
       {"run", "compare", "sweep", "report", "bench", "validate", "show", "schema"}) {
    const Output h = linksim(std::string(cmd) + " --help");
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.text.find("--help"), std::string::npos) << cmd;
  }
  EXPECT_NE(linksim("run --help").text.find("--set"), std::string::npos);
  EXPECT_EQ(linksim("").code, 2);
  EXPECT_EQ(linksim("frobnicate").code, 2);
  EXPECT_EQ(linksim("run").code, 2);
}

TEST(Cli, InvalidScenarioExitsTwoWithEveryProblem) {
  const fs::path bad = test::temp_path("linksim_cli_bad.yaml");
  std::ofstream(bad) << "extends: " << test::bundled("base.yaml")
                     << "\nbuyers: { sesion_rate: 1, follows: -1 }\n";
  const Output o = linksim("validate " + bad.string());
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.text.find(bad.string() + ":2:11: buyers.sesion_rate: unknown key (did you mean "
                                       "'session_rate'?)"),
            std::string::npos)
      << o.text;
  EXPECT_NE(o.text.find("buyers.follows: out of range"), std::string::npos);
  EXPECT_NE(o.text.find("2 problems; nothing was run"), std::string::npos);
  EXPECT_EQ(linksim("run " + bad.string()).code, 2);
  EXPECT_EQ(linksim("validate " + test::bundled("open_links.yaml") + " --set nope=1").code, 2);
  fs::remove(bad);
}

TEST(Cli, BundledScenariosAreValid) {
  const Output o = linksim("validate " + test::bundled("*.yaml"));
  EXPECT_EQ(o.code, 0) << o.text;
}

TEST(Cli, ShowAndSchema) {
  const Output show = linksim("show " + test::bundled("kuaishou_2022.yaml"));
  EXPECT_EQ(show.code, 0);
  EXPECT_NE(show.text.find("name: kuaishou_2022"), std::string::npos);
  EXPECT_NE(show.text.find("session_rate: 0.3"), std::string::npos);  // defaults filled in
  const Output schema = linksim("schema");
  EXPECT_EQ(schema.code, 0);
  const auto parsed = nlohmann::json::parse(schema.text, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["title"], "linksim scenario");
}

TEST(Cli, RunWritesItsFilesAndTable) {
  const fs::path out = test::temp_path("linksim_cli_run");
  fs::remove_all(out);
  const Output o =
      linksim("run " + test::bundled("open_links.yaml") + " " + small + " --out " + out.string());
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("in_store_share"), std::string::npos);
  EXPECT_NE(o.text.find("RMB"), std::string::npos);
  EXPECT_TRUE(fs::exists(out / "summary.json"));
  fs::remove_all(out);
}

TEST(Cli, UnwritableOutputExitsOne) {
  const fs::path file = test::temp_path("linksim_cli_not_a_dir");
  std::ofstream(file) << "x";
  const Output o =
      linksim("run " + test::bundled("open_links.yaml") + " " + small + " --out " + file.string());
  EXPECT_EQ(o.code, 1) << o.text;
  EXPECT_NE(o.text.find("[error]"), std::string::npos) << o.text;
  fs::remove(file);
}

TEST(Cli, CompareWritesPairedDifferences) {
  const fs::path out = test::temp_path("linksim_cli_compare");
  fs::remove_all(out);
  const Output o =
      linksim("compare " + test::bundled("closed_loop.yaml") + " " +
              test::bundled("open_links.yaml") + " " + small + " --out " + out.string());
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("difference open_links"), std::string::npos) << o.text;
  for (const char* f : {"comparison.json", "comparison.csv", "closed_loop/summary.json",
                        "open_links/summary.json"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  fs::remove_all(out);
}

// The benchmark's plumbing (child processes, table, JSON), not its figures.
TEST(Cli, BenchPrintsOneRowPerConfiguration) {
  const fs::path json = test::temp_path("linksim_cli_bench.json");
  const Output o = linksim(
      "bench --buyers 2000,3000 --threads 1,2 --days 3 --kernel-days 1 "
      "--repeat 1 --quiet --json " +
      json.string());
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("buyer-days/s"), std::string::npos) << o.text;
  const auto rows = nlohmann::json::parse(test::read_file(json));
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    EXPECT_GT(r["rate"].get<double>(), 0);
    EXPECT_GT(r["kernel_rate"].get<double>(), 0);
    EXPECT_GT(r["peak_rss_bytes"].get<double>(), 0);
  }
  EXPECT_EQ(rows[3]["buyers"], 3000);
  EXPECT_EQ(rows[3]["threads"], 2);
  fs::remove(json);
}

TEST(Cli, CompareKeepsScenariosWithTheSameNameApart) {
  const fs::path out = test::temp_path("linksim_cli_same_name");
  fs::remove_all(out);
  const Output o =
      linksim("compare " + test::bundled("open_links.yaml") + " " +
              test::bundled("open_links.yaml") + " " + small + " --out " + out.string());
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_TRUE(fs::exists(out / "open_links" / "summary.json"));
  EXPECT_TRUE(fs::exists(out / "open_links-2" / "summary.json"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace linksim
