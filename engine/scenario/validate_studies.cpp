// Checks of the study blocks, which a run of the model does not read: the
// sweep's axes, the sensitivity analysis's and the calibration's methods and
// ranges of keys (validate.cpp checks the model's keys).
#include <set>

#include "scenario/bind.hpp"
#include "scenario/keys.hpp"

namespace linksim::detail {

namespace {

struct StudyChecker : RuleChecker {
  void sweep() {
    std::set<std::string> keys;
    for (std::size_t i = 0; i < s.sweep.size(); ++i) {
      const auto& a = s.sweep[i];
      const std::string at = "sweep[" + std::to_string(i) + "]";
      const bool listed = marks.has(at + ".values");
      if (a.values.size() > 10000) {
        fail(at + ".values",
             "too many values (expected at most 10000, the most points an axis "
             "may have, got " +
                 std::to_string(a.values.size()) + ")");
      }
      const bool grid =
          marks.has(at + ".from") || marks.has(at + ".to") || marks.has(at + ".points");
      if (listed && grid) {
        fail(at, "expected either 'values' or 'from', 'to' and 'points', got both");
      } else if (!listed && !grid) {
        fail(at, "expected 'values' or 'from', 'to' and 'points', got neither");
      } else if (grid) {
        for (const char* k : {"from", "to", "points"}) {
          if (!marks.has(at + "." + k)) {
            fail(at, std::string("an evenly spaced grid needs '") + k +
                         "' (expected from, to and "
                         "points, got no " +
                         k + ")");
          }
        }
      }
      if (a.key.rfind("sweep", 0) == 0 || a.key.rfind("sensitivity", 0) == 0 ||
          a.key.rfind("calibration", 0) == 0 || a.key == "extends") {
        fail(at + ".key", "expected a scenario key to vary, got '" + a.key + "'");
      } else if (!a.key.empty() && !keys.insert(a.key).second) {
        fail(at + ".key",
             "key varied twice (expected each key on one axis, got '" + a.key + "' again)");
      }
    }
  }

  void sensitivity() {
    const auto& z = s.sensitivity;
    if (z.method != "morris" && z.method != "sobol") {
      fail("sensitivity.method", "expected morris or sobol, got '" + z.method + "'");
    }
    if (z.levels % 2 != 0) {
      fail("sensitivity.levels",
           "expected an even number of levels, got " + std::to_string(z.levels));
    }
    ranges(z.factors, "sensitivity.factors", "factor");
  }

  void calibration() {
    const auto& c = s.calibration;
    if (c.method != "bobyqa" && c.method != "neldermead" && c.method != "sbplx" &&
        c.method != "abc-smc") {
      fail("calibration.method",
           "expected bobyqa, neldermead, sbplx or abc-smc, got '" + c.method + "'");
    }
    ranges(c.free, "calibration.free", "free key");
    for (std::size_t i = 0; i < c.free.size(); ++i) {
      if (c.free[i].key.rfind("calendar.", 0) == 0) {
        fail("calibration.free[" + std::to_string(i) + "].key",
             "the calendar fixes the target's periods (expected a model key, got '" +
                 c.free[i].key + "')");
      }
    }
  }

  // Keys with a range (sensitivity factors, calibration free keys): numeric
  // model keys, each once, from < to. Each end is also checked as a value of
  // its key (load.cpp).
  void ranges(const std::vector<SensitivityFactor>& list, const std::string& path,
              const std::string& what) {
    std::set<std::string> keys;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& f = list[i];
      const std::string at = path + "[" + std::to_string(i) + "]";
      KeyType type{};
      const bool known = key_type_of(f.key, type);
      if (f.key == "seed" || f.key == "replications" || f.key.rfind("sweep", 0) == 0 ||
          f.key.rfind("sensitivity", 0) == 0 || f.key.rfind("calibration", 0) == 0) {
        fail(at + ".key", "expected a model key to vary, got '" + f.key + "'");
      } else if (known && type != KeyType::real && type != KeyType::integer) {
        fail(at + ".key",
             "expected a numeric key, got '" + f.key + "' (a " + key_type_name(type) + ")");
      } else if (!f.key.empty() && !keys.insert(f.key).second) {
        fail(at + ".key",
             "key varied twice (expected each key in one " + what + ", got '" + f.key + "' again)");
      }
      if (f.prior != "uniform" && f.prior != "log_uniform") {
        fail(at + ".prior", "expected uniform or log_uniform, got '" + f.prior + "'");
      } else if (f.prior != "uniform" && what != "free key") {
        fail(at + ".prior",
             "a " + what + " is sampled uniformly (expected uniform, got '" + f.prior + "')");
      }
      if (marks.failed.count(at + ".from") || marks.failed.count(at + ".to")) continue;
      if (!(f.from < f.to)) {
        fail(at + ".to", "expected a range with from < to, got " + number_text(f.from) + " to " +
                             number_text(f.to));
      } else if (f.prior == "log_uniform" && !(f.from > 0)) {
        fail(at + ".from", "a log_uniform prior needs from > 0, got " + number_text(f.from));
      }
    }
  }
};

}  // namespace

void validate_studies(const Scenario& s, const KeyMarks& marks, Diagnostics& diags) {
  StudyChecker c{{s, marks, diags}};
  c.sweep();
  c.sensitivity();
  c.calibration();
}

}  // namespace linksim::detail
