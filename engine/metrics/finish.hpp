// Turning a finished replication's world into its metrics.
#pragma once

#include <string>
#include <vector>

#include "linksim/result.hpp"
#include "world/world.hpp"

namespace linksim::detail {

// Month index (0 = the start month) of every day of the horizon.
std::vector<int> month_index(const Scenario& s);
// "YYYY-MM" of every month the horizon touches.
std::vector<std::string> month_labels(const Scenario& s);
// "YYYY-Qn" of every calendar quarter the horizon touches.
std::vector<std::string> quarter_labels(const Scenario& s);

ReplicationResult finish_replication(const Scenario& s, const World& w);

}  // namespace linksim::detail
