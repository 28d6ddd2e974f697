// Turning a finished replication's world into its metrics.
#pragma once

#include <string>
#include <vector>

#include "linksim/result.hpp"
#include "metrics/periods.hpp"
#include "world/world.hpp"

namespace linksim::detail {

ReplicationResult finish_replication(const Scenario& s, const World& w);

}  // namespace linksim::detail
