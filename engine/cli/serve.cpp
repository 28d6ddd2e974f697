// `linksim serve [SCENARIO ...]`: the policy explorer in the browser, served
// from this machine (engine/serve/), until Ctrl-C.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "cli/common.hpp"
#include "linksim/experiment.hpp"
#include "serve/server.hpp"

namespace linksim::cli {

namespace {

// The bundled scenarios, closed_loop and open_links first; the bases they
// extend (base.yaml, platform.yaml) are not offered.
std::vector<std::filesystem::path> bundled_scenarios() {
  const std::filesystem::path dir = std::filesystem::path(LINKSIM_SOURCE_DIR) / "scenarios";
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() == ".yaml" && stem != "base" && stem != "platform") {
      files.push_back(e.path());
    }
  }
  const auto rank = [](const std::filesystem::path& p) {
    const std::string s = p.stem().string();
    return s == "closed_loop" ? 0 : s == "open_links" ? 1 : 2;
  };
  std::sort(files.begin(), files.end(), [&](const auto& a, const auto& b) {
    return std::pair(rank(a), a.stem().string()) < std::pair(rank(b), b.stem().string());
  });
  return files;
}

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

int serve_command(const std::vector<std::string>& files, serve::ServerOptions s,
                  const CommonOptions& o) {
  for (const auto& f : files) s.scenarios.emplace_back(f);
  if (s.scenarios.empty()) s.scenarios = bundled_scenarios();
  if (s.scenarios.empty()) {
    spdlog::error(
        "no scenario to offer: none given and none bundled in {}/scenarios (give "
        "scenario files: linksim serve A.yaml B.yaml)",
        LINKSIM_SOURCE_DIR);
    return exit_invalid;
  }
  s.threads = thread_count(o);
  std::unique_ptr<serve::Server> server;
  try {
    server = std::make_unique<serve::Server>(s);
  } catch (const ScenarioError& e) {
    std::cerr << problems_text("linksim serve", e);
    return exit_invalid;
  } catch (const std::invalid_argument& e) {
    spdlog::error("{}", e.what());
    return exit_invalid;
  }
  const std::atomic<int>* signal = install_signal_handlers();
  // A page that hangs up while its answer is being sent: an error on that
  // connection, not the end of the server.
  std::signal(SIGPIPE, SIG_IGN);
  int port = 0;
  try {
    port = server->start();
  } catch (const std::runtime_error& e) {
    spdlog::error("{}", e.what());
    return exit_failure;
  }
  if (!loopback(s.host)) {
    spdlog::warn(
        "listening on {}: anyone who can reach this machine on port {} can run simulations and "
        "save runs into folders of this user's",
        s.host, port);
  }
  spdlog::info("{} scenarios offered; runs on {}, at most {} waiting; files in {}",
               s.scenarios.size(), count_of(s.threads, "thread"), s.queue,
               server->folder().string());
  const std::string host = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  std::cout << "linksim serve: open http://" << host << ":" << port << "/ (Ctrl-C to stop)"
            << std::endl;
  while (signal->load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("stopping: runs cancelled, temporary files removed");
  server->stop();
  return exit_ok;
}

Command add_serve_command(CLI::App& app, CommonOptions& o) {
  struct Args {
    std::vector<std::string> files;
    serve::ServerOptions server;
  };
  const auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Explore policies in the browser: a local page to edit a scenario's policy timeline and "
      "key assumptions, run paired comparisons and keep runs side by side");
  cmd->add_option("scenarios", a->files,
                  "Scenario files to offer (default: the bundled ones; the first is the "
                  "baseline unless closed_loop is offered)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--port", a->server.port, "Port to listen on (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--host", a->server.host,
                  "Address to listen on; the default serves this machine only")
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Simulation threads per run (default: all cores)");
  cmd->add_option("--queue", a->server.queue, "Runs that may wait, over all pages")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--max-work", a->server.max_work,
                  "Largest run accepted, in buyer-days (buyer slots x days x replications)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return {cmd, [a, &o] { return serve_command(a->files, a->server, o); }};
}

}  // namespace linksim::cli
