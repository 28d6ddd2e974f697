// A program built against an installed linksim: loads a bundled scenario with
// overrides, runs two replications, prints the GMV, and shows that a bad
// override is a ScenarioError naming the key. Exit 0 when all of that works.
#include <cstdio>
#include <linksim/experiment.hpp>
#include <linksim/scenario.hpp>
#include <linksim/simulation.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer SCENARIO.yaml\n");
    return 2;
  }
  const std::vector<std::string> small = {"population.buyers=2000",  "buyers.arrivals.per_day=4",
                                          "population.merchants=60", "population.streamers=15",
                                          "calendar.days=30",        "calendar.warmup_days=5",
                                          "replications=2"};
  const linksim::Scenario s = linksim::load_scenario(argv[1], small);
  const linksim::RunResult r = linksim::run(s, {.threads = 2});
  std::printf("%s: %zu replications, GMV %s\n", s.name.c_str(), r.replications.size(),
              linksim::format_rmb(r.metrics.at(0).mean).c_str());
  try {
    linksim::load_scenario(argv[1], {"buyers.sesion_rate=1"});
    std::fprintf(stderr, "a misspelt key was accepted\n");
    return 1;
  } catch (const linksim::ScenarioError& e) {
    std::printf("%s\n", e.problems().at(0).c_str());
    return e.problems().at(0).find("sesion_rate") == std::string::npos ? 1 : 0;
  }
}
