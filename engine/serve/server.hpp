// `linksim serve`: a local HTTP server for the policy explorer, one page
// (engine/serve/page.html and page.js, with Chart.js, compiled in) on which a
// strategist edits a scenario's policy timeline and key assumptions, runs a
// paired comparison against a baseline at an interactive size, and keeps
// earlier runs side by side. The runs are the library's compare(), the files
// those of `linksim compare`, written in the server's own temporary folder.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace linksim::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback only unless asked
  int port = 8321;                 // 0: any free port (Server::port() says which)
  // The scenarios offered on the page, in order; the first is the default
  // baseline and the second the default scenario to edit.
  std::vector<std::filesystem::path> scenarios;
  int threads = 1;         // each run's simulation threads
  std::size_t queue = 4;   // runs waiting, over all clients, besides the one running
  std::size_t keep = 50;   // finished runs kept (the oldest beyond are dropped)
  double max_work = 2e10;  // buyer-days a run may take (buyer slots x days x replications)
  // Where the temporary folder is made (empty: the system's temporary folder).
  std::filesystem::path temp_parent;
};

class Server {
 public:
  // Loads every offered scenario; throws ScenarioError with their problems.
  explicit Server(ServerOptions options);
  ~Server();  // stops, cancels every run and removes the temporary folder
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port and serves on background threads; returns the port.
  // Throws std::runtime_error when it cannot bind.
  int start();
  int port() const;
  // Cancels the runs, stops serving and waits for the threads.
  void stop();
  // Where runs write their files (removed by the destructor).
  const std::filesystem::path& folder() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace linksim::serve
