// Google Benchmark of the simulated day: the whole step and its demand phase,
// for the default world at several buyer counts and thread counts. Built with
// -DLINKSIM_BUILD_BENCHMARKS=ON; figures go to docs/performance.md.
#include <benchmark/benchmark.h>

#include "day/phases.hpp"
#include "linksim/simulation.hpp"
#include "rng.hpp"
#include "world/world.hpp"

namespace {

using namespace linksim;

Scenario bench_world(std::int64_t buyers) {
  return load_scenario(std::string(LINKSIM_SOURCE_DIR) + "/scenarios/open_links.yaml",
                       {"population.buyers=" + std::to_string(buyers), "calendar.warmup_days=0"});
}

// One whole day (every phase); items are buyer-days.
void BM_Step(benchmark::State& state) {
  const Scenario s = bench_world(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  Simulation sim(s, detail::replication_seed(s.seed, 0), threads);
  for (int d = 0; d < 30; ++d) sim.step();  // carts filled, stock settled
  for (auto _ : state) {
    if (sim.done()) {
      state.SkipWithError("horizon reached");
      break;
    }
    sim.step();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Step)
    ->ArgsProduct({{100000, 1000000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

// The demand phase alone, on a fixed day.
void BM_Demand(benchmark::State& state) {
  const Scenario s = bench_world(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  Simulation sim(s, detail::replication_seed(s.seed, 0), threads);
  for (int d = 0; d < 30; ++d) sim.step();
  for (auto _ : state) {
    detail::generate_demand(s, sim.world(), threads);
    benchmark::DoNotOptimize(sim.world().orders.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Demand)->ArgsProduct({{100000, 1000000}, {1, 2}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
