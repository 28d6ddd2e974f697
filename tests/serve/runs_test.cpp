// linksim serve's runs, through HTTP: concurrent pages are served with one
// run each and a bounded queue, a cancelled run (or one whose page went
// away) stops within a second, and stopping the server ends every page's
// stream. A page cancels only its own runs.
#include <atomic>

#include "serve/served.hpp"

namespace linksim::test {
namespace {

using namespace serve_test;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

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
  EXPECT_EQ(s.post("/api/runs/" + std::to_string(b.second["id"].get<int>()) + "/cancel",
                   {{"client", "page-b"}})
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
  // Only its page may cancel it: another page's request is refused and the run goes on.
  const std::string cancel = "/api/runs/" + std::to_string(id) + "/cancel";
  const auto other = s.post(cancel, {{"client", "b"}});
  EXPECT_EQ(other.first, 403) << other.second;
  EXPECT_EQ(s.post(cancel, json::object()).first, 400);
  EXPECT_EQ(s.get("/api/runs/" + std::to_string(id)).second["state"], "running");
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(s.post(cancel, {{"client", "a"}}).second["cancelled"], true);
  st = s.wait_past(id, "running", 10s);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  EXPECT_EQ(st["state"], "cancelled");
  EXPECT_LT(took, 1.0);
  EXPECT_FALSE(fs::exists(s.server->folder() / ("run-" + std::to_string(id))));
  // The page may run again.
  EXPECT_EQ(s.post(cancel, {{"client", "a"}}).second["cancelled"], false);
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

}  // namespace
}  // namespace linksim::test
