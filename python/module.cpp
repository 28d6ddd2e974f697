// linksim._linksim: the C++ library for Python (pybind11). Scenarios are
// loaded, read, changed and validated through the library's key table; runs
// and comparisons simulate on a thread of their own with the GIL released,
// while the calling thread reports progress and checks for Ctrl-C every
// 50 ms (a KeyboardInterrupt stops the run within a simulated day). Results
// come back as plain dicts of lists and NumPy arrays; linksim/__init__.py
// turns them into pandas DataFrames.
#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "linksim/analysis.hpp"
#include "linksim/experiment.hpp"
#include "linksim/scenario.hpp"
#include "linksim/simulation.hpp"

namespace py = pybind11;
using namespace linksim;

namespace {

py::object scenario_error;  // linksim._linksim.ScenarioError, set at import

// A ScenarioError as the Python exception, its problems taken apart.
[[noreturn]] void raise_scenario_error(const ScenarioError& e) {
  py::list problems;
  for (const auto& text : e.problems()) {
    const ScenarioProblem p = parse_problem(text);
    problems.append(py::dict(py::arg("text") = text, py::arg("file") = p.file,
                             py::arg("line") = p.line, py::arg("column") = p.column,
                             py::arg("key") = p.key, py::arg("message") = p.message));
  }
  PyErr_SetObject(scenario_error.ptr(), py::make_tuple(e.what(), problems).ptr());
  throw py::error_already_set();
}

template <class F>
auto checked(F f) {
  try {
    return f();
  } catch (const ScenarioError& e) {
    raise_scenario_error(e);
  }
}

py::list columns(const std::vector<ColumnInfo>& info) {
  py::list out;
  for (const auto& c : info) out.append(py::make_tuple(c.name, c.unit, c.doc));
  return out;
}

py::dict interval(const Interval& iv) {
  return py::dict(py::arg("mean") = iv.mean, py::arg("sd") = iv.sd, py::arg("ci95_low") = iv.lo,
                  py::arg("ci95_high") = iv.hi, py::arg("n") = iv.n);
}

py::dict run_dict(const RunResult& r) {
  py::list reps;
  for (const auto& rep : r.replications) {
    reps.append(py::dict(py::arg("index") = rep.index, py::arg("seed") = rep.seed,
                         py::arg("metrics") = rep.metrics, py::arg("daily") = rep.daily,
                         py::arg("monthly") = rep.monthly, py::arg("quarterly") = rep.quarterly));
  }
  py::list dates;
  for (int d = 0; d < r.scenario.calendar.days; ++d) {
    dates.append(format_date(r.scenario.calendar.start + d));
  }
  py::list summary;
  for (const auto& iv : r.metrics) summary.append(interval(iv));
  return py::dict(py::arg("name") = r.scenario.name, py::arg("seed") = r.scenario.seed,
                  py::arg("version") = r.version, py::arg("commit") = r.commit,
                  py::arg("dates") = dates, py::arg("months") = r.months,
                  py::arg("quarters") = r.quarters, py::arg("replications") = reps,
                  py::arg("summary") = summary, py::arg("seconds") = r.seconds);
}

// Runs `work` on a thread of its own with the GIL released; meanwhile this
// thread, every 50 ms and with the GIL, passes the progress to `progress`
// (when not None) and checks for signals: Ctrl-C sets the cancel flag, the
// work stops at the end of its simulated day, and the KeyboardInterrupt is
// raised here. Any exception of the work is rethrown here.
template <class Result>
Result simulate(const std::function<Result(RunOptions&)>& work, int threads, int replications,
                const py::object& progress) {
  std::atomic<int> cancel{0};
  std::atomic<double> fraction{0};
  std::atomic<bool> finished{false};
  RunOptions options;
  options.threads = threads;
  options.replications = replications;
  options.cancel = &cancel;
  options.progress = [&](const Progress& p) { fraction.store(p.fraction); };
  Result result;
  std::exception_ptr failure;
  std::thread worker;
  {
    py::gil_scoped_release released;
    worker = std::thread([&] {
      try {
        result = work(options);
      } catch (...) {
        failure = std::current_exception();
      }
      finished.store(true);
    });
  }
  bool interrupted = false;
  while (true) {
    bool done = false;
    {
      py::gil_scoped_release released;
      for (int i = 0; i < 10 && !(done = finished.load()); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;  // the Python error stays set; raised once the work has stopped
      cancel.store(SIGINT);
    }
    if (!interrupted && !progress.is_none()) {
      try {
        progress(fraction.load());
      } catch (py::error_already_set&) {
        cancel.store(SIGINT);
        interrupted = true;
        worker.join();
        throw;
      }
    }
    if (done) break;
  }
  {
    py::gil_scoped_release released;
    worker.join();
  }
  if (interrupted) throw py::error_already_set();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const ScenarioError& e) {
      raise_scenario_error(e);
    }
  }
  return result;
}

int default_threads(int threads) {
  return threads > 0 ? threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// A folder of its own under the system's temporary folder, removed with it:
// where a sweep keeps its point records while it runs.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "linksim_py.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot make " + pattern);
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A scenario held in memory as a file of the folder (its resolved YAML), for
// the analyses that take files.
std::filesystem::path as_file(const Scenario& s, const TempFolder& folder,
                              const std::string& name) {
  const std::filesystem::path file = folder.path() / (name + ".yaml");
  std::ofstream(file) << to_yaml(s);
  return file;
}

// A sweep of a scenario held in memory: its resolved YAML is the base file,
// `vary` the axes as for --vary, and the results come back in memory.
py::dict sweep_dict(const Scenario& s, const std::vector<std::string>& vary, int threads,
                    const py::object& progress) {
  TempFolder folder;
  const std::filesystem::path base = as_file(s, folder, "scenario");
  const SweepPlan plan = checked([&] { return plan_sweep(base, {}, vary); });
  const SweepResult r = simulate<SweepResult>(
      [&](RunOptions& o) { return run_sweep(plan, folder.path() / "sweep", o); }, threads, 0,
      progress);
  py::list axes, points;
  for (const auto& a : plan.axes) axes.append(a.key);
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const SweepPointResult& p = r.points[i];
    py::list summary;
    for (const auto& iv : p.metrics) summary.append(interval(iv));
    points.append(py::dict(py::arg("values") = plan.points[i].values,
                           py::arg("replications") = p.replications, py::arg("seeds") = p.seeds,
                           py::arg("summary") = summary));
  }
  // sweep.json: the command line's summary, paired differences to each
  // point's baseline included.
  const std::string summary = read_all(folder.path() / "sweep" / "sweep.json");
  return py::dict(py::arg("name") = s.name, py::arg("seed") = s.seed, py::arg("axes") = axes,
                  py::arg("points") = points, py::arg("seconds") = r.seconds,
                  py::arg("sweep_json") = summary);
}

// `linksim sensitivity` on scenarios held in memory: its sensitivity.json.
std::string sensitivity_json(const Scenario& s, const std::optional<Scenario>& other,
                             const std::vector<std::string>& sets,
                             const std::vector<std::string>& vary, int threads,
                             const py::object& progress) {
  TempFolder folder;
  const auto base = as_file(s, folder, "scenario");
  const auto compare = other ? as_file(*other, folder, "other") : std::filesystem::path();
  const SensitivityPlan plan = checked([&] { return plan_sensitivity(base, sets, vary, compare); });
  simulate<SensitivityResult>(
      [&](RunOptions& o) { return run_sensitivity(plan, folder.path() / "out", o); }, threads, 0,
      progress);
  return read_all(folder.path() / "out" / "sensitivity.json");
}

// `linksim calibrate` (an NLopt fit) on a scenario held in memory: its
// calibration.json.
std::string calibration_json(const Scenario& s, const std::string& target,
                             const std::vector<std::string>& sets,
                             const std::vector<std::string>& free, int threads,
                             const py::object& progress) {
  TempFolder folder;
  const auto base = as_file(s, folder, "scenario");
  const CalibrationPlan plan = checked([&] { return plan_calibration(base, sets, free, target); });
  if (plan.base.calibration.method == "abc-smc") {
    simulate<AbcResult>([&](RunOptions& o) { return run_abc(plan, folder.path() / "out", o); },
                        threads, 0, progress);
    return read_all(folder.path() / "out" / "posterior.json");
  }
  simulate<CalibrationResult>(
      [&](RunOptions& o) { return run_calibration(plan, folder.path() / "out", o); }, threads, 0,
      progress);
  return read_all(folder.path() / "out" / "calibration.json");
}

// `linksim forecast` of a scenario held in memory at a posterior's draws (the
// text of a posterior.json), with `other` the paired scenario: its
// forecast.json and forecast_draws.csv.
py::dict forecast_dict(const Scenario& s, const std::string& posterior,
                       const std::optional<Scenario>& other, int draws, int threads,
                       const py::object& progress) {
  TempFolder folder;
  const auto base = as_file(s, folder, "scenario");
  const auto compare = other ? as_file(*other, folder, "other") : std::filesystem::path();
  const auto posterior_file = folder.path() / "posterior.json";
  std::ofstream(posterior_file, std::ios::binary) << posterior;
  const ForecastPlan plan =
      checked([&] { return plan_forecast(base, posterior_file, {}, compare, draws); });
  simulate<ForecastResult>(
      [&](RunOptions& o) { return run_forecast(plan, folder.path() / "out", o); }, threads, 0,
      progress);
  return py::dict(py::arg("forecast_json") = read_all(folder.path() / "out" / "forecast.json"),
                  py::arg("draws_csv") = read_all(folder.path() / "out" / "forecast_draws.csv"));
}

}  // namespace

PYBIND11_MODULE(_linksim, m) {
  m.doc() = "linksim's C++ library (use the linksim package, which wraps it in pandas)";
  scenario_error = py::reinterpret_borrow<py::object>(
      PyErr_NewException("linksim._linksim.ScenarioError", PyExc_ValueError, nullptr));
  m.attr("ScenarioError") = scenario_error;
  m.def("version", &version);
  m.def("git_commit", &git_commit);

  py::class_<Scenario>(m, "Scenario")
      .def_property_readonly("name", [](const Scenario& s) { return s.name; })
      .def_property_readonly("source", [](const Scenario& s) { return s.source.string(); })
      .def("to_yaml", [](const Scenario& s) { return to_yaml(s); })
      .def("get", [](const Scenario& s,
                     const std::string& key) { return checked([&] { return get_value(s, key); }); })
      .def("with_value",
           [](const Scenario& s, const std::string& key, const std::string& value) {
             return checked([&] { return with_value(s, key, value); });
           })
      .def("validate", [](const Scenario& s) {
        py::list out;
        for (const auto& p : validate(s)) {
          out.append(py::dict(py::arg("file") = p.file, py::arg("line") = p.line,
                              py::arg("column") = p.column, py::arg("key") = p.key,
                              py::arg("message") = p.message));
        }
        return out;
      });

  m.def(
      "load",
      [](const std::string& path, const std::vector<std::string>& overrides) {
        return checked([&] { return load_scenario(path, overrides); });
      },
      py::arg("path"), py::arg("overrides") = std::vector<std::string>{});
  m.def(
      "load_text",
      [](const std::string& text, const std::string& name, const std::vector<std::string>& sets) {
        return checked([&] { return load_scenario_text(text, name, sets); });
      },
      py::arg("text"), py::arg("name"), py::arg("overrides") = std::vector<std::string>{});

  m.def("columns", [] {
    return py::dict(
        py::arg("metrics") = columns(metric_info()), py::arg("daily") = columns(daily_info()),
        py::arg("monthly") = columns(monthly_info()),
        py::arg("quarterly") = columns(quarterly_info()), py::arg("headline") = headline_indices());
  });

  m.def(
      "run",
      [](const Scenario& s, int replications, int threads, const py::object& progress) {
        const RunResult r = simulate<RunResult>([&](RunOptions& o) { return run(s, o); },
                                                default_threads(threads), replications, progress);
        return run_dict(r);
      },
      py::arg("scenario"), py::arg("replications") = 0, py::arg("threads") = 0,
      py::arg("progress") = py::none());

  m.def("seed_of_replication", &seed_of_replication);
  // The library logs through spdlog (warnings such as entries left out of a
  // shortened horizon, and a calibration's evaluations at info).
  m.def("set_log_level",
        [](const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); });
  m.def(
      "sensitivity",
      [](const Scenario& s, const std::optional<Scenario>& other,
         const std::vector<std::string>& sets, const std::vector<std::string>& vary, int threads,
         const py::object& progress) {
        return sensitivity_json(s, other, sets, vary, default_threads(threads), progress);
      },
      py::arg("scenario"), py::arg("compare"), py::arg("sets"), py::arg("vary"),
      py::arg("threads") = 0, py::arg("progress") = py::none());
  m.def(
      "calibrate",
      [](const Scenario& s, const std::string& target, const std::vector<std::string>& sets,
         const std::vector<std::string>& free, int threads, const py::object& progress) {
        return calibration_json(s, target, sets, free, default_threads(threads), progress);
      },
      py::arg("scenario"), py::arg("target"), py::arg("sets"), py::arg("free"),
      py::arg("threads") = 0, py::arg("progress") = py::none());
  m.def(
      "forecast",
      [](const Scenario& s, const std::string& posterior, const std::optional<Scenario>& other,
         int draws, int threads, const py::object& progress) {
        return forecast_dict(s, posterior, other, draws, default_threads(threads), progress);
      },
      py::arg("scenario"), py::arg("posterior"), py::arg("compare"), py::arg("draws") = 0,
      py::arg("threads") = 0, py::arg("progress") = py::none());

  py::class_<Simulation>(m, "Simulation")
      .def(py::init([](const Scenario& s, int replication, int threads) {
             return checked([&] {
               return std::make_unique<Simulation>(s, seed_of_replication(s.seed, replication),
                                                   threads);
             });
           }),
           py::arg("scenario"), py::arg("replication") = 0, py::arg("threads") = 1)
      .def_property_readonly("day", &Simulation::day)
      .def_property_readonly("done", &Simulation::done)
      .def(
          "step",
          [](Simulation& sim, int days) {
            for (int d = 0; d < days && !sim.done(); ++d) {
              {
                py::gil_scoped_release released;
                sim.step();
              }
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            }
          },
          py::arg("days") = 1)
      .def("view",
           [](const Simulation& sim) {
             const WorldView v = sim.view();
             const auto array = [](auto span) {
               using T = typename decltype(span)::value_type;
               return py::array_t<std::remove_const_t<T>>(static_cast<py::ssize_t>(span.size()),
                                                          span.data());
             };
             py::dict merchants, streamers;
             const auto column = [](const auto& rows, auto get) {
               py::list out;
               for (const auto& r : rows) out.append(get(r));
               return out;
             };
             using M = WorldView::Merchant;
             using S = WorldView::Streamer;
             merchants["origin"] = column(v.merchants, [](const M& m) {
               return std::string(origin_names[static_cast<int>(m.origin)]);
             });
             merchants["category"] = column(v.merchants, [](const M& m) { return m.category; });
             merchants["quality"] = column(v.merchants, [](const M& m) { return m.quality; });
             merchants["price_rmb"] = column(v.merchants, [](const M& m) { return m.price_rmb; });
             merchants["margin"] = column(v.merchants, [](const M& m) { return m.margin; });
             merchants["commission"] = column(v.merchants, [](const M& m) { return m.commission; });
             merchants["active"] = column(v.merchants, [](const M& m) { return m.active; });
             merchants["pool"] = column(v.merchants, [](const M& m) { return m.pool; });
             merchants["join_day"] = column(v.merchants, [](const M& m) { return m.join_day; });
             streamers["followers"] = column(v.streamers, [](const S& x) { return x.followers; });
             streamers["reputation"] = column(v.streamers, [](const S& x) { return x.reputation; });
             streamers["live_factor"] =
                 column(v.streamers, [](const S& x) { return x.live_factor; });
             streamers["income_fen"] = column(v.streamers, [](const S& x) { return x.income_fen; });
             streamers["present"] = column(v.streamers, [](const S& x) { return x.present; });
             streamers["join_day"] = column(v.streamers, [](const S& x) { return x.join_day; });
             py::dict buyers(py::arg("session_rate") = array(v.buyers.session_rate),
                             py::arg("trust") = array(v.buyers.trust));
             if (!v.buyers.status.empty()) {
               buyers["status"] = array(v.buyers.status);
               buyers["satisfaction"] = array(v.buyers.satisfaction);
             }
             return py::dict(py::arg("day") = v.day, py::arg("date") = v.date,
                             py::arg("buyer_slots") = v.buyers.slots,
                             py::arg("active_buyers") = v.buyers.active,
                             py::arg("active_merchants") = v.active_merchants,
                             py::arg("buyers") = buyers, py::arg("merchants") = merchants,
                             py::arg("streamers") = streamers);
           })
      .def("metrics", [](const Simulation& sim) { return sim.result().metrics; });

  m.def(
      "sweep",
      [](const Scenario& s, const std::vector<std::string>& vary, int threads,
         const py::object& progress) {
        return sweep_dict(s, vary, default_threads(threads), progress);
      },
      py::arg("scenario"), py::arg("vary"), py::arg("threads") = 0,
      py::arg("progress") = py::none());

  m.def(
      "compare",
      [](const std::vector<Scenario>& scenarios, int replications, int threads,
         const py::object& progress) {
        const Comparison c =
            simulate<Comparison>([&](RunOptions& o) { return compare(scenarios, o); },
                                 default_threads(threads), replications, progress);
        py::list runs, differences;
        for (std::size_t i = 0; i < c.runs.size(); ++i) {
          runs.append(run_dict(c.runs[i]));
          py::list diffs;
          for (const Difference& d : c.differences[i]) {
            diffs.append(py::dict(
                py::arg("diff") = interval(d.diff), py::arg("unpaired") = interval(d.unpaired),
                py::arg("relative") = d.relative, py::arg("significant") = d.significant));
          }
          differences.append(diffs);
        }
        return py::dict(py::arg("runs") = runs, py::arg("differences") = differences);
      },
      py::arg("scenarios"), py::arg("replications") = 0, py::arg("threads") = 0,
      py::arg("progress") = py::none());
}
