// Failures a user meets on a real machine: a full disk, an output path that
// is a file or read-only, SIGINT/SIGTERM mid-run, text that is not UTF-8, two
// writers, hard kills. Each ends with a clear message and a non-zero exit,
// writes nothing that looks complete and leaves earlier results as they were.
// What is refused before it starts is in refusals_test.cpp.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "linksim/simulation.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;
using test::linksim;
using test::Output;

const std::string small = test::small_flags(120);

// Every file under `dir` with its content.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = test::read_file(e.path());
  }
  return out;
}

bool has_temporary_files(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp.") != std::string::npos) return true;
  }
  return false;
}

// A file size limit (ulimit -f, in KiB) makes every large write fail as on a
// full disk. The earlier results must come out untouched.
TEST(Reliability, FullDiskKeepsEarlierResults) {
  const fs::path out = test::temp_path("linksim_rel_full");
  fs::remove_all(out);
  const std::string cmp = "compare " + test::bundled("closed_loop.yaml") + " " +
                          test::bundled("open_links.yaml") + " " + small + " --out " + out.string();
  ASSERT_EQ(linksim(cmp).code, 0);
  const auto before = snapshot(out);
  // Another seed, so that every file would change; 16 KiB is less than a timeseries.csv.
  const std::string limited =
      "bash -c 'ulimit -f 16; exec " + std::string(LINKSIM_BINARY) + " " + cmp + " --seed 7' 2>&1";
  FILE* pipe = popen(limited.c_str(), "r");
  std::string text;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) text += buf.data();
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << text;
  EXPECT_NE(text.find("cannot write"), std::string::npos) << text;
  EXPECT_NE(text.find("File too large"), std::string::npos) << text;
  EXPECT_EQ(snapshot(out), before);
  EXPECT_FALSE(has_temporary_files(out));
  fs::remove_all(out);
}

TEST(Reliability, OutputPathThatIsAFileOrReadOnly) {
  const fs::path file = test::temp_path("linksim_rel_file");
  std::ofstream(file) << "not a folder";
  Output o =
      linksim("run " + test::bundled("open_links.yaml") + " " + small + " --out " + file.string());
  EXPECT_EQ(o.code, 1) << o.text;
  EXPECT_NE(o.text.find("cannot write " + file.string()), std::string::npos) << o.text;
  EXPECT_EQ(test::read_file(file), "not a folder");
  fs::remove(file);

  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  const fs::path ro = test::temp_path("linksim_rel_ro");
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  o = linksim("run " + test::bundled("open_links.yaml") + " " + small + " --out " + ro.string());
  EXPECT_EQ(o.code, 1) << o.text;
  EXPECT_NE(o.text.find("Permission denied"), std::string::npos) << o.text;
  fs::permissions(ro, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(ro));
  fs::remove_all(ro);
}

// SIGINT or SIGTERM while replications run: out within two seconds, exit
// 128 + signal, earlier results untouched and nothing new.
void interrupt(const std::string& command, int sig) {
  const fs::path out = test::temp_path("linksim_rel_signal");
  fs::remove_all(out);
  std::vector<std::string> args;
  std::istringstream in(command + " --out " + out.string());
  for (std::string a; in >> a;) args.push_back(a);
  // Long enough to be caught running on a fast machine too: 100,000 buyers for 1,000 days
  // (seconds, where the signal comes at 0.7 s).
  for (const char* a : {"--set", "population.buyers=100000", "--set", "calendar.days=1000"}) {
    args.emplace_back(a);
  }
  const pid_t pid = test::start_linksim(args);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ::kill(pid, sig);
  const auto sent = std::chrono::steady_clock::now();
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  ASSERT_TRUE(WIFEXITED(status)) << command;
  EXPECT_EQ(WEXITSTATUS(status), 128 + sig) << command;
  EXPECT_LT(seconds, 2.0) << command;
  EXPECT_FALSE(fs::exists(out)) << command;
  fs::remove_all(out);
}

TEST(Reliability, SignalsStopRunAndCompare) {
  const std::string run = "run " + test::bundled("open_links.yaml") + " " + small;
  const std::string cmp = "compare " + test::bundled("closed_loop.yaml") + " " +
                          test::bundled("open_links.yaml") + " " + small;
  interrupt(run, SIGINT);
  interrupt(run, SIGTERM);
  interrupt(cmp, SIGINT);
  interrupt(cmp, SIGTERM);
}

// Text that is not UTF-8, in a scenario, an extended file, a --set or a
// calibration target, is refused where it is written (file:line:column, exit
// 2) before anything runs: names end up in JSON and in file names.
TEST(Reliability, TextThatIsNotUtf8IsRefusedWhereItIsWritten) {
  const fs::path dir = test::temp_path("linksim_utf8");
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "latin1.yaml")
      << "extends: " << test::bundled("base.yaml") << "\nname: caf\xE9\n";
  Output o = linksim("run " + (dir / "latin1.yaml").string() + " " + small);
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find((dir / "latin1.yaml").string() +
                        ":2:10: invalid UTF-8 (byte 0xE9; expected UTF-8 text)"),
            std::string::npos)
      << o.text;
  std::ofstream(dir / "child.yaml") << "extends: latin1.yaml\n";
  o = linksim("validate " + (dir / "child.yaml").string());
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("latin1.yaml:2:10: invalid UTF-8"), std::string::npos) << o.text;
  // Overlong forms and surrogates are not UTF-8 either; the message quotes
  // the argument with the bad byte escaped, so it is UTF-8 itself.
  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xFF"}) {
    o = linksim("validate " + test::bundled("open_links.yaml") + " --set 'name=ok" + bad + "'");
    EXPECT_EQ(o.code, 2) << o.text;
    EXPECT_NE(o.text.find(":1:8: invalid UTF-8"), std::string::npos) << o.text;
    EXPECT_EQ(o.text.find(bad), std::string::npos) << o.text;
  }
  EXPECT_EQ(linksim("validate " + test::bundled("open_links.yaml") + " --set 'name=快手小店'").code,
            0);
  std::ofstream(dir / "target.csv") << "period,metric,value\n2022-01,gmv,1e9\n2022-02,gm\xFF,1\n";
  o = linksim("calibrate " + test::bundled("base.yaml") + " " + small +
              " --free buyers.session_rate=0.2:0.4 --target " + (dir / "target.csv").string() +
              " --out " + (dir / "cal").string());
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find((dir / "target.csv").string() + ":3:11: invalid UTF-8"), std::string::npos)
      << o.text;
  EXPECT_FALSE(fs::exists(dir / "cal" / "calibration.json"));
  fs::remove_all(dir);
}

// A scenario's name becomes a folder name: one that would leave the output
// folder, hide, hold control characters or be a Windows device is refused
// where it is written (exit 2, nothing created); a name that is taken in a
// comparison's folder (by a file it writes, or by another name differing
// only in case) gets the run's position appended instead of colliding.
TEST(Reliability, NamesThatBecomePathsStayInsideTheOutputFolder) {
  const fs::path dir = test::temp_path("linksim_names");
  fs::remove_all(dir);
  fs::create_directories(dir / "out");
  for (const std::string name :
       {"../../escaped", "a/b", "a\\b", ".hidden", "..", "NUL", "com1.txt", "tab\there", ""}) {
    const Output o = linksim("run " + test::bundled("open_links.yaml") + " " + small +
                             " --set 'name=" + name + "'");
    EXPECT_EQ(o.code, 2) << name << ": " << o.text;
    EXPECT_NE(o.text.find(":1:6: name: "), std::string::npos) << name << ": " << o.text;
  }
  EXPECT_FALSE(fs::exists("escaped"));
  EXPECT_FALSE(fs::exists(fs::path("out") / "escaped"));
  // Taken names in a comparison's folder.
  std::ofstream(dir / "a.yaml") << "extends: " << test::bundled("closed_loop.yaml")
                                << "\nname: comparison.json\n";
  std::ofstream(dir / "b.yaml") << "extends: " << test::bundled("open_links.yaml")
                                << "\nname: Comparison.JSON\n";
  std::ofstream(dir / "c.yaml") << "extends: " << test::bundled("open_links.yaml")
                                << "\nname: 快手小店 2022\n";
  const Output o = linksim("compare " + (dir / "a.yaml").string() + " " +
                           (dir / "b.yaml").string() + " " + (dir / "c.yaml").string() + " " +
                           small + " --report --out " + (dir / "out").string());
  ASSERT_EQ(o.code, 0) << o.text;
  EXPECT_TRUE(fs::is_regular_file(dir / "out" / "comparison.json"));
  EXPECT_TRUE(fs::is_regular_file(dir / "out" / "report.html"));
  EXPECT_TRUE(fs::exists(dir / "out" / "comparison.json-1" / "summary.json"));
  EXPECT_TRUE(fs::exists(dir / "out" / "Comparison.JSON-2" / "summary.json"));
  EXPECT_TRUE(fs::exists(dir / "out" / "快手小店 2022" / "summary.json"));
  fs::remove_all(dir);
}

// Two real processes on one --out: the second is refused at once with the
// first's pid (exit 1, nothing written); once the first is killed with
// SIGKILL, its lock file is recognised as stale and the next command writes
// its complete results, leaving no lock behind.
TEST(Reliability, OneWriterPerOutputFolder) {
  const fs::path out = test::temp_path("linksim_one_writer");
  fs::remove_all(out);
  const pid_t first = test::start_linksim({"run", test::bundled("open_links.yaml"), "--set",
                                           "population.buyers=200000", "--set", "calendar.days=365",
                                           "--replications", "4", "--threads", "1", "--quiet",
                                           "--out", out.string()});
  const auto lock = out / ".linksim.lock";
  for (int i = 0; i < 200 && !(fs::exists(lock) && fs::file_size(lock) > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(fs::exists(lock)) << "the first run never locked its folder";
  Output second =
      linksim("run " + test::bundled("open_links.yaml") + " " + small + " --out " + out.string());
  EXPECT_EQ(second.code, 1) << second.text;
  EXPECT_NE(second.text.find(out.string() + " is in use by another linksim (process " +
                             std::to_string(first) + ", still running)"),
            std::string::npos)
      << second.text;
  EXPECT_FALSE(fs::exists(out / "summary.json"));
  ::kill(first, SIGKILL);
  ::waitpid(first, nullptr, 0);
  EXPECT_TRUE(fs::exists(lock));                   // left behind by the killed run,
  EXPECT_FALSE(fs::exists(out / "summary.json"));  // which wrote nothing that looks complete
  const Output third =
      linksim("run " + test::bundled("open_links.yaml") + " " + small + " --out " + out.string());
  EXPECT_EQ(third.code, 0) << third.text;  // the stale lock taken over
  EXPECT_TRUE(fs::exists(out / "summary.json"));
  EXPECT_FALSE(fs::exists(lock));
  fs::remove_all(out);
}

// Degenerate worlds: no merchant (only the union pools sell), one merchant
// (categories without a listing), no streamer ever live, a one-day horizon,
// and no session at all (no order in any month; growth over a zero base).
// Each runs; no output holds NaN or infinity: an undefined metric is an
// empty cell (null in JSON) and reads "n/a" in the table.
TEST(Reliability, DegenerateWorldsWriteNoNanOrInfinity) {
  const std::string world =
      "--set population.buyers=2000 --set buyers.arrivals.per_day=4 --set population.merchants=60 "
      "--set population.streamers=15 --set calendar.warmup_days=5 --replications 2 --quiet ";
  const std::vector<std::string> cases = {
      "--set calendar.days=40 --set population.merchants=0",
      "--set calendar.days=40 --set population.merchants=1",
      "--set calendar.days=40 --set streamers.live_rate=0", "--set calendar.days=1",
      "--set calendar.days=200 --set buyers.session_rate=0 --set buyers.intent_share=0"};
  const std::regex bad(R"((^|[,:\[ ])-?(nan|NaN|inf|Inf|Infinity)([,\] \n]|$))");
  const fs::path out = test::temp_path("linksim_degenerate");
  for (const auto& c : cases) {
    fs::remove_all(out);
    const Output o = linksim("run " + test::bundled("open_links.yaml") + " " + world + c +
                             " --out " + out.string());
    ASSERT_EQ(o.code, 0) << c << ": " << o.text;
    EXPECT_FALSE(std::regex_search(o.text, bad)) << c << ": " << o.text;
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (!e.is_regular_file()) continue;
      ++files;
      const std::string text = test::read_file(e.path());
      std::smatch m;
      EXPECT_FALSE(std::regex_search(text, m, bad))
          << c << ": " << e.path().filename() << " holds '" << m.str() << "'";
    }
    EXPECT_GE(files, 10) << c;
    const auto summary = nlohmann::json::parse(test::read_file(out / "summary.json"));
    EXPECT_TRUE(summary["metrics"].is_object()) << c;
  }
  // No order at all: the store's share and every growth rate are undefined.
  const std::string quarterly = test::read_file(out / "quarterly.csv");
  EXPECT_NE(quarterly.find("\n2022-Q2,0,0,0,0,0,0,0,0,0,,,,,,,,,,"), std::string::npos)
      << quarterly.substr(0, 400);
  fs::remove_all(out);
}

// SIGKILL at moments across a command's life (a fixed schedule, so that a
// failure replays), for run, compare, sensitivity and calibrate: after each
// kill nothing looks complete (the file that marks finished results is
// absent unless the command had finished), and the command run again in the
// same folder ends with the same results, byte for byte, as an uninterrupted
// run, and no temporary file left.
TEST(Reliability, HardKillsLeaveNothingThatLooksCompleteAndARerunMatches) {
  const std::string world =
      "--set population.buyers=30000 --set buyers.arrivals.per_day=60 --set "
      "population.merchants=300 --set population.streamers=60 --set calendar.days=59 "
      "--set calendar.warmup_days=10 --replications 3 --threads 1 --quiet";
  const fs::path target = test::temp_path("linksim_kill_target.csv");
  std::ofstream(target) << "period,metric,value\n2022-01,gmv,3e8\n2022-02,gmv,3.2e8\n";
  struct Case {
    std::string args, marker;
    std::vector<std::string> same;  // files that must match the uninterrupted run's
  };
  const std::vector<Case> cases = {
      {"run " + test::bundled("open_links.yaml"),
       "summary.json",
       {"replications.csv", "monthly.csv", "daily_replications.csv"}},
      {"compare " + test::bundled("closed_loop.yaml") + " " + test::bundled("open_links.yaml"),
       "comparison.json",
       {"comparison.csv", "comparison_daily.csv", "open_links/replications.csv"}},
      {"sensitivity " + test::bundled("closed_loop.yaml") + " --samples 2 --vary " +
           "conversion.jump_loss=0.2:0.6 --vary buyers.session_rate=0.2:0.4",
       "sensitivity.json",
       {"sensitivity.csv", "sensitivity_design.csv"}},
      {"calibrate " + test::bundled("base.yaml") + " --free buyers.session_rate=0.2:0.5 " +
           "--evaluations 6 --bootstrap 20 --target " + target.string(),
       "calibration.json",
       {"calibration_fit.csv", "calibration_trace.csv", "calibrated.yaml"}}};
  const auto split = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  };
  for (const auto& c : cases) {
    const fs::path ref = test::temp_path("linksim_kill_ref"), out = test::temp_path("linksim_kill");
    fs::remove_all(ref);
    fs::remove_all(out);
    const auto started = std::chrono::steady_clock::now();
    const Output reference = linksim(c.args + " " + world + " --out " + ref.string());
    ASSERT_TRUE(reference.code == 0 || reference.code == 3) << c.args << ": " << reference.text;
    const double whole =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    int killed = 0;
    for (const double at : {0.05, 0.15, 0.3, 0.5}) {
      std::vector<std::string> args = split(c.args + " " + world);
      args.push_back("--out");
      args.push_back(out.string());
      const pid_t pid = test::start_linksim(args);
      std::this_thread::sleep_for(std::chrono::duration<double>(at * whole));
      int status = 0;
      const bool finished = ::waitpid(pid, &status, WNOHANG) == pid;
      if (!finished) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
      }
      // A marker that says finished (not a sweep-like "running") means the
      // results are whole: every file as the uninterrupted run's.
      const bool looks_complete =
          fs::exists(out / c.marker) &&
          test::read_file(out / c.marker).find("\"running\"") == std::string::npos;
      if (looks_complete) {
        for (const auto& f : c.same) {
          EXPECT_EQ(test::read_file(out / f), test::read_file(ref / f))
              << c.args << ": killed at " << at << " of its time, " << f << " looks complete";
        }
      }
      killed += finished ? 0 : 1;
    }
    // The reference ran under whatever else the machine was doing: half its
    // time may be all a later run takes.
    EXPECT_GE(killed, 2) << c.args << ": the command finished before most kills; make it longer";
    const Output again = linksim(c.args + " " + world + " --out " + out.string());
    ASSERT_EQ(again.code, reference.code) << c.args << ": " << again.text;
    for (const auto& f : c.same) {
      EXPECT_EQ(test::read_file(out / f), test::read_file(ref / f)) << c.args << ": " << f;
    }
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos)
          << c.args << ": " << e.path();
    }
    fs::remove_all(ref);
    fs::remove_all(out);
  }
  fs::remove(target);
}

}  // namespace
}  // namespace linksim
