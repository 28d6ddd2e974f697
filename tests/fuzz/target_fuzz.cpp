// libFuzzer harness over calibration targets: the bytes are a target CSV read
// against scenarios/kuaishou_2021_2023.yaml's horizon (three years of months),
// then valued on a replication's monthly table.
//
// Invalid text must end in a ScenarioError with at least one message; a
// target that reads must name only months of the horizon, and valuing it must
// not crash. Any crash, sanitizer report, hang or blow-up is a bug. Build and
// run: see docs/reliability.md.
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/target.hpp"
#include "linksim/result.hpp"
#include "linksim/scenario.hpp"
#include "metrics/periods.hpp"

namespace {

const linksim::Scenario& scenario() {
  static const linksim::Scenario s = linksim::load_scenario(std::string(LINKSIM_SOURCE_DIR) +
                                                            "/scenarios/kuaishou_2021_2023.yaml");
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const linksim::Scenario& s = scenario();
  const auto months = static_cast<int>(linksim::detail::month_labels(s).size());
  std::vector<linksim::TargetRow> rows;
  try {
    rows = linksim::detail::read_target_text(std::string(reinterpret_cast<const char*>(data), size),
                                             "fuzz_target.csv", s);
  } catch (const linksim::ScenarioError& e) {
    if (e.problems().empty()) __builtin_trap();  // an error must say what is wrong
    return 0;
  }
  for (const auto& r : rows) {
    if (r.months.empty()) __builtin_trap();  // a row must measure something
    for (const auto* list : {&r.months, &r.before}) {
      for (int m : *list) {
        if (m < 0 || m >= months) __builtin_trap();  // outside the horizon
      }
    }
  }
  const Eigen::MatrixXd monthly =
      Eigen::MatrixXd::Ones(months, static_cast<Eigen::Index>(linksim::monthly_info().size()));
  const std::vector<double> values = linksim::detail::target_values(rows, monthly);
  if (values.size() != rows.size()) __builtin_trap();
  return 0;
}
