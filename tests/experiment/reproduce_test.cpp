// The resolved scenario a run saves reproduces that run bit for bit.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "linksim/experiment.hpp"
#include "support.hpp"

namespace linksim {
namespace {

TEST(Reproduce, SavedScenarioReproducesTheRun) {
  const auto dir = test::temp_path("linksim_reproduce_test");
  std::filesystem::remove_all(dir);
  const Scenario s = test::small_world("seed: 777\n");
  write_run(run(s, test::threads(2)), dir / "first");
  const Scenario again = load_scenario(dir / "first" / "scenario.yaml");
  write_run(run(again, test::threads(1)), dir / "second");
  for (const char* f : {"replications.csv", "timeseries.csv", "monthly.csv", "scenario.yaml"}) {
    EXPECT_EQ(test::read_file(dir / "first" / f), test::read_file(dir / "second" / f)) << f;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linksim
