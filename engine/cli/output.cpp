// The output folder of a command: one writer at a time (a lock), checked
// writable before anything runs, and, for commands with a fixed set of files,
// what earlier commands left there, removed once the new files are in place.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "cli/common.hpp"

namespace linksim::cli {

namespace {

// One writer per output folder: the folder's .linksim.lock, held with flock
// from the moment the folder is known writable until the process ends. The
// kernel drops the lock of a process that dies, however it dies (SIGKILL
// included), so a lock file left behind is recognised as stale by the next
// command, which takes it over. It holds the holder's pid, for the message a
// second command gets. A folder created only to be locked is removed again
// if the command ends without writing anything into it.
class OutputLock {
 public:
  // "" when locked; else why not.
  std::string acquire(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    created_ = !fs::exists(dir, ec);
    fs::create_directories(dir, ec);
    if (ec) return "cannot write " + dir.string() + ": " + ec.message();
    dir_ = dir;
    const fs::path file = dir / ".linksim.lock";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return "cannot write " + file.string() + ": " + std::strerror(errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char pid[32] = {};
      const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
      ::close(fd_);
      fd_ = -1;
      const std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "";
      return dir.string() + " is in use by another linksim (process " +
             (holder.empty() ? std::string("unknown") : holder) +
             ", still running): one command writes into a folder at a time; wait for it to "
             "finish, or choose another --out";
    }
    const std::string mine = std::to_string(::getpid());
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, mine.data(), mine.size(), 0) < 0) {
      // The lock holds all the same; only the message of a second command loses the pid.
    }
    return "";
  }
  ~OutputLock() {
    if (fd_ < 0) return;
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::remove(dir_ / ".linksim.lock", ec);
    ::close(fd_);
    if (created_ && fs::is_empty(dir_, ec)) fs::remove(dir_, ec);
  }

 private:
  std::filesystem::path dir_;
  int fd_ = -1;
  bool created_ = false;
};

// The command's output folder lock, released when the process exits.
OutputLock& output_lock() {
  static OutputLock lock;
  return lock;
}

}  // namespace

bool output_writable(const std::string& dir) {
  namespace fs = std::filesystem;
  std::string problem;
  if (ensemble().writes_files()) {  // the rank that writes
    // The folder, or the nearest of its parents that exists (the rest is
    // created when the results are written): a folder linksim may write in.
    // Nothing is created now, so that a run that stops leaves nothing.
    std::error_code ec;
    fs::path at = dir;
    while (!at.empty() && !fs::exists(at, ec)) at = at.parent_path();
    if (at.empty()) at = ".";
    if (!fs::is_directory(at, ec)) {
      problem = "cannot write " + dir + ": " + at.string() + " is not a folder";
    } else if (::access(at.c_str(), W_OK | X_OK) != 0) {
      problem = "cannot write " + dir + ": " + std::strerror(errno);
    }
    if (!problem.empty()) {
      problem += " (expected a folder linksim can create and write in: see --out); nothing was run";
    } else {
      problem = output_lock().acquire(dir);
    }
  }
  const std::string first = first_problem(ensemble(), problem);
  if (first.empty()) return true;
  if (ensemble().writes_files()) spdlog::error("{}", first);
  return false;
}

namespace {

// What linksim's commands write in an output folder (and their temporary
// names while they write).
bool linksim_entry(const std::filesystem::path& p) {
  static const std::set<std::string> names = {".linksim.lock",
                                              "summary.json",
                                              "timeseries.csv",
                                              "monthly.csv",
                                              "quarterly.csv",
                                              "search_by_category.csv",
                                              "replications.csv",
                                              "periods_long.csv",
                                              "daily_replications.csv",
                                              "units.json",
                                              "scenario.yaml",
                                              "report.html",
                                              "comparison.json",
                                              "comparison_daily.csv",
                                              "comparison.csv",
                                              "sweep.json",
                                              "sweep.csv",
                                              "sweep_summary.csv",
                                              "points",
                                              "sensitivity.json",
                                              "sensitivity.csv",
                                              "sensitivity_design.csv",
                                              "calibration.json",
                                              "calibration_fit.csv",
                                              "calibration_trace.csv",
                                              "calibrated.yaml",
                                              "posterior.json",
                                              "posterior.csv",
                                              "abc_particles.csv",
                                              "abc_generations.csv",
                                              "abc_fit.csv",
                                              "abc_journal.csv",
                                              "forecast.json",
                                              "forecast_draws.csv",
                                              "quarterly_compare.csv",
                                              "quarterly_difference.csv",
                                              "yearly.csv"};
  const std::string name = p.filename().string();
  if (names.count(name.substr(0, name.find(".tmp."))) > 0) return true;
  // A scenario's folder of a comparison.
  std::error_code ec;
  return std::filesystem::is_directory(p, ec) && std::filesystem::exists(p / "summary.json", ec);
}

std::uintmax_t identity(const std::filesystem::path& p) {
  struct stat st {};
  std::error_code ec;
  const std::filesystem::path what =
      std::filesystem::is_directory(p, ec) && std::filesystem::exists(p / "summary.json", ec)
          ? p / "summary.json"
          : p;
  return ::stat(what.c_str(), &st) == 0 ? static_cast<std::uintmax_t>(st.st_ino) : 0;
}

}  // namespace

std::optional<EarlierOutput> prepare_output(const std::string& dir, const CommonOptions& o,
                                            int& exit_code) {
  namespace fs = std::filesystem;
  EarlierOutput earlier{dir, {}};
  std::string problem;
  if (ensemble().writes_files()) {
    std::vector<std::string> foreign;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (linksim_entry(e.path())) {
          earlier.entries[e.path().filename().string()] = identity(e.path());
        } else {
          foreign.push_back(e.path().filename().string());
        }
      }
    }
    std::sort(foreign.begin(), foreign.end());
    if (!foreign.empty() && !o.force) {
      std::string list;
      for (std::size_t i = 0; i < foreign.size() && i < 5; ++i) {
        list += (list.empty() ? "" : ", ") + foreign[i];
      }
      if (foreign.size() > 5) list += " and " + std::to_string(foreign.size() - 5) + " more";
      problem = dir + " holds files linksim did not write (" + list +
                "); nothing was run (expected an empty folder or one of linksim's: choose "
                "another --out, or add --force to write beside them)";
    }
  }
  const std::string first = first_problem(ensemble(), problem);
  if (!first.empty()) {
    if (ensemble().writes_files()) spdlog::error("{}", first);
    exit_code = exit_invalid;
    return std::nullopt;
  }
  if (!output_writable(dir)) {
    exit_code = exit_failure;
    return std::nullopt;
  }
  return earlier;
}

void remove_stale(const EarlierOutput& earlier) {
  namespace fs = std::filesystem;
  if (!ensemble().writes_files()) return;
  std::vector<std::string> removed;
  for (const auto& [name, id] : earlier.entries) {
    const fs::path p = fs::path(earlier.dir) / name;
    std::error_code ec;
    if (!fs::exists(p, ec) || identity(p) != id) continue;  // written again (or gone)
    fs::remove_all(p, ec);
    if (!ec) removed.push_back(name);
  }
  if (!removed.empty()) {
    std::string list;
    for (const auto& r : removed) list += (list.empty() ? "" : ", ") + r;
    spdlog::info("removed from {} what an earlier command left and this one did not write: {}",
                 earlier.dir, list);
  }
}

}  // namespace linksim::cli
