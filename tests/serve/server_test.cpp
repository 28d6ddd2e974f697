// linksim serve's server alone, through HTTP (cpp-httplib's client): the
// page's controls come from the key table, bad input gets a 400 with the
// CLI's message, a run's files are those of `linksim compare`, other sites
// are refused and only loopback is bound by default. tests/serve/runs_test.cpp
// has the runs: pages at once, the queue, cancelling and stopping.
#include <set>

#include "serve/served.hpp"

namespace linksim::test {
namespace {

using namespace serve_test;
namespace fs = std::filesystem;
using nlohmann::json;

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
  for (const char* path : {"/", "/page.js", "/results.js", "/chart.js"}) {
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
  const std::string save = "/api/runs/" + std::to_string(st["id"].get<int>()) + "/save";
  // Another page may not save it; a request without the page's identifier is refused.
  EXPECT_EQ(s.post(save, {{"folder", saved}, {"client", "b"}}).first, 403);
  EXPECT_EQ(s.post(save, {{"folder", saved}}).first, 400);
  EXPECT_FALSE(fs::exists(saved));
  const auto [code, where] = s.post(save, {{"folder", saved}, {"client", "a"}});
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
