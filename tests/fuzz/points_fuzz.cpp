// libFuzzer harness over points records (points/NNNNNN.json, what a resumed
// sweep or sensitivity analysis reads back): the bytes are point 0's record of
// a two-point sweep of a small scenarios/base.yaml. Its seed corpus holds the
// records of that sweep as linksim wrote them:
//   linksim sweep scenarios/base.yaml --vary buyers.session_rate=0.2,0.3
//     --set population.buyers=2000 --set population.merchants=50
//     --set population.streamers=20 --set calendar.days=30
//     --set calendar.warmup_days=5 --out /tmp/ptsw
//
// Any text must be either accepted as that point's result (its replications
// and metrics of the right count) or refused with a reason; never a crash, an
// exception, a sanitizer report or a hang. The payload is also read with the
// checksum bypassed, so mutations of the payload reach its checks (a random
// edit almost never keeps a checksum right). Build and run: see
// docs/reliability.md.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "experiment/points.hpp"
#include "linksim/experiment.hpp"

namespace {

const linksim::SweepPlan& plan() {
  static const linksim::SweepPlan p =
      linksim::plan_sweep(std::string(LINKSIM_SOURCE_DIR) + "/scenarios/base.yaml",
                          {"population.buyers=2000", "population.merchants=50",
                           "population.streamers=20", "calendar.days=30", "calendar.warmup_days=5"},
                          {"buyers.session_rate=0.2,0.3"});
  return p;
}

void check(bool accepted, const linksim::SweepPointResult& out, const std::string& why) {
  const auto n = static_cast<std::size_t>(plan().points[0].scenario.replications);
  if (accepted) {
    if (out.replications.size() != n || out.seeds.size() != n) __builtin_trap();
    for (const auto& r : out.replications) {
      if (r.size() != linksim::metric_info().size()) __builtin_trap();
    }
  } else if (why.empty()) {
    __builtin_trap();  // a refusal must say why
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  linksim::SweepPointResult out;
  std::string why;
  check(linksim::detail::read_point_record(plan(), 0, text, out, why), out, why);

  const auto record = nlohmann::json::parse(text, nullptr, false);
  if (record.is_object() && record.contains("payload")) {
    linksim::SweepPointResult bypassed;
    std::string reason;
    const bool ok =
        linksim::detail::parse_point_payload(plan(), 0, record["payload"], bypassed, reason);
    check(ok, bypassed, reason);
  }
  return 0;
}
