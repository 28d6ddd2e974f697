// The library's analyses without a folder: sweep, sensitivity, calibration
// (NLopt and abc-smc) and forecast run in memory when given no folder (they
// read and write nothing, not even in the working folder), give the results
// they give with one, and their write step (write_sweep, write_sensitivity,
// write_calibration, write_abc, write_forecast) writes, from the result, the
// files the run with a folder wrote, byte for byte.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>

#include "linksim/analysis.hpp"
#include "linksim/experiment.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> small = test::small_sets(59);

RunOptions two_threads() { return test::threads(2); }

// The files directly in `dir` (not in its subfolders), by name.
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) names.insert(e.path().filename().string());
  }
  return names;
}

// Every file the write step wrote into `written` is the run's own file of
// that name in `ran`, byte for byte.
void expect_same_files(const fs::path& ran, const fs::path& written) {
  const auto names = files_in(written);
  EXPECT_FALSE(names.empty());
  for (const auto& name : names) {
    EXPECT_EQ(test::read_file(ran / name), test::read_file(written / name)) << name;
  }
}

// Runs `f` with the working folder an empty folder of its own, and expects
// the folder still empty afterwards: nothing was written anywhere relative.
template <class F>
auto in_empty_folder(const std::string& name, F&& f) {
  const fs::path here = fs::current_path();
  const fs::path empty = test::temp_path(name);
  fs::remove_all(empty);
  fs::create_directories(empty);
  fs::current_path(empty);
  auto result = f();
  fs::current_path(here);
  EXPECT_TRUE(fs::is_empty(empty)) << name << ": something was written";
  fs::remove_all(empty);
  return result;
}

bool same_bits(const std::vector<std::vector<double>>& a,
               const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return false;
    if (!a[i].empty() &&  // (an empty vector's data() may be null, which memcmp must not get)
        std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(double)) != 0) {
      return false;
    }
  }
  return true;
}

bool same_points(const std::vector<SweepPointResult>& a, const std::vector<SweepPointResult>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].seeds != b[i].seeds || a[i].replications.size() != b[i].replications.size()) {
      return false;
    }
    for (std::size_t r = 0; r < a[i].replications.size(); ++r) {
      const auto& x = a[i].replications[r];
      const auto& y = b[i].replications[r];
      if (x.size() != y.size()) return false;
      if (!x.empty() && std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0) {
        return false;
      }
    }
  }
  return true;
}

TEST(InMemory, SweepAndSensitivity) {
  const fs::path root = test::temp_path("linksim_in_memory_sweep");
  fs::remove_all(root);
  const SweepPlan plan =
      plan_sweep(test::bundled("open_links.yaml"), small, {"buyers.session_rate=0.25,0.35"});
  const SweepResult with = run_sweep(plan, root / "ran", two_threads());
  const SweepResult without =
      in_empty_folder("linksim_in_memory_cwd", [&] { return run_sweep(plan, "", two_threads()); });
  EXPECT_TRUE(same_points(with.points, without.points));
  write_sweep(without, root / "written");
  expect_same_files(root / "ran", root / "written");

  const SensitivityPlan design =
      plan_sensitivity(test::bundled("closed_loop.yaml"), small,
                       {"buyers.session_rate=0.2:0.4", "conversion.jump_loss=0.2:0.6"},
                       test::bundled("open_links.yaml"));
  const SensitivityResult a = run_sensitivity(design, root / "sens_ran", two_threads());
  const SensitivityResult b = in_empty_folder(
      "linksim_in_memory_cwd", [&] { return run_sensitivity(design, "", two_threads()); });
  EXPECT_TRUE(same_bits(a.quantity, b.quantity));  // NaN where undefined, in both
  write_sensitivity(b, root / "sens_written");
  expect_same_files(root / "sens_ran", root / "sens_written");
  fs::remove_all(root);
}

TEST(InMemory, CalibrationPosteriorAndForecast) {
  const fs::path root = test::temp_path("linksim_in_memory_fit");
  fs::remove_all(root);
  fs::create_directories(root);
  // A target from a run at a known session rate: January's and February's GMV.
  std::vector<std::string> truth_sets = small;
  truth_sets.push_back("buyers.session_rate=0.33");
  truth_sets.push_back("seed=7");
  const RunResult truth = run(load_scenario(test::bundled("closed_loop.yaml"), truth_sets));
  int gmv = 0;
  while (monthly_info()[gmv].name != "gmv") ++gmv;
  std::string csv = "period,metric,value\n";
  for (std::size_t m = 0; m < truth.months.size(); ++m) {
    csv += truth.months[m] + ",gmv," +
           factor_value(truth.monthly_mean(static_cast<Eigen::Index>(m), gmv)) + "\n";
  }
  std::ofstream(root / "target.csv") << csv;

  std::vector<std::string> nlopt = small;
  nlopt.push_back("calibration.evaluations=8");
  nlopt.push_back("calibration.bootstrap=20");
  const CalibrationPlan fit =
      plan_calibration(test::bundled("closed_loop.yaml"), nlopt, {"buyers.session_rate=0.2:0.5"},
                       root / "target.csv");
  const CalibrationResult a = run_calibration(fit, root / "cal_ran", two_threads());
  const CalibrationResult b = in_empty_folder(
      "linksim_in_memory_cwd", [&] { return run_calibration(fit, "", two_threads()); });
  EXPECT_EQ(a.keys[0].value, b.keys[0].value);
  EXPECT_EQ(a.rms, b.rms);
  write_calibration(b, root / "cal_written");
  expect_same_files(root / "cal_ran", root / "cal_written");

  std::vector<std::string> abc = small;
  abc.push_back("calibration.method=abc-smc");
  abc.push_back("calibration.particles=20");
  abc.push_back("calibration.generations=2");
  const CalibrationPlan bayes = plan_calibration(
      test::bundled("closed_loop.yaml"), abc, {"buyers.session_rate=0.2:0.5"}, root / "target.csv");
  const AbcResult p = run_abc(bayes, root / "abc_ran", two_threads());
  const AbcResult q =
      in_empty_folder("linksim_in_memory_cwd", [&] { return run_abc(bayes, "", two_threads()); });
  EXPECT_EQ(p.keys[0].median, q.keys[0].median);
  EXPECT_EQ(p.simulations, q.simulations);
  write_abc(q, root / "abc_written");
  expect_same_files(root / "abc_ran", root / "abc_written");

  const ForecastPlan ahead =
      plan_forecast(test::bundled("closed_loop.yaml"), root / "abc_ran" / "posterior.json", small,
                    test::bundled("open_links.yaml"), 4);
  const ForecastResult x = run_forecast(ahead, root / "fc_ran", two_threads());
  const ForecastResult y = in_empty_folder("linksim_in_memory_cwd",
                                           [&] { return run_forecast(ahead, "", two_threads()); });
  EXPECT_TRUE(same_bits(x.draw_gmv, y.draw_gmv));
  EXPECT_TRUE(same_bits(x.draw_gmv_other, y.draw_gmv_other));
  write_forecast(y, root / "fc_written");
  expect_same_files(root / "fc_ran", root / "fc_written");
  fs::remove_all(root);
}

}  // namespace
}  // namespace linksim
