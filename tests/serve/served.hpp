// What the serve tests share: two small scenarios, a server on a free port
// with an HTTP client to it, and the requests a page sends.
#pragma once

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "serve/server.hpp"
#include "support.hpp"
// Last: it includes <resolv.h>, whose _res macro breaks Eigen's headers.
#include <httplib.h>

namespace linksim::test::serve_test {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Two small scenarios beside the bundled ones (they extend platform.yaml):
// the links close on 2022-01-01 in the first, stay open in the second.
struct Files {
  fs::path dir = temp_path("serve_test");
  fs::path closed = dir / "small_closed.yaml", open = dir / "small_open.yaml";
  Files() {
    fs::create_directories(dir);
    const std::string common = "extends: " + bundled("platform.yaml") +
                               "\ncalendar: { start: 2021-12-01, days: 60, warmup_days: 10 }\n"
                               "population: { buyers: 3000, merchants: 80, streamers: 20 }\n"
                               "buyers: { arrivals: { per_day: 6 } }\nreplications: 2\n";
    std::ofstream(closed) << common
                          << "name: small_closed\npolicy:\n"
                             "  - { from: 2020-01-01, taobao: { live: true, video: true }, "
                             "jd: { live: true, video: true } }\n"
                             "  - { from: 2022-01-01, taobao: { live: false }, jd: { live: "
                             "false } }\n";
    std::ofstream(open) << common << "name: small_open\n";
  }
  ~Files() { fs::remove_all(dir); }
};

struct Served {
  Files files;
  std::unique_ptr<serve::Server> server;
  std::unique_ptr<httplib::Client> http;
  explicit Served(std::size_t queue = 4, std::vector<fs::path> offered = {}) {
    serve::ServerOptions o;
    o.port = 0;
    o.queue = queue;
    o.scenarios = offered.empty() ? std::vector<fs::path>{files.closed, files.open} : offered;
    server = std::make_unique<serve::Server>(o);
    const int port = server->start();
    http = std::make_unique<httplib::Client>("127.0.0.1", port);
    http->set_read_timeout(60, 0);
  }
  // POST JSON: the status and the body.
  std::pair<int, json> post(const std::string& path, const json& body) {
    const auto res = http->Post(path.c_str(), body.dump(), "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  std::pair<int, json> get(const std::string& path) {
    const auto res = http->Get(path.c_str());
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }
  // Waits for the run to leave `state`: its status.
  json wait_past(int id, const std::string& state, std::chrono::seconds limit = 300s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    json s;
    do {
      s = get("/api/runs/" + std::to_string(id)).second;
      if (s.value("state", "") != state) return s;
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < until);
    return s;
  }
};

inline json request(const std::string& client, json extra = json::object()) {
  json r = {{"client", client},
            {"baseline", "small_closed"},
            {"scenario", "small_open"},
            {"scale", 1},
            {"replications", 2}};
  r.update(extra);
  return r;
}

// A run long enough to cancel: the bundled comparison at full size.
inline json long_request(const std::string& client) {
  return {{"client", client},
          {"baseline", "closed_loop"},
          {"scenario", "open_links"},
          {"scale", 0.5},
          {"replications", 40}};
}

}  // namespace linksim::test::serve_test
