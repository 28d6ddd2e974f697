// Work refused before it starts, at once and with what to change: a world
// too large for the memory (and the estimate that decides it), a scenario
// path that is no file, a sweep axis or a command too large to finish. The
// failures met mid-run are in reliability_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "linksim/simulation.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;
using test::linksim;
using test::Output;

const std::string small = test::small_flags(120);

// "At once": against the minute and more these took before their limits
// were checked first. 10 s, not 1: a process start and a scenario load took
// over 2 s on a 2-core machine busy with a build and other tests.
constexpr auto at_once = std::chrono::seconds(10);

TEST(Reliability, WorldTooLargeForTheMemoryIsRefused) {
  Output o =
      linksim("run " + test::bundled("open_links.yaml") + " --set population.buyers=2000000000");
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("needs about"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("GB is available; nothing was run"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("--force"), std::string::npos) << o.text;
  // One world at a time already: --threads 1 is not suggested again.
  o = linksim("run " + test::bundled("open_links.yaml") +
              " --set population.buyers=2000000000 --threads 1");
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_EQ(o.text.find("--threads 1"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("fewer buyers (or a smaller population.scale)"), std::string::npos)
      << o.text;
  for (const std::string& cmd :
       {"compare " + test::bundled("closed_loop.yaml") + " " + test::bundled("open_links.yaml"),
        "sweep " + test::bundled("open_links.yaml") + " --vary buyers.follows=1,2"}) {
    o = linksim(cmd + " --set population.buyers=2000000000");
    EXPECT_EQ(o.code, 2) << cmd << "\n" << o.text;
    EXPECT_NE(o.text.find("needs about"), std::string::npos) << o.text;
  }
  // A machine with 1 MB: refused, then run anyway with --force.
  const fs::path out = test::temp_path("linksim_rel_force");
  const std::string tiny =
      "run " + test::bundled("open_links.yaml") + " " + small + " --out " + out.string();
  o = linksim("--log-level warn " + tiny);
  ASSERT_EQ(o.code, 0) << o.text;
  fs::remove_all(out);
  o = test::linksim_env("LINKSIM_AVAILABLE_MEMORY=1000000", tiny);
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_FALSE(fs::exists(out));
  o = test::linksim_env("LINKSIM_AVAILABLE_MEMORY=1000000", tiny + " --force --log-level warn");
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("running anyway (--force)"), std::string::npos) << o.text;
  EXPECT_TRUE(fs::exists(out / "summary.json"));
  fs::remove_all(out);
}

// g++ says __SANITIZE_ADDRESS__ under ASan; clang 14 says it only through __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define LINKSIM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LINKSIM_TEST_ASAN 1
#endif
#endif

#if !defined(LINKSIM_TEST_ASAN)

// The estimate against the peak resident memory `linksim bench` measures
// (sanitizer builds double the memory, so only in plain builds).
TEST(Reliability, MemoryEstimateIsCloseToThePeak) {
  const fs::path json = test::temp_path("linksim_rel_mem.json");
  const Output o = linksim(
      "bench --buyers 2000000 --threads 1 --days 2 --kernel-days 1 --repeat 1 --quiet --json " +
      json.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const double peak = nlohmann::json::parse(test::read_file(json))[0]["peak_rss_bytes"];
  const Scenario s = load_scenario(
      test::bundled("open_links.yaml"),
      {"population.buyers=2000000", "calendar.days=2", "calendar.warmup_days=0", "replications=1"});
  RunOptions one;
  one.threads = 1;
  const double estimate = estimate_memory(s, one).total;
  EXPECT_NEAR(estimate / peak, 1.0, 0.25) << "estimate " << estimate << ", peak " << peak;
  fs::remove(json);
}
#endif

// A scenario path that is a folder, a device, a FIFO or a file of gigabytes
// is refused at once (exit 2, never opened: a FIFO or a device would block or
// never end), for every command that reads one.
TEST(Reliability, AScenarioThatIsNoFileIsRefusedAtOnce) {
  const fs::path dir = test::temp_path("linksim_notafile");
  fs::remove_all(dir);
  fs::create_directories(dir / "folder.yaml");
  ASSERT_EQ(test::shell("mkfifo " + (dir / "fifo.yaml").string()).code, 0);
  ASSERT_EQ(test::shell("truncate -s 3G " + (dir / "huge.yaml").string()).code, 0);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {(dir / "folder.yaml").string(), "it is a folder"},
      {"/dev/zero", "it is not a regular file (a FIFO, a device or a socket)"},
      {(dir / "fifo.yaml").string(), "it is not a regular file"},
      {(dir / "huge.yaml").string(), "it is 3072 MiB, over the limit of 16 MiB"}};
  for (const auto& [path, why] : cases) {
    for (const char* command : {"validate", "run"}) {
      const auto start = std::chrono::steady_clock::now();
      const Output o = test::shell("timeout 20 " + std::string(LINKSIM_BINARY) + " " + command +
                                   " " + path + " --quiet");
      EXPECT_EQ(o.code, 2) << command << " " << path << ": " << o.text;
      EXPECT_NE(o.text.find(path + ":1:1: cannot read the scenario file: " + why),
                std::string::npos)
          << o.text;
      EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << path;
    }
  }
  // The same for a file an extends chain names.
  std::ofstream(dir / "child.yaml") << "extends: folder.yaml\n";
  const Output o = linksim("validate " + (dir / "child.yaml").string());
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("extends: cannot read"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("it is a folder"), std::string::npos) << o.text;
  fs::remove_all(dir);
}

// An axis past the limit is refused by its own range before its values are
// expanded: a million-point grid, or a list of 20,000 values, is answered in
// well under a second (a million points took over a minute before).
TEST(Reliability, AGiantSweepAxisIsRefusedAtOnce) {
  auto start = std::chrono::steady_clock::now();
  Output o = linksim("sweep " + test::bundled("open_links.yaml") +
                     " --vary policy.0.taobao.fee=0:0.2:1000000 --out " +
                     test::temp_path("linksim_giant").string());
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("sweep[0].points: out of range (expected a value in [2, 10000], got "
                        "1000000)"),
            std::string::npos)
      << o.text;
  EXPECT_LT(std::chrono::steady_clock::now() - start, at_once);
  const fs::path file = test::temp_path("linksim_giant.yaml");
  {
    std::ofstream f(file);
    f << "extends: " << test::bundled("open_links.yaml")
      << "\nsweep:\n  - { key: policy.0.taobao.fee, values: [";
    for (int i = 0; i < 20000; ++i) f << (i ? "," : "") << i * 1e-5;
    f << "] }\n";
  }
  start = std::chrono::steady_clock::now();
  o = linksim("validate " + file.string());
  EXPECT_EQ(o.code, 2) << o.text.substr(0, 500);
  EXPECT_NE(o.text.find("sweep[0].values: too many values (expected at most 10000"),
            std::string::npos)
      << o.text.substr(0, 500);
  EXPECT_LT(std::chrono::steady_clock::now() - start, at_once);
  fs::remove(file);
}

// A command that would take more than a day is refused from the scenario and
// the design's size alone, before any point is resolved or any world built,
// in well under a second; --force runs it anyway (not tried here).
TEST(Reliability, ACommandThatWouldTakeDaysIsRefusedAtOnce) {
  const std::string memory = "LINKSIM_AVAILABLE_MEMORY=1000000000000";  // memory is not the limit
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"run " + test::bundled("kuaishou_2021_2023.yaml") +
           " --set population.scale=40 --replications 200",
       "kuaishou_2021_2023: about 8.75e+12 buyer-days, some 61 hours"},
      {"sweep " + test::bundled("open_links.yaml") +
           " --vary policy.0.taobao.fee=0:0.2:10000 --vary conversion.jump_loss=0.1:0.9:10",
       "sweep of open_links (100000 points): about"},
      {"sensitivity " + test::bundled("closed_loop.yaml") +
           " --method sobol --samples 65536 --set population.scale=5 --vary "
           "conversion.jump_loss=0.2:0.6 --vary buyers.session_rate=0.2:0.4",
       "sensitivity of closed_loop (262144 points): about"},
      {"calibrate " + test::bundled("kuaishou_2021_2023.yaml") +
           " --evaluations 5000 --set population.scale=5",
       "calibration of kuaishou_2021_2023: about"}};
  const fs::path out = test::temp_path("linksim_days");
  fs::remove_all(out);
  for (const auto& [args, said] : cases) {
    const auto start = std::chrono::steady_clock::now();
    const Output o = linksim(args + " --threads 2 --out " + out.string(), memory);
    EXPECT_EQ(o.code, 2) << args << ": " << o.text;
    EXPECT_NE(o.text.find(said), std::string::npos) << o.text;
    EXPECT_NE(o.text.find("nothing was run (over the limit of 24 hours"), std::string::npos)
        << o.text;
    EXPECT_LT(std::chrono::steady_clock::now() - start, at_once) << args;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
}

}  // namespace
}  // namespace linksim
