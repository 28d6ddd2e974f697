// The server's runs: what a page asks for, resolved into scenarios with the
// CLI's key table and messages, and the queue that runs them one at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "linksim/experiment.hpp"
#include "serve/server.hpp"

namespace linksim::serve {

// A scenario offered on the page.
struct Offered {
  std::string name;  // the file's stem: what the page sends back
  std::filesystem::path file;
  Scenario scenario;
};

// A refused request: the HTTP status and the body (for a bad request, its
// problems, one per key, as the page shows them beside the controls).
struct Refused : std::runtime_error {
  Refused(int status, nlohmann::json body)
      : std::runtime_error(body.dump()), status(status), body(std::move(body)) {}
  int status;
  nlohmann::json body;
};

// The page's controls: the scenarios, the assumptions (keys, the key table's
// types, ranges, units and meanings, the sensitivity analysis's ranges and
// each offered scenario's values), the policy keys and the default size.
nlohmann::json page_config(const std::vector<Offered>& offered);
// A scenario's values of the page's assumptions, by key.
nlohmann::json assumption_values(const Scenario& s);

// A request's baseline and edited scenario, loaded with the assumptions, the
// size and (for the edited one) the policy timeline as --set overrides.
// Throws Refused(400) with every problem of both.
std::vector<Scenario> resolve_request(const nlohmann::json& body,
                                      const std::vector<Offered>& offered,
                                      const ServerOptions& options);

// One run's state as the page sees it (JSON): queued, running, done, failed
// or cancelled, its progress and, once done, its verdict and the paired GMV
// difference by day.
class Runs {
 public:
  Runs(const ServerOptions& options, std::filesystem::path folder);
  ~Runs();  // stop()
  // Queues a run; throws Refused: 409 when the client has a run queued or
  // running, 503 when the queue is full.
  int submit(const std::string& client, std::vector<Scenario> scenarios, nlohmann::json settings);
  // Throws Refused(404) for an unknown run.
  nlohmann::json status(int id) const;
  nlohmann::json list(const std::string& client) const;  // the client's runs, oldest first
  // Throws Refused(404) for an unknown run, Refused(403) for another page's:
  // a page cancels and saves only its own runs.
  void check_owner(int id, const std::string& client) const;
  // Stops a queued or running run (false when it had already ended).
  bool cancel(int id);
  // Waits up to `timeout` for a change of the run after `seen` (its status's
  // "version"); the status either way.
  nlohmann::json wait(int id, long seen, std::chrono::milliseconds timeout) const;
  // A finished run's files (throws Refused(404) otherwise) and its results.
  std::filesystem::path folder(int id) const;
  std::shared_ptr<const Comparison> result(int id) const;
  void stop();  // cancels everything and joins the worker

 private:
  struct Job;
  void work();
  void finish(Job& job);
  nlohmann::json status_of(const Job& job) const;
  const Job& find(int id) const;

  ServerOptions options_;
  std::filesystem::path folder_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<int, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  int next_id_ = 1;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace linksim::serve
