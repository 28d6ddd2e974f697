// linksim under mpirun (a build with LINKSIM_MPI=ON; skipped otherwise):
// with 1, 2 and 3 ranks (oversubscribed on a 2-core machine) a comparison, a
// sweep and a world split over the ranks (--partition-buyers), and with 2 a
// run and a sensitivity analysis, write the same files as the single process,
// bit for bit; an invalid scenario, on every rank or on one, stops every rank
// with one message and a non-zero exit; a killed rank ends the job.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ensemble.hpp"
#include "linksim/distributed.hpp"
#include "support.hpp"
#include "world/build.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string world =
    " --set population.buyers=3000 --set buyers.arrivals.per_day=6 --set population.merchants=80 "
    "--set population.streamers=20 "
    "--set calendar.warmup_days=10 ";

// mpirun as root needs its consent; --oversubscribe lets 3 ranks share 2 cores.
const std::string mpirun_prefix =
    "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
    "timeout 120 mpirun --oversubscribe ";

test::Output mpirun(int ranks, const std::string& args) {
  return test::shell(mpirun_prefix + "-np " + std::to_string(ranks) + " " +
                     std::string(LINKSIM_BINARY) + " " + args);
}

// Two ranks that run different command lines (mpirun's MPMD form): rank 0
// runs `rank0`, rank 1 runs `rank1` (each a command and its arguments).
test::Output mpirun_two(const std::string& rank0, const std::string& rank1) {
  return test::shell(mpirun_prefix + "-np 1 " + rank0 + " : -np 1 " + rank1);
}

// A JSON file without its timings.
json without_seconds(json j) {
  if (j.is_object()) {
    j.erase("seconds");
    for (auto& [k, v] : j.items()) v = without_seconds(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = without_seconds(v);
  }
  return j;
}

// Every file of `b` equals `a`'s: CSV and YAML byte for byte, JSON but for timings.
void expect_same_folder(const fs::path& a, const fs::path& b) {
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), a);
    ASSERT_TRUE(fs::exists(b / rel)) << rel;
    ++files;
    if (rel.extension() == ".json") {
      EXPECT_EQ(without_seconds(json::parse(test::read_file(a / rel))),
                without_seconds(json::parse(test::read_file(b / rel))))
          << rel;
    } else {
      EXPECT_EQ(test::read_file(a / rel), test::read_file(b / rel)) << rel;
    }
  }
  EXPECT_GT(files, 3);
}

// `needle` is in `text` exactly once.
void expect_once(const std::string& text, const std::string& needle) {
  const auto first = text.find(needle);
  ASSERT_NE(first, std::string::npos) << "missing: " << needle << "\n" << text;
  EXPECT_EQ(text.find(needle, first + 1), std::string::npos) << "printed twice:\n" << text;
}

// A short run of open_links into `dir`, as a command line for mpirun_two.
std::string short_run(const fs::path& dir) {
  return std::string(LINKSIM_BINARY) + " run " + test::bundled("open_links.yaml") + world +
         "--set calendar.days=20 --out " + dir.string();
}

class Mpi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!distributed_build()) GTEST_SKIP() << "not an MPI build (preset mpi)";
  }
};

// Without mpirun the MPI build runs as the default build does, without
// starting MPI: a singleton MPI_Init would take 0.3 s per command and start a
// PMIx server, which dies under a 16 KiB file size limit (the whole suite's
// Reliability.FullDiskKeepsEarlierResults relies on this in an MPI build).
// A point-to-point layer that does not exist makes any MPI_Init fail, so the
// command fails exactly when MPI starts: LINKSIM_MPI=1 shows that it would.
TEST_F(Mpi, WithoutMpirunNoMpiIsStarted) {
  std::string unset = "-u LINKSIM_MPI";
  for (const char* name : launcher_variables()) unset += std::string(" -u ") + name;
  const auto bare = [&unset](const std::string& env, const std::string& args) {
    return test::shell("env " + unset + " OMPI_MCA_pml=no_such_layer " + env +
                       " bash -c 'ulimit -f 16; exec " + std::string(LINKSIM_BINARY) + " " + args +
                       "'");
  };
  for (const std::string& args :
       {std::string("--version"), "validate " + test::bundled("open_links.yaml")}) {
    const test::Output out = bare("", args);
    EXPECT_EQ(out.code, 0) << args << "\n" << out.text;
    EXPECT_EQ(out.text.find("MPI_Init"), std::string::npos) << args << "\n" << out.text;
    EXPECT_EQ(out.text.find("PMIX"), std::string::npos) << args << "\n" << out.text;
  }
  const test::Output forced = bare("LINKSIM_MPI=1", "--version");
  EXPECT_NE(forced.code, 0) << forced.text;
  EXPECT_NE(forced.text.find("MPI_Init"), std::string::npos) << forced.text;
  const test::Output typo = bare("LINKSIM_MPI=yes", "--version");
  EXPECT_EQ(typo.code, 2) << typo.text;
  EXPECT_NE(typo.text.find("LINKSIM_MPI must be 1 (start MPI) or 0 (do not), not 'yes'"),
            std::string::npos)
      << typo.text;
}

TEST_F(Mpi, CompareIsBitIdenticalOnOneTwoAndThreeRanks) {
  const std::string args = "compare " + test::bundled("closed_loop.yaml") + " " +
                           test::bundled("open_links.yaml") + world +
                           "--set calendar.days=60 --replications 5 --threads 1 --out ";
  const fs::path ref = test::temp_path("mpi_compare_ref");
  fs::remove_all(ref);
  const test::Output single = test::linksim(args + ref.string());
  ASSERT_EQ(single.code, 0) << single.text;
  for (int ranks : {1, 2, 3}) {
    const fs::path dir = test::temp_path("mpi_compare_" + std::to_string(ranks));
    fs::remove_all(dir);
    // Rank 0 ran its share only (replications 0, P, 2P...); it alone writes
    // the report, once the results are there.
    const test::Output out = mpirun(ranks, args + dir.string() + " --log-level debug --report");
    ASSERT_EQ(out.code, 0) << out.text;
    EXPECT_TRUE(fs::exists(dir / "report.html"));
    if (ranks == 3) {
      EXPECT_NE(out.text.find("MPI rank 0 of 3 runs replications 0, 3\n"), std::string::npos)
          << out.text;
    }
    expect_same_folder(ref, dir);
    fs::remove_all(dir);
  }
  fs::remove_all(ref);
}

TEST_F(Mpi, SweepIsBitIdenticalOnOneTwoAndThreeRanks) {
  // Five points: with 3 ranks, batches of points 0-2 and 3-4, one point per rank.
  const std::string args =
      "sweep " + test::bundled("open_links.yaml") + world +
      "--set calendar.days=40 --replications 3 --vary conversion.jump_loss=0.2:0.6:5 --out ";
  const fs::path ref = test::temp_path("mpi_sweep_ref");
  fs::remove_all(ref);
  const test::Output single = test::linksim(args + ref.string() + " --quiet");
  ASSERT_EQ(single.code, 0) << single.text;
  for (int ranks : {1, 2, 3}) {
    const fs::path dir = test::temp_path("mpi_sweep_" + std::to_string(ranks));
    fs::remove_all(dir);
    const test::Output out = mpirun(ranks, args + dir.string() + " --log-level debug");
    ASSERT_EQ(out.code, 0) << out.text;
    if (ranks == 3) {
      EXPECT_NE(out.text.find("MPI rank 0 of 3 runs point 3\n"), std::string::npos) << out.text;
      EXPECT_EQ(out.text.find("MPI rank 0 of 3 runs point 1\n"), std::string::npos) << out.text;
    }
    expect_same_folder(ref, dir);
    fs::remove_all(dir);
  }
  fs::remove_all(ref);
}

TEST_F(Mpi, RunAndSensitivityAreBitIdenticalOnTwoRanks) {
  // run: replications 0 and 2 on rank 0, 1 on rank 1; sensitivity: its
  // design's points in batches of two, as a sweep's.
  const std::vector<std::string> commands = {
      "run " + test::bundled("open_links.yaml") + world +
          "--set calendar.days=60 --replications 3 --out ",
      "sensitivity " + test::bundled("closed_loop.yaml") + " --compare " +
          test::bundled("open_links.yaml") + world +
          "--set calendar.days=30 --replications 2 --samples 2 --vary conversion.jump_loss=0.2:0.6 "
          "--vary buyers.app_share.jd=0.3:0.7 --out "};
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const fs::path ref = test::temp_path("mpi_cmd_ref_" + std::to_string(i));
    const fs::path dir = test::temp_path("mpi_cmd_" + std::to_string(i));
    fs::remove_all(ref);
    fs::remove_all(dir);
    const test::Output single = test::linksim(commands[i] + ref.string() + " --quiet");
    ASSERT_EQ(single.code, 0) << single.text;
    const test::Output out = mpirun(2, commands[i] + dir.string() + " --quiet");
    ASSERT_EQ(out.code, 0) << out.text;
    expect_same_folder(ref, dir);
    fs::remove_all(ref);
    fs::remove_all(dir);
  }
}

// abc-smc's particles spread over the ranks (each simulates its share of a
// batch, rank 0 journals them all), and a forecast's draws: the same
// posterior and forecast files as one process. (The journal's lines come in
// the order simulations finish, so it is not compared.)
TEST_F(Mpi, AbcSmcAndForecastAreBitIdenticalOnTwoAndThreeRanks) {
  const fs::path target = test::temp_path("mpi_abc_target.csv");
  std::ofstream(target) << "period,metric,value,unit\n2022-01,gmv,200000,RMB\n"
                           "2022-02,in_store_share,0.97,fraction\n";
  const std::string cal = "calibrate " + test::bundled("open_links.yaml") + world +
                          "--set calendar.days=60 --target " + target.string() +
                          " --method abc-smc --free buyers.session_rate=0.2:0.5 --particles 20 "
                          "--generations 3 --quiet --out ";
  const fs::path ref = test::temp_path("mpi_abc_ref");
  fs::remove_all(ref);
  ASSERT_EQ(test::linksim(cal + ref.string()).code, 0);
  const std::string fc = "forecast " + test::bundled("open_links.yaml") + world +
                         "--set calendar.days=60 --draws 5 --quiet --posterior ";
  const fs::path ref_fc = test::temp_path("mpi_fc_ref");
  ASSERT_EQ(
      test::linksim(fc + (ref / "posterior.json").string() + " --out " + ref_fc.string()).code, 0);
  for (int ranks : {2, 3}) {
    const fs::path dir = test::temp_path("mpi_abc_" + std::to_string(ranks));
    fs::remove_all(dir);
    const test::Output out = mpirun(ranks, cal + dir.string());
    ASSERT_EQ(out.code, 0) << out.text;
    for (const char* f :
         {"posterior.csv", "abc_particles.csv", "abc_generations.csv", "abc_fit.csv"}) {
      EXPECT_EQ(test::read_file(dir / f), test::read_file(ref / f)) << f << " on " << ranks;
    }
    // The journal holds every simulation once, whichever rank ran it.
    const std::string a = test::read_file(ref / "abc_journal.csv");
    const std::string b = test::read_file(dir / "abc_journal.csv");
    EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), std::count(b.begin(), b.end(), '\n'));
    const fs::path dir_fc = test::temp_path("mpi_fc_" + std::to_string(ranks));
    const test::Output f =
        mpirun(ranks, fc + (ref / "posterior.json").string() + " --out " + dir_fc.string());
    ASSERT_EQ(f.code, 0) << f.text;
    for (const char* file : {"quarterly.csv", "yearly.csv", "forecast_draws.csv"}) {
      EXPECT_EQ(test::read_file(dir_fc / file), test::read_file(ref_fc / file)) << file;
    }
    fs::remove_all(dir);
    fs::remove_all(dir_fc);
  }
  fs::remove_all(ref);
  fs::remove_all(ref_fc);
  fs::remove(target);
}

TEST_F(Mpi, SplitWorldIsBitIdenticalOnOneTwoAndThreeRanks) {
  // 20,000 buyers and the slots of their arrivals: 5 demand chunks, split
  // over 2 and 3 ranks.
  // kuaishou_2022: the cut, the reopening, a lockdown, a promotion.
  const std::string args = "run " + test::bundled("kuaishou_2022.yaml") +
                           " --set population.buyers=20000 --set buyers.arrivals.per_day=40 "
                           " --set population.merchants=300 "
                           "--set population.streamers=100 "
                           "--set calendar.warmup_days=20 --replications 2 --out ";
  const fs::path ref = test::temp_path("mpi_split_ref");
  fs::remove_all(ref);
  const test::Output single = test::linksim(args + ref.string() + " --threads 2 --quiet");
  ASSERT_EQ(single.code, 0) << single.text;
  for (int ranks : {1, 2, 3}) {
    const fs::path dir = test::temp_path("mpi_split_" + std::to_string(ranks));
    fs::remove_all(dir);
    const test::Output out =
        mpirun(ranks, args + dir.string() + " --partition-buyers --threads 1 --log-level debug");
    ASSERT_EQ(out.code, 0) << out.text;
    if (ranks == 3) {
      // Model v2: the ranks split the buyer slots (the 20,000 and the
      // arrivals' bound) in whole demand chunks.
      const Scenario s = load_scenario(
          test::bundled("kuaishou_2022.yaml"),
          {"population.buyers=20000", "buyers.arrivals.per_day=40", "population.merchants=300",
           "population.streamers=100", "calendar.warmup_days=20"});
      const std::int64_t slots = detail::buyer_slots(s);
      const auto slice = detail::buyer_slice(slots, detail::demand_chunk, 0, 3);
      const std::string line = "MPI rank 0 of 3 holds buyer slots [0, " +
                               std::to_string(slice.end) + ") of " + std::to_string(slots);
      EXPECT_GT(slots, 3 * detail::demand_chunk);  // every rank holds a chunk or more
      EXPECT_NE(out.text.find(line), std::string::npos) << line << "\n" << out.text;
    }
    expect_same_folder(ref, dir);
    fs::remove_all(dir);
  }
  fs::remove_all(ref);
}

TEST_F(Mpi, ARankThatDiesEndsTheJobAndLeavesNoResult) {
  const fs::path dir = test::temp_path("mpi_killed");
  fs::remove_all(dir);
  // Two ranks share a world; one is killed (SIGKILL) a second in.
  const std::string run =
      "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
      "OMPI_MCA_btl=self,vader timeout 120 mpirun --oversubscribe -np 2 " +
      std::string(LINKSIM_BINARY) + " run " + test::bundled("open_links.yaml") +
      " --set population.buyers=200000 --replications 4 --threads 1 "
      "--partition-buyers --quiet --out " +
      dir.string();
  // pkill picks a rank: the only processes whose command line starts with the
  // binary. It is tried every 0.1 s until a rank has started and been killed
  // (at most 60 s), so that a slow start cannot make the test kill nothing.
  const std::string rank = "\"^" + std::string(LINKSIM_BINARY) + " run .*" + dir.string() + "\"";
  const std::string status =
      test::shell("sh -c '" + run + " > " + dir.string() + ".log 2>&1 & sleep 1; killed=no; " +
                  "for i in $(seq 600); do pkill -KILL -n -f " + rank +
                  " && { killed=yes; break; }; sleep 0.1; done; wait $!; echo $? $killed'")
          .text;
  const std::string log = test::read_file(dir.string() + ".log");
  ASSERT_NE(status.find("yes"), std::string::npos) << "no rank was found to kill\n" << log;
  EXPECT_NE(std::stoi(status), 0) << log;
  EXPECT_NE(log.find("signal 9"), std::string::npos) << log;  // mpirun names the dead rank
  EXPECT_FALSE(fs::exists(dir / "summary.json"));
  fs::remove_all(dir);
  fs::remove(dir.string() + ".log");
}

TEST_F(Mpi, AFolderRankZeroCannotWriteStopsEveryRank) {
  // Rank 0 cannot create the sweep's folder (a file is in the way): every
  // rank stops instead of waiting for it.
  const fs::path file = test::temp_path("mpi_in_the_way");
  std::ofstream(file) << "a file\n";
  const test::Output out =
      mpirun(2, "sweep " + test::bundled("open_links.yaml") + world +
                    "--quiet --set calendar.days=20 --vary conversion.jump_loss=0.2,0.5 --out " +
                    (file / "sweep").string());
  EXPECT_NE(out.code, 0) << out.text;
  EXPECT_NE(out.code, 124) << "timed out: a rank waited forever\n" << out.text;
  fs::remove(file);
}

TEST_F(Mpi, AnInvalidScenarioStopsEveryRankWithOneMessage) {
  const fs::path dir = test::temp_path("mpi_invalid");
  fs::remove_all(dir);
  const test::Output out = mpirun(3, "run " + test::bundled("open_links.yaml") +
                                         " --set buyers.sesion_rate=0.3 --out " + dir.string());
  EXPECT_NE(out.code, 0) << out.text;
  expect_once(out.text, "buyers.sesion_rate: unknown key (did you mean 'session_rate'?)");
  EXPECT_FALSE(fs::exists(dir));
}

TEST_F(Mpi, AProblemOnOneRankOnlyStopsEveryRankWithItsMessage) {
  // Rank 1 alone is given a typo'd key: rank 0 must not go on and wait for it.
  const fs::path dir = test::temp_path("mpi_one_invalid");
  fs::remove_all(dir);
  const test::Output out =
      mpirun_two(short_run(dir), short_run(dir) + " --set buyers.sesion_rate=0.3");
  EXPECT_EQ(out.code, 2) << out.text;
  expect_once(out.text, "buyers.sesion_rate: unknown key");
  EXPECT_NE(out.text.find("rank 1: "), std::string::npos) << out.text;
  EXPECT_FALSE(fs::exists(dir));
}

TEST_F(Mpi, TooLittleMemoryOnOneRankStopsEveryRank) {
  // Rank 1's node has (it is told) 1 MB: the memory check fails there only.
  const fs::path dir = test::temp_path("mpi_one_small_node");
  fs::remove_all(dir);
  const test::Output out =
      mpirun_two(short_run(dir), "env LINKSIM_AVAILABLE_MEMORY=1000000 " + short_run(dir));
  EXPECT_EQ(out.code, 2) << out.text;
  expect_once(out.text, "needs about");
  EXPECT_NE(out.text.find("rank 1: "), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("is available; nothing was run"), std::string::npos) << out.text;
  EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace linksim
