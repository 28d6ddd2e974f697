// linksim serve's server alone, through HTTP (cpp-httplib's client): bad
// input gets a 400 with the CLI's message, concurrent pages are served with
// one run each and a bounded queue, a cancelled run (or one whose page went
// away) stops within a second, only loopback is bound by default, and a
// run's files are those of `linksim compare`.
#include "serve/server.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support.hpp"
// Last: it includes <resolv.h>, whose _res macro breaks Eigen's headers.
#include <httplib.h>

namespace linksim::test {
namespace {

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

json request(const std::string& client, json extra = json::object()) {
  json r = {{"client", client},
            {"baseline", "small_closed"},
            {"scenario", "small_open"},
            {"scale", 1},
            {"replications", 2}};
  r.update(extra);
  return r;
}

// The message the CLI gives for the same --set, taken apart.
ScenarioProblem cli_problem(const fs::path& file, const std::string& set) {
  try {
    load_scenario(file, {set});
  } catch (const ScenarioError& e) {
    return parse_problem(e.problems().at(0));
  }
  ADD_FAILURE() << set << " was accepted";
  return {};
}

TEST(Serve, ConfigHasTheKeyTablesControls) {
  Served s;
  const auto [status, c] = s.get("/api/config");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(c["scenarios"].size(), 2u);
  EXPECT_EQ(c["scenarios"][0]["name"], "small_closed");
  EXPECT_EQ(c["scenarios"][0]["policy"].size(), 2u);
  EXPECT_EQ(c["scenarios"][0]["policy"][1]["taobao"]["live"], false);
  // Every assumption is a key of the table, with its range, unit and meaning.
  ASSERT_EQ(c["assumptions"].size(), 10u);
  for (const auto& a : c["assumptions"]) {
    EXPECT_FALSE(a["doc"].get<std::string>().empty()) << a;
    EXPECT_TRUE(a["range"].contains("text")) << a;
    EXPECT_TRUE(c["scenarios"][0]["values"].contains(a["key"])) << a;
  }
  EXPECT_EQ(c["assumptions"][0]["key"], "platform.store_take_rate");
  EXPECT_EQ(c["assumptions"][0]["range"]["min"], 0.0);
  EXPECT_EQ(c["assumptions"][0]["range"]["max"], 1.0);
  EXPECT_EQ(c["size_keys"][0]["key"], "population.scale");
  // The page and its scripts, Chart.js from the build: no network.
  for (const char* path : {"/", "/page.js", "/chart.js"}) {
    const auto res = s.http->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->body.find("http://"), std::string::npos) << path;
  }
}

TEST(Serve, BadInputGetsA400WithTheCliMessage) {
  Served s;
  // An assumption out of its range, on both sides.
  auto [status, body] =
      s.post("/api/runs", request("a", {{"assumptions", {{"conversion.jump_loss", 2}}}}));
  ASSERT_EQ(status, 400) << body;
  ASSERT_EQ(body["problems"].size(), 2u) << body;
  const ScenarioProblem cli = cli_problem(s.files.open, "conversion.jump_loss=2");
  for (const auto& p : body["problems"]) {
    EXPECT_EQ(p["key"], "conversion.jump_loss");
    EXPECT_EQ(p["message"], cli.message);
  }
  EXPECT_EQ(body["problems"][0]["side"], "baseline");
  EXPECT_EQ(body["problems"][1]["side"], "scenario");
  // A typo'd key: the nearest name, as the CLI says it.
  std::tie(status, body) =
      s.post("/api/validate", request("a", {{"assumptions", {{"conversion.jump_los", 0.3}}}}));
  ASSERT_EQ(status, 400);
  EXPECT_NE(body["problems"][0]["message"].get<std::string>().find("did you mean 'jump_loss'"),
            std::string::npos)
      << body;
  // A policy entry's fee below zero: named by its entry, channel and field.
  json policy = s.get("/api/config").second["scenarios"][1]["policy"];
  policy[0]["taobao"]["fee"] = -0.1;
  std::tie(status, body) = s.post("/api/runs", request("a", {{"policy", policy}}));
  ASSERT_EQ(status, 400);
  ASSERT_EQ(body["problems"].size(), 1u) << body;
  EXPECT_EQ(body["problems"][0]["side"], "scenario");
  EXPECT_EQ(body["problems"][0]["key"], "policy.0.taobao.fee");
  // Not JSON; no client; an unknown baseline; a scale too large for the limit.
  const auto res = s.http->Post("/api/runs", "{not json", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  json no_client = request("a");
  no_client.erase("client");
  EXPECT_EQ(s.post("/api/runs", no_client).first, 400);
  std::tie(status, body) = s.post("/api/runs", request("a", {{"baseline", "nope"}}));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["problems"][0]["key"], "baseline");
  std::tie(status, body) = s.post("/api/runs", request("a", {{"scale", 1e5}}));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["problems"][0]["key"], "population.scale") << body;
  // An emptied box (null): refused beside it, never the scenario's own value.
  std::tie(status, body) = s.post("/api/runs", request("a", {{"scale", nullptr}}));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["problems"][0]["key"], "population.scale") << body;
  std::tie(status, body) =
      s.post("/api/runs", request("a", {{"assumptions", {{"conversion.jump_loss", nullptr}}}}));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["problems"][0]["key"], "conversion.jump_loss") << body;
  // A misspelt field of the request: refused, with the nearest name.
  std::tie(status, body) = s.post("/api/runs", request("a", {{"scal", 0.5}}));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["problems"][0]["message"], "unknown field (did you mean 'scale'?)") << body;
  // An uploaded scenario: its own file name, line and column in the messages.
  const std::string extends = "extends: " + bundled("platform.yaml") + "\nname: mine\n";
  const std::string upload = extends + "conversion: { jump_loss: 7 }\n";
  std::tie(status, body) = s.post(
      "/api/validate",
      request("a", {{"scenario", nullptr}, {"upload", {{"name", "mine.yaml"}, {"text", upload}}}}));
  ASSERT_EQ(status, 400);
  ASSERT_EQ(body["problems"].size(), 1u) << body;
  EXPECT_EQ(body["problems"][0]["side"], "scenario");
  EXPECT_EQ(body["problems"][0]["key"], "conversion.jump_loss");
  EXPECT_EQ(fs::path(body["problems"][0]["file"].get<std::string>()).filename(), "mine.yaml");
  EXPECT_EQ(body["problems"][0]["line"], 3);
  // Fixed, it resolves: the page gets its policy and assumption values.
  std::tie(status, body) = s.post(
      "/api/validate", request("a", {{"scenario", nullptr},
                                     {"upload", {{"name", "mine.yaml"}, {"text", extends}}}}));
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(body["name"], "mine");
  EXPECT_EQ(body["policy"].size(), 1u);
  EXPECT_TRUE(body["values"].contains("conversion.jump_loss"));
  // None of it queued a run.
  EXPECT_TRUE(s.get("/api/runs?client=a").second.empty());
}

// Every entry of a folder, recursively.
std::set<fs::path> entries(const fs::path& dir) {
  std::set<fs::path> e;
  for (const auto& f : fs::recursive_directory_iterator(dir)) e.insert(f.path());
  return e;
}

// The test's working folder: a new empty one, for as long as it lives.
struct InEmptyFolder {
  fs::path before = fs::current_path(), dir = temp_path("serve_cwd");
  InEmptyFolder() {
    fs::create_directories(dir);
    fs::current_path(dir);
  }
  ~InEmptyFolder() {
    fs::current_path(before);
    fs::remove_all(dir);
  }
};

TEST(Serve, ARunsFilesAreThoseOfLinksimCompare) {
  InEmptyFolder cwd;
  Served s;
  const auto before = entries(fs::current_path());
  ASSERT_TRUE(before.empty());
  const json settings = {{"assumptions", {{"conversion.jump_loss", 0.3}}}, {"seed", 7}};
  auto [status, st] = s.post("/api/runs", request("a", settings));
  ASSERT_EQ(status, 202) << st;
  st = s.wait_past(st["id"], "queued");
  st = s.wait_past(st["id"], "running");
  ASSERT_EQ(st["state"], "done") << st;
  const json& r = st["result"];
  EXPECT_EQ(r["verdict"].size(), headline_indices().size());
  EXPECT_EQ(r["difference"]["dates"].size(), 60u);
  EXPECT_EQ(r["difference"]["series"]["gmv"]["mean"].size(), 60u);

  const fs::path out = s.files.dir / "cli";
  const Output cli = linksim("compare " + s.files.closed.string() + " " + s.files.open.string() +
                             " --set conversion.jump_loss=0.3 --seed 7 --replications 2 "
                             "--set population.scale=1 --quiet --out " +
                             out.string());
  ASSERT_EQ(cli.code, 0) << cli.text;
  for (const std::string f : {"comparison.csv", "comparison_daily.csv",
                              "small_open/replications.csv", "small_closed/timeseries.csv"}) {
    const auto res =
        s.http->Get(("/api/runs/" + std::to_string(st["id"].get<int>()) + "/files/" + f).c_str());
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << f;
    EXPECT_EQ(res->body, read_file(out / f)) << f;
  }
  // Only the run's own files; then saved where the page asks.
  const std::string files = "/api/runs/" + std::to_string(st["id"].get<int>()) + "/files/";
  EXPECT_EQ(s.http->Get((files + "../x").c_str())->status, 404);
  EXPECT_EQ(s.http->Get((files + "nope.csv").c_str())->status, 404);
  const fs::path saved = s.files.dir / "saved";
  const auto [code, where] =
      s.post("/api/runs/" + std::to_string(st["id"].get<int>()) + "/save", {{"folder", saved}});
  ASSERT_EQ(code, 200) << where;
  EXPECT_EQ(read_file(saved / "comparison.csv"), read_file(out / "comparison.csv"));
  EXPECT_TRUE(fs::exists(saved / "report.html"));
  // Nothing written in the working folder; the temporary folder goes with the server.
  EXPECT_EQ(entries(fs::current_path()), before);
  const fs::path temp = s.server->folder();
  EXPECT_TRUE(fs::exists(temp / "run-1" / "report.html"));
  s.server.reset();
  EXPECT_FALSE(fs::exists(temp));
}

// A run long enough to cancel: the bundled comparison at full size.
json long_request(const std::string& client) {
  return {{"client", client},
          {"baseline", "closed_loop"},
          {"scenario", "open_links"},
          {"scale", 0.5},
          {"replications", 40}};
}

TEST(Serve, ConcurrentPagesAreServed) {
  Served s;
  // Two pages at once: both accepted, both run, the same numbers (same scenarios and seed).
  std::pair<int, json> a, b;
  std::thread ta([&] { a = s.post("/api/runs", request("page-a")); });
  std::thread tb([&] { b = s.post("/api/runs", request("page-b")); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.first, 202) << a.second;
  ASSERT_EQ(b.first, 202) << b.second;
  json ra = s.wait_past(s.wait_past(a.second["id"], "queued")["id"], "running");
  json rb = s.wait_past(s.wait_past(b.second["id"], "queued")["id"], "running");
  ASSERT_EQ(ra["state"], "done") << ra;
  ASSERT_EQ(rb["state"], "done") << rb;
  EXPECT_EQ(ra["result"]["verdict"], rb["result"]["verdict"]);
  EXPECT_EQ(s.get("/api/runs?client=page-a").second.size(), 1u);
  EXPECT_EQ(s.get("/api/runs?client=page-b").second.size(), 1u);
}

TEST(Serve, OneRunPerPageAndABoundedQueue) {
  Served s(/*queue=*/1, {bundled("closed_loop.yaml"), bundled("open_links.yaml")});
  const auto a = s.post("/api/runs", long_request("page-a"));
  ASSERT_EQ(a.first, 202) << a.second;
  const int id = a.second["id"];
  ASSERT_EQ(s.wait_past(id, "queued")["state"], "running");
  // The same page again: refused while its run is running.
  const auto again = s.post("/api/runs", long_request("page-a"));
  EXPECT_EQ(again.first, 409) << again.second;
  EXPECT_EQ(again.second["run"], id);
  // Another page waits; a third finds the queue (1) full.
  const auto b = s.post("/api/runs", long_request("page-b"));
  ASSERT_EQ(b.first, 202) << b.second;
  EXPECT_EQ(b.second["state"], "queued");
  EXPECT_EQ(b.second["ahead"], 0);
  const auto c = s.post("/api/runs", long_request("page-c"));
  EXPECT_EQ(c.first, 503) << c.second;
  // Cancelled while queued: at once, and the queue has room again.
  EXPECT_EQ(
      s.post("/api/runs/" + std::to_string(b.second["id"].get<int>()) + "/cancel", json::object())
          .second["cancelled"],
      true);
  EXPECT_EQ(s.get("/api/runs/" + std::to_string(b.second["id"].get<int>())).second["state"],
            "cancelled");
  const auto d = s.post("/api/runs", long_request("page-c"));
  EXPECT_EQ(d.first, 202) << d.second;
}

TEST(Serve, ACancelledRunStopsWithinASecond) {
  Served s(4, {bundled("closed_loop.yaml"), bundled("open_links.yaml")});
  auto [status, st] = s.post("/api/runs", long_request("a"));
  ASSERT_EQ(status, 202) << st;
  const int id = st["id"];
  // Running, and some days done.
  const auto until = std::chrono::steady_clock::now() + 120s;
  do {
    std::this_thread::sleep_for(20ms);
    st = s.get("/api/runs/" + std::to_string(id)).second;
  } while (st.is_object() &&
           (st["state"] == "queued" || st["progress"]["fraction"].get<double>() == 0) &&
           std::chrono::steady_clock::now() < until);
  ASSERT_EQ(st["state"], "running");
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(
      s.post("/api/runs/" + std::to_string(id) + "/cancel", json::object()).second["cancelled"],
      true);
  st = s.wait_past(id, "running", 10s);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  EXPECT_EQ(st["state"], "cancelled");
  EXPECT_LT(took, 1.0);
  EXPECT_FALSE(fs::exists(s.server->folder() / ("run-" + std::to_string(id))));
  // The page may run again.
  EXPECT_EQ(
      s.post("/api/runs/" + std::to_string(id) + "/cancel", json::object()).second["cancelled"],
      false);
}

TEST(Serve, ARunWhosePageWentAwayIsCancelled) {
  Served s(4, {bundled("closed_loop.yaml"), bundled("open_links.yaml")});
  auto [status, st] = s.post("/api/runs", long_request("a"));
  ASSERT_EQ(status, 202) << st;
  const int id = st["id"];
  // The page follows the run's events, then goes away (the connection closes).
  int events = 0;
  httplib::Client page("127.0.0.1", s.server->port());
  page.Get(("/api/runs/" + std::to_string(id) + "/events").c_str(),
           [&](const char* data, std::size_t n) {
             events += std::string(data, n).find("event: status") != std::string::npos;
             return events < 3;  // a few status events, then hang up
           });
  const auto gone = std::chrono::steady_clock::now();
  EXPECT_GE(events, 3);
  st = s.wait_past(id, "running", 10s);
  if (st["state"] == "queued") st = s.wait_past(id, "queued", 10s);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - gone).count();
  EXPECT_EQ(st["state"], "cancelled");
  EXPECT_LT(took, 1.5);  // noticed within a heartbeat (250 ms), then stopped within a day
}

TEST(Serve, StopsWhilePagesFollowTheirRuns) {
  Served s(4, {bundled("closed_loop.yaml"), bundled("open_links.yaml")});
  // One page's run running, another's queued, both pages following.
  std::vector<std::thread> pages;
  std::atomic<int> following{0}, ended{0};
  const int port = s.server->port();
  for (const char* client : {"a", "b"}) {
    const auto [status, st] = s.post("/api/runs", long_request(client));
    ASSERT_EQ(status, 202) << st;
    pages.emplace_back([&, port, id = st["id"].get<int>()] {
      httplib::Client page("127.0.0.1", port);
      page.set_read_timeout(60, 0);
      bool first = true;
      page.Get(("/api/runs/" + std::to_string(id) + "/events").c_str(),
               [&](const char* data, std::size_t n) {
                 if (first && std::string(data, n).find("event: status") != std::string::npos) {
                   first = false;
                   ++following;
                 }
                 return true;
               });
      ++ended;
    });
  }
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (following < 2 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(following, 2);
  const auto asked = std::chrono::steady_clock::now();
  s.server.reset();  // stops: cancels both runs, ends both streams, removes its folder
  for (auto& p : pages) p.join();
  EXPECT_EQ(ended, 2);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count(), 5.0);
}

TEST(Serve, OtherSitesAreRefused) {
  Served s;
  const std::string self = "127.0.0.1:" + std::to_string(s.server->port());
  // A DNS-rebinding page: another Host.
  auto res =
      s.http->Get("/api/config", {{"Host", "evil.example:" + std::to_string(s.server->port())}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  // Another site's page posting to this one (a cross-site form or fetch).
  res = s.http->Post("/api/runs", {{"Origin", "http://evil.example"}}, request("a").dump(),
                     "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_TRUE(s.get("/api/runs?client=a").second.empty());
  // The page itself (same origin), and localhost for 127.0.0.1.
  res = s.http->Post("/api/validate", {{"Origin", "http://" + self}}, request("a").dump(),
                     "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  res = s.http->Get("/api/config", {{"Host", "localhost:" + std::to_string(s.server->port())}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(Serve, OnlyLoopbackIsBoundByDefault) {
  Files files;
  serve::ServerOptions o;
  EXPECT_EQ(o.host, "127.0.0.1");
  o.port = 0;
  o.scenarios = {files.closed};
  serve::Server server(o);
  const int port = server.start();
  // The listening socket in /proc/net/tcp: local address 127.0.0.1 (0100007F).
  std::ifstream tcp("/proc/net/tcp");
  std::string line, found;
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  while (std::getline(tcp, line)) {
    std::istringstream f(line);
    std::string slot, local, remote, st;
    f >> slot >> local >> remote >> st;
    if (st == "0A" && local.size() > 5 && local.substr(local.size() - 5) == hex) found = local;
  }
  EXPECT_EQ(found, std::string("0100007F") + hex);
  // A second server on the same port is refused, not bound beside the first.
  o.port = port;
  serve::Server second(o);
  EXPECT_THROW(second.start(), std::runtime_error);
  // The command line says so too.
  const Output help = linksim("serve --help");
  EXPECT_NE(help.text.find("127.0.0.1"), std::string::npos) << help.text;
}

}  // namespace
}  // namespace linksim::test
