// The command line as a user meets it: exit codes (0 ok, 1 failure while
// running, 2 invalid input), --help on every command, and what each prints.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "metrics/files.hpp"
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
  for (const char* cmd : {"run", "compare", "sweep", "sensitivity", "calibrate", "forecast",
                          "report", "bench", "validate", "show", "schema"}) {
    const Output h = linksim(std::string(cmd) + " --help");
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.text.find("--help"), std::string::npos) << cmd;
  }
  EXPECT_NE(linksim("run --help").text.find("--set"), std::string::npos);
  EXPECT_EQ(linksim("").code, 2);
  EXPECT_EQ(linksim("frobnicate").code, 2);
  EXPECT_EQ(linksim("run").code, 2);
}

// A typo'd command or option is named with the nearest one; a bad --seed is
// reported as --seed; a range without its points says so, once.
TEST(Cli, TyposAreNamedWithTheNearestName) {
  // Exit 2 and the message; the output for more checks.
  const auto refused = [](const std::string& args, const std::string& said) {
    const Output o = linksim(args);
    EXPECT_EQ(o.code, 2) << args << "\n" << o.text;
    EXPECT_NE(o.text.find(said), std::string::npos) << o.text;
    return o;
  };
  const std::string run = "run " + test::bundled("open_links.yaml");
  refused("compre a.yaml b.yaml",
          "linksim: unknown command 'compre' (did you mean 'compare'?); the commands are run, "
          "compare,");
  refused("--quiet " + run + " --replication 3",
          "linksim run: unknown option '--replication' (did you mean '--replications'?); see "
          "linksim run --help");
  refused(
      "sweep " + test::bundled("open_links.yaml") + " --vary=conversion.jump_loss=0:1:3 --treads 2",
      "unknown option '--treads' (did you mean '--threads'?)");
  Output o = linksim(run + " --seeed 4");
  EXPECT_NE(o.text.find("(did you mean '--seed'?)"), std::string::npos) << o.text;
  refused(run + " --frobnicate", "unknown option '--frobnicate'; see linksim run --help");
  o = refused(run + " --seed abc",
              "--seed: expected a whole number from 0 to 18446744073709551615, got 'abc'");
  EXPECT_EQ(o.text.find("--set seed"), std::string::npos) << o.text;
  o = refused("sweep " + test::bundled("open_links.yaml") + " --vary buyers.session_rate=0:0.2",
              "buyers.session_rate: a range needs its number of points (expected "
              "KEY=FROM:TO:POINTS, e.g. buyers.session_rate=0:0.2:5, or KEY=v1,v2,...), got "
              "'0:0.2'");
  EXPECT_NE(o.text.find(": 1 problem; nothing was run"), std::string::npos) << o.text;
}

// An output folder holds one command's results: reused by another command,
// what the earlier one wrote and this one does not (a scenario's folder, an
// old report.html) is removed once the new files are in place; a folder with
// files linksim did not write is refused before anything runs, unless
// --force; one that cannot be written is refused before anything runs.
TEST(Cli, AnOutputFolderHoldsOnlyTheLatestResults) {
  const fs::path out = test::temp_path("linksim_cli_reused");
  fs::remove_all(out);
  const std::string closed = test::bundled("closed_loop.yaml");
  const std::string loud = small.substr(0, small.rfind(" --quiet"));  // logs at info
  Output o = linksim("compare " + closed + " " + test::bundled("open_links.yaml") + " " + small +
                     " --report --out " + out.string());
  ASSERT_EQ(o.code, 0) << o.text;
  ASSERT_TRUE(fs::exists(out / "open_links") && fs::exists(out / "report.html"));
  o = linksim("compare " + closed + " " + test::bundled("douyin_style.yaml") + " " + loud +
              " --out " + out.string());
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_FALSE(fs::exists(out / "open_links"));
  EXPECT_FALSE(fs::exists(out / "report.html"));
  EXPECT_TRUE(fs::exists(out / "douyin_style" / "summary.json"));
  EXPECT_TRUE(fs::exists(out / "closed_loop" / "summary.json"));
  EXPECT_NE(o.text.find("this one did not write: open_links, report.html"), std::string::npos)
      << o.text;

  std::ofstream(out / "notes.txt") << "mine";
  o = linksim("run " + closed + " " + small + " --out " + out.string());
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find(out.string() + " holds files linksim did not write (notes.txt); nothing "
                                       "was run"),
            std::string::npos)
      << o.text;
  EXPECT_EQ(o.text.find("running"), std::string::npos) << o.text;
  EXPECT_TRUE(fs::exists(out / "comparison.json"));
  o = linksim("run " + closed + " " + small + " --force --out " + out.string());
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_EQ(test::read_file(out / "notes.txt"), "mine");
  EXPECT_TRUE(fs::exists(out / "summary.json"));
  EXPECT_FALSE(fs::exists(out / "comparison.json"));
  EXPECT_FALSE(fs::exists(out / "closed_loop"));
  fs::remove_all(out);

  // Unwritable: refused before the simulation, for every command that writes.
  const fs::path file = test::temp_path("linksim_cli_a_file");
  std::ofstream(file) << "x";
  for (const std::string& cmd :
       {"run " + closed, "compare " + closed + " " + closed,
        "sweep " + closed + " --vary buyers.follows=1,2",
        "sensitivity " + closed + " --vary buyers.follows=1:3 --samples 2"}) {
    o = linksim(cmd + " " + loud + " --out " + (file / "x").string());
    EXPECT_EQ(o.code, 1) << cmd << "\n" << o.text;
    EXPECT_NE(o.text.find("cannot write " + (file / "x").string()), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("nothing was run"), std::string::npos) << o.text;
    EXPECT_EQ(o.text.find("replications"), std::string::npos) << cmd << "\n" << o.text;
  }
  fs::remove(file);
}

// The folders' report goes beside them: in the one folder, or in the folder
// that holds them all, and the path is said.
TEST(Cli, ReportGoesBesideItsFolders) {
  const fs::path top = test::temp_path("linksim_cli_report_top");
  fs::remove_all(top);
  for (const char* name : {"a", "b"}) {
    const Output o = linksim("run " + test::bundled("open_links.yaml") + " " + small +
                             " --quiet --out " + (top / "runs" / name).string());
    ASSERT_EQ(o.code, 0) << o.text;
  }
  const Output o =
      linksim("report " + (top / "runs" / "a").string() + " " + (top / "runs" / "b").string());
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_TRUE(fs::exists(top / "runs" / "report.html"));
  EXPECT_NE(o.text.find("wrote " + (top / "runs" / "report.html").string()), std::string::npos)
      << o.text;
  EXPECT_FALSE(fs::exists("report.html"));
  fs::remove_all(top);
}

// On a terminal the live bar never wraps: every redraw fits in the
// terminal's width less one column, down to 40 columns, with long names.
// The comparison's table too: on a terminal narrower than the table it is
// printed as a block per metric, every line within 80 columns.
TEST(Cli, ProgressBarFitsTheTerminal) {
  if (test::shell("command -v script").code != 0) GTEST_SKIP() << "no script(1) for a terminal";
  const fs::path out = test::temp_path("linksim_cli_bar");
  const std::string loud = small.substr(0, small.rfind(" --quiet"));
  for (int width : {120, 80, 40}) {
    fs::remove_all(out);
    const fs::path typescript = test::temp_path("linksim_cli_bar.typescript");
    const Output o = test::shell("script -qec \"stty cols " + std::to_string(width) + "; " +
                                 LINKSIM_BINARY + " compare " + test::bundled("closed_loop.yaml") +
                                 " " + test::bundled("open_links.yaml") + " " + loud + " --out " +
                                 out.string() + "\" " + typescript.string() + " > /dev/null");
    ASSERT_EQ(o.code, 0) << o.text;
    const std::string text = test::read_file(typescript);
    int bars = 0, table_lines = 0, stacked = 0;
    std::size_t begin = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (i < text.size() && text[i] != '\r' && text[i] != '\n') continue;
      std::string line = text.substr(begin, i - begin);
      begin = i + 1;
      if (line.find("ETA") == std::string::npos) {
        if (line.empty() || line[0] == '[' || line.rfind("Script ", 0) == 0) continue;
        ++table_lines;
        if (line.rfind("gmv (", 0) == 0) ++stacked;
        if (width >= 80) {
          EXPECT_LE(detail::display_width(line), std::size_t(width)) << line;
        }
        continue;
      }
      if (const auto esc = line.find("\x1b[K"); esc != std::string::npos) line.erase(esc);
      ++bars;
      std::size_t cols = 0;
      for (std::size_t k = 0; k < line.size(); ++k) {
        cols += (static_cast<unsigned char>(line[k]) & 0xC0) != 0x80;
      }
      EXPECT_LT(cols, static_cast<std::size_t>(width)) << width << ": " << line;
      EXPECT_NE(line.find("%"), std::string::npos) << line;
    }
    EXPECT_GT(bars, 0) << width << "\n" << text;
    EXPECT_GT(table_lines, 6) << text;
    EXPECT_EQ(stacked, 1) << width << "\n" << text;
    fs::remove(typescript);
  }
  fs::remove_all(out);
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
  for (const char* f : {"comparison.json", "comparison.csv", "comparison_daily.csv",
                        "closed_loop/summary.json", "open_links/summary.json"}) {
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
