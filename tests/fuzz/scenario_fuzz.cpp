// libFuzzer harness over the whole scenario path: YAML text -> parse ->
// `extends` merge -> --set and --vary overrides -> validation -> the world
// built and run for one day. Lines "#set KEY=VALUE" and "#vary KEY=..." of
// the input (YAML comments to the parser) become overrides, so the fuzzer
// reaches those paths too. `extends` resolves against scenarios/.
//
// Any crash, sanitizer report, hang (-timeout) or blow-up (-rss_limit_mb) is
// a bug: invalid input must end in a ScenarioError, valid input in a world.
// Build and run: see docs/reliability.md.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "linksim/experiment.hpp"
#include "linksim/simulation.hpp"

namespace {

// Worlds larger than this are checked (estimate and all) but not built: a
// fuzzer run is about many inputs, and memory refusals are tested elsewhere.
constexpr double max_world_bytes = 48e6;

void lines_starting(const std::string& text, const std::string& prefix,
                    std::vector<std::string>& out) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    if (line.rfind(prefix, 0) == 0) out.push_back(line.substr(prefix.size()));
    if (end == std::string::npos) break;
    at = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> sets, vary;
  lines_starting(text, "#set ", sets);
  lines_starting(text, "#vary ", vary);
  const std::string file = std::string(LINKSIM_SOURCE_DIR) + "/scenarios/fuzz.yaml";
  linksim::Scenario s;
  try {
    s = linksim::load_scenario_text(text, file, sets, vary);
  } catch (const linksim::ScenarioError& e) {
    if (e.problems().empty()) __builtin_trap();  // an error must say what is wrong
    return 0;
  }
  linksim::RunOptions one;
  one.threads = 1;
  const linksim::MemoryEstimate m = linksim::estimate_memory(s, one);
  if (!(m.per_world > 0) || m.per_world > max_world_bytes) return 0;
  if (s.population.buyers > 50000 || s.population.streamers > 20000 ||
      s.population.merchants > 20000) {
    return 0;  // valid, but slow to fuzz through
  }
  linksim::Simulation sim(s, 1, 1);
  sim.step();
  return 0;
}
