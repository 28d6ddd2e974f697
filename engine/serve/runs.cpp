// The server's queue: one run at a time on one worker thread, each a paired
// comparison (compare()) written as `linksim compare` writes it.
#include "serve/runs.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

#include "linksim/result.hpp"
#include "metrics/files.hpp"
#include "report/page.hpp"

namespace linksim::serve {

namespace fs = std::filesystem;
using nlohmann::json;

struct Runs::Job {
  int id = 0;
  std::string client;
  std::vector<Scenario> scenarios;  // the baseline first
  json settings;                    // what the page asked for, shown beside the results
  std::atomic<int> cancel{0};
  // Guarded by Runs::mutex_.
  // queued, running, done, failed, cancelled, or dropped (a done run beyond
  // ServerOptions::keep, its files removed)
  std::string state = "queued";
  long version = 0;  // counts changes, for wait()
  Progress progress;
  std::chrono::steady_clock::time_point started;
  double seconds = 0;
  std::string error;
  json summary;
  std::shared_ptr<const Comparison> result;
  fs::path dir;
  bool ended() const { return state != "queued" && state != "running"; }
};

namespace {

// The verdict as the report words it: per headline metric, the edited
// scenario against the baseline, the paired difference and whether its 95%
// interval excludes zero.
json verdict(const Comparison& c) {
  json v = json::array();
  const std::string base = c.runs[0].scenario.name, name = c.runs[1].scenario.name;
  for (int m : headline_indices()) {
    const auto& info = metric_info()[m];
    const Difference& d = c.differences[1][m];
    json line = {{"metric", info.name}, {"doc", info.doc}, {"unit", info.unit}};
    const std::string what = info.name + " (" + info.doc + "): ";
    if (!std::isfinite(d.diff.mean)) {
      line["text"] = what + "not measured over this horizon.";
      line["significant"] = false;
      v.push_back(line);
      continue;
    }
    std::string diff = format_paired(d, info.unit, RmbUnits::ascii);
    while (!diff.empty() && (diff.back() == '*' || diff.back() == ' ')) {
      diff.pop_back();  // the mark of significance: said in words below
    }
    line["difference"] = diff;
    line["mean"] = d.diff.mean;
    line["lo"] = d.diff.lo;
    line["hi"] = d.diff.hi;
    line["significant"] = d.significant;
    line["baseline"] = format_metric(c.runs[0].metrics[m], info.unit, RmbUnits::ascii);
    line["scenario"] = format_metric(c.runs[1].metrics[m], info.unit, RmbUnits::ascii);
    if (d.significant) {
      line["text"] = what + name + " is " + (d.diff.mean > 0 ? "higher" : "lower") + " than " +
                     base + ", " + diff + "; the interval excludes zero.";
    } else {
      line["text"] = what + "no difference shown between " + name + " and " + base + ", " + diff +
                     "; the interval includes zero.";
    }
    v.push_back(line);
  }
  return v;
}

}  // namespace

Runs::Runs(const ServerOptions& options, fs::path folder)
    : options_(options), folder_(std::move(folder)), worker_([this] { work(); }) {}

Runs::~Runs() { stop(); }

void Runs::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->cancel = 1;
    // Queued runs end here (so that their pages' event streams end); the
    // running one at its next simulated day.
    for (auto& job : queue_) {
      job->state = "cancelled";
      ++job->version;
    }
    queue_.clear();
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

int Runs::submit(const std::string& client, std::vector<Scenario> scenarios, json settings) {
  std::lock_guard lock(mutex_);
  if (stopping_) throw Refused(503, {{"error", "the server is stopping"}});
  for (const auto& [id, job] : jobs_) {
    if (job->client == client && !job->ended()) {
      throw Refused(409, {{"error", "run " + std::to_string(id) + " of this page is still " +
                                        job->state + ": wait for it or cancel it"},
                          {"run", id}});
    }
  }
  if (queue_.size() >= options_.queue) {
    throw Refused(503, {{"error", "the queue is full (" + std::to_string(queue_.size()) +
                                      " runs waiting): try again when one has finished"}});
  }
  auto job = std::make_shared<Job>();
  job->id = next_id_++;
  job->client = client;
  job->scenarios = std::move(scenarios);
  job->settings = std::move(settings);
  jobs_[job->id] = job;
  queue_.push_back(job);
  changed_.notify_all();
  return job->id;
}

const Runs::Job& Runs::find(int id) const {
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) throw Refused(404, {{"error", "no run " + std::to_string(id)}});
  return *it->second;
}

json Runs::status_of(const Job& job) const {
  json s = {{"id", job.id},
            {"state", job.state},
            {"version", job.version},
            {"label", job.scenarios[1].name + " vs " + job.scenarios[0].name},
            {"settings", job.settings}};
  if (job.state == "queued") {
    int ahead = 0;
    for (const auto& q : queue_) {
      if (q->id == job.id) break;
      ++ahead;
    }
    s["ahead"] = ahead;
  }
  const Progress& p = job.progress;
  s["progress"] = {{"fraction", p.fraction},
                   {"replications_done", p.replications_done},
                   {"replications_total", p.replications_total},
                   {"run", p.run},
                   {"runs", p.runs}};
  s["seconds"] =
      job.state == "running"
          ? std::chrono::duration<double>(std::chrono::steady_clock::now() - job.started).count()
          : job.seconds;
  if (!job.error.empty()) s["error"] = job.error;
  if (job.state == "done") s["result"] = job.summary;
  return s;
}

json Runs::status(int id) const {
  std::lock_guard lock(mutex_);
  return status_of(find(id));
}

json Runs::list(const std::string& client) const {
  std::lock_guard lock(mutex_);
  json l = json::array();
  for (const auto& [id, job] : jobs_) {
    if (job->client == client) l.push_back(status_of(*job));
  }
  return l;
}

void Runs::check_owner(int id, const std::string& client) const {
  std::lock_guard lock(mutex_);
  if (find(id).client != client) {
    throw Refused(403, {{"error", "run " + std::to_string(id) + " is another page's"}});
  }
}

bool Runs::cancel(int id) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) throw Refused(404, {{"error", "no run " + std::to_string(id)}});
  Job& job = *it->second;
  if (job.ended()) return false;
  job.cancel = 1;
  if (job.state == "queued") {
    std::erase_if(queue_, [id](const auto& q) { return q->id == id; });
    job.state = "cancelled";
    ++job.version;
    changed_.notify_all();
  }
  return true;
}

json Runs::wait(int id, long seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  const Job& job = find(id);
  changed_.wait_for(lock, timeout, [&] { return job.version != seen; });
  return status_of(job);
}

fs::path Runs::folder(int id) const {
  std::lock_guard lock(mutex_);
  const Job& job = find(id);
  if (job.state != "done")
    throw Refused(404, {{"error", "run " + std::to_string(id) + " is " + job.state}});
  return job.dir;
}

std::shared_ptr<const Comparison> Runs::result(int id) const {
  std::lock_guard lock(mutex_);
  const Job& job = find(id);
  if (job.state != "done")
    throw Refused(404, {{"error", "run " + std::to_string(id) + " is " + job.state}});
  return job.result;
}

void Runs::work() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      job->state = "running";
      job->started = std::chrono::steady_clock::now();
      ++job->version;
    }
    changed_.notify_all();
    finish(*job);
    changed_.notify_all();
  }
}

void Runs::finish(Job& job) {
  RunOptions opts;
  opts.threads = options_.threads;
  opts.cancel = &job.cancel;
  opts.progress = [&](const Progress& p) {
    {
      std::lock_guard lock(mutex_);
      job.progress = p;
      ++job.version;
    }
    changed_.notify_all();
  };
  const fs::path dir = folder_ / ("run-" + std::to_string(job.id));
  std::string state = "done", error;
  json summary;
  std::shared_ptr<const Comparison> result;
  try {
    auto c = std::make_shared<Comparison>(compare(job.scenarios, opts));
    write_comparison(*c, dir);
    write_report({dir}, dir / "report.html");
    summary = {
        {"verdict", verdict(*c)},
        {"baseline", c->runs[0].scenario.name},
        {"scenario", c->runs[1].scenario.name},
        {"replications", c->runs[0].replications.size()},
        {"seed", c->runs[0].scenario.seed},
        {"folders", c->folders},
        // The report's chart of the difference over time, from the
        // results in memory (the edited scenario's, the only one).
        {"difference",
         detail::daily_differences(detail::comparison_daily_csv(*c, c->folders)).front().second}};
    result = std::move(c);
  } catch (const Cancelled&) {
    state = "cancelled";
  } catch (const std::exception& e) {
    state = "failed";
    error = e.what();
    spdlog::error("run {}: {}", job.id, error);
  }
  if (state != "done") {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::lock_guard lock(mutex_);
  job.state = state;
  job.error = error;
  job.summary = std::move(summary);
  job.result = std::move(result);
  job.dir = dir;
  job.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - job.started).count();
  ++job.version;
  // Keep the newest finished runs' files and results, dropping the oldest
  // beyond options_.keep, and forget the oldest ended runs beyond four times
  // as many (so that a server left running does not grow without bound).
  std::size_t done = 0, ended = 0;
  std::vector<int> forget;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    Job& j = *it->second;
    if (!j.ended()) continue;
    if (j.state == "done" && ++done > options_.keep) {
      std::error_code ignored;
      fs::remove_all(j.dir, ignored);
      j.state = "dropped";
      j.result.reset();
    }
    if (++ended > 4 * options_.keep) forget.push_back(it->first);
  }
  for (int id : forget) jobs_.erase(id);
}

}  // namespace linksim::serve
