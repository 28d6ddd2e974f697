// `linksim serve`'s HTTP side (cpp-httplib): the page, its scripts, and the
// JSON API the page calls. Every run goes through Runs; every request's
// scenario through resolve_request (the CLI's key table and messages).
#include "serve/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "linksim/experiment.hpp"
#include "serve/runs.hpp"
// Last: it includes <resolv.h>, whose _res macro breaks Eigen's headers.
#include <httplib.h>

namespace linksim::detail {
extern const char* const chartjs_source;
extern const char* const serve_page_source;
extern const char* const serve_js_source;
extern const char* const serve_results_js_source;
}  // namespace linksim::detail

namespace linksim::serve {

namespace fs = std::filesystem;
using nlohmann::json;

struct Server::Impl {
  ServerOptions options;
  std::vector<Offered> offered;
  fs::path folder;
  std::unique_ptr<Runs> runs;
  httplib::Server http;
  std::thread listener;
  std::atomic<bool> listening{false};
  int port = 0;

  void routes();  // every route, after the check that a request is the page's own
  void page_routes();
  void run_routes();
  void event_route();
  void file_routes();
};

namespace {

void send_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

// The handler's answer, or the Refused status and body it threw.
template <class F>
httplib::Server::Handler api(F f) {
  return [f](const httplib::Request& req, httplib::Response& res) {
    try {
      f(req, res);
    } catch (const Refused& r) {
      send_json(res, r.body, r.status);
    } catch (const json::exception& e) {
      send_json(res, {{"error", std::string("the request is not the JSON expected: ") + e.what()}},
                400);
    } catch (const std::exception& e) {
      send_json(res, {{"error", e.what()}}, 500);
    }
  };
}

json body_of(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    throw Refused(400, {{"problems", json::array({{{"side", "request"},
                                                   {"key", "request"},
                                                   {"message", "the body is not JSON"},
                                                   {"text", "the body is not JSON"}}})}});
  }
  return body;
}

// The page's identity: one run at a time each.
std::string client_of(const json& body) {
  const json c = body.value("client", json());
  if (!c.is_string() || c.get<std::string>().empty() || c.get<std::string>().size() > 64) {
    throw Refused(400,
                  {{"error", "expected \"client\": the page's identifier (1 to 64 characters)"}});
  }
  return c;
}

int id_of(const httplib::Request& req) { return std::stoi(req.matches[1].str()); }

// A file of a finished run: the comparison's own, or one of a scenario's folder.
bool run_file(const std::string& name, const std::vector<std::string>& folders) {
  static const std::set<std::string> top = {"comparison.json", "comparison.csv",
                                            "comparison_daily.csv", "report.html"};
  static const std::set<std::string> each = {
      "scenario.yaml", "summary.json",           "timeseries.csv",  "monthly.csv",
      "quarterly.csv", "search_by_category.csv", "replications.csv"};
  if (top.count(name) != 0) return true;
  const auto slash = name.find('/');
  return slash != std::string::npos &&
         std::find(folders.begin(), folders.end(), name.substr(0, slash)) != folders.end() &&
         each.count(name.substr(slash + 1)) != 0;
}

// Requests from this machine's pages only: a Host other than the address
// served (a DNS-rebinding page) or a cross-site Origin is refused, so that no
// other website the user has open can start, cancel or save runs.
bool same_site(const httplib::Request& req, const std::string& host, int port) {
  const std::string p = ":" + std::to_string(port);
  std::vector<std::string> hosts = {host + p};
  if (host == "127.0.0.1" || host == "localhost" || host == "::1") {
    hosts = {"127.0.0.1" + p, "localhost" + p, "[::1]" + p};
  } else if (host.find(':') != std::string::npos) {
    hosts = {"[" + host + "]" + p};
  }
  const auto in = [&](const std::string& h) {
    return std::find(hosts.begin(), hosts.end(), h) != hosts.end();
  };
  const bool any = host == "0.0.0.0" || host == "::";
  if (!any && !in(req.get_header_value("Host"))) return false;
  const std::string origin = req.get_header_value("Origin");
  if (origin.empty() || origin == "null") return req.method == "GET" || origin.empty();
  const std::string prefix = "http://";
  if (origin.rfind(prefix, 0) != 0) return false;
  return any ? origin.substr(prefix.size()) == req.get_header_value("Host")
             : in(origin.substr(prefix.size()));
}

// A run's file as a download: its name, and a MIME type by extension.
void send_file(httplib::Response& res, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Refused(404, {{"error", "no file " + file.filename().string()}});
  std::ostringstream text;
  text << in.rdbuf();
  const std::string ext = file.extension().string();
  const char* type = ext == ".json"   ? "application/json"
                     : ext == ".csv"  ? "text/csv; charset=utf-8"
                     : ext == ".html" ? "text/html; charset=utf-8"
                                      : "text/yaml; charset=utf-8";
  if (ext != ".html") {
    res.set_header("Content-Disposition",
                   "attachment; filename=\"" + file.filename().string() + "\"");
  }
  res.set_content(text.str(), type);
}

}  // namespace

void Server::Impl::routes() {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (same_site(req, options.host, port)) return httplib::Server::HandlerResponse::Unhandled;
    send_json(res,
              {{"error", "refused: linksim serve answers its own page only (Host " +
                             req.get_header_value("Host") + ", Origin " +
                             req.get_header_value("Origin") + ")"}},
              403);
    return httplib::Server::HandlerResponse::Handled;
  });
  page_routes();
  run_routes();
  event_route();
  file_routes();
}

// The page, its scripts, its controls and the check of its request.
void Server::Impl::page_routes() {
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(detail::serve_page_source, "text/html; charset=utf-8");
  });
  http.Get("/chart.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(detail::chartjs_source, "text/javascript; charset=utf-8");
  });
  http.Get("/page.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(detail::serve_js_source, "text/javascript; charset=utf-8");
  });
  http.Get("/results.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(detail::serve_results_js_source, "text/javascript; charset=utf-8");
  });
  http.Get("/api/config", api([this](const httplib::Request&, httplib::Response& res) {
             json c = page_config(offered);
             c["version"] = version();
             c["max_work"] = options.max_work;
             send_json(res, c);
           }));
  // The resolved scenario as YAML (the page's download), or its problems.
  http.Post("/api/validate", api([this](const httplib::Request& req, httplib::Response& res) {
              const auto scenarios = resolve_request(body_of(req), offered, options);
              send_json(res, {{"baseline", to_yaml(scenarios[0])},
                              {"scenario", to_yaml(scenarios[1])},
                              {"name", scenarios[1].name},
                              {"policy", json::parse(get_value(scenarios[1], "policy"))},
                              {"values", assumption_values(scenarios[1])}});
            }));
}

// Runs: queue one, list a page's, one's status, cancel one.
void Server::Impl::run_routes() {
  http.Post("/api/runs", api([this](const httplib::Request& req, httplib::Response& res) {
              json body = body_of(req);
              const std::string client = client_of(body);
              auto scenarios = resolve_request(body, offered, options);
              body.erase("client");
              if (body.contains("upload") && body["upload"].is_object()) {
                body["upload"].erase("text");  // kept as the resolved scenario.yaml
              }
              const int id = runs->submit(client, std::move(scenarios), body);
              spdlog::info("run {} queued for page {}", id, client);
              send_json(res, runs->status(id), 202);
            }));
  http.Get("/api/runs", api([this](const httplib::Request& req, httplib::Response& res) {
             send_json(res, runs->list(req.get_param_value("client")));
           }));
  http.Get(R"(/api/runs/(\d{1,9}))",
           api([this](const httplib::Request& req, httplib::Response& res) {
             send_json(res, runs->status(id_of(req)));
           }));
  http.Post(R"(/api/runs/(\d{1,9})/cancel)",
            api([this](const httplib::Request& req, httplib::Response& res) {
              const int id = id_of(req);
              runs->check_owner(id, client_of(body_of(req)));
              const bool stopped = runs->cancel(id);
              if (stopped) spdlog::info("run {} cancelled", id);
              send_json(res, {{"cancelled", stopped}});
            }));
}

void Server::Impl::event_route() {
  // Progress as server-sent events, a comment every 250 ms so that a page
  // that went away is noticed; the run is cancelled when it does.
  http.Get(R"(/api/runs/(\d{1,9})/events)",
           api([this](const httplib::Request& req, httplib::Response& res) {
             const int id = id_of(req);
             runs->status(id);  // 404 for an unknown run
             auto seen = std::make_shared<long>(-1);
             auto finished = std::make_shared<bool>(false);
             res.set_header("Cache-Control", "no-store");
             res.set_chunked_content_provider(
                 "text/event-stream",
                 [this, id, seen, finished](std::size_t, httplib::DataSink& sink) {
                   json s;
                   try {
                     s = runs->wait(id, *seen, std::chrono::milliseconds(250));
                   } catch (const Refused&) {
                     return false;  // the run was forgotten: end the stream
                   }
                   std::string event;
                   if (s["version"].get<long>() != *seen) {
                     *seen = s["version"].get<long>();
                     event = "event: status\ndata: " + s.dump() + "\n\n";
                   } else {
                     event = ": waiting\n\n";
                   }
                   if (!sink.is_writable() || !sink.write(event.data(), event.size())) return false;
                   const std::string state = s["state"];
                   if (state != "queued" && state != "running") {
                     *finished = true;
                     sink.done();
                   }
                   return true;
                 },
                 [this, id, finished](bool success) {
                   if (!success && !*finished) {
                     try {
                       if (runs->cancel(id))
                         spdlog::info("run {} cancelled: its page went away", id);
                     } catch (const Refused&) {
                     }
                   }
                 });
           }));
}

void Server::Impl::file_routes() {
  // A finished run's files: those `linksim compare` writes, by name (the
  // scenarios' folders as comparison.json names them), nothing else.
  http.Get(R"(/api/runs/(\d{1,9})/files/(.{1,300}))",
           api([this](const httplib::Request& req, httplib::Response& res) {
             const int id = id_of(req);
             const std::string name = req.matches[2].str();
             const auto result = runs->result(id);
             if (!run_file(name, result->folders)) {
               throw Refused(404, {{"error", "no file " + name + " in run " + std::to_string(id)}});
             }
             send_file(res, runs->folder(id) / name);
           }));
  // Saving a run where the page asks: the only writes outside the temporary folder.
  http.Post(R"(/api/runs/(\d{1,9})/save)",
            api([this](const httplib::Request& req, httplib::Response& res) {
              const json body = body_of(req);
              const json f = body.value("folder", json());
              if (!f.is_string() || f.get<std::string>().empty()) {
                throw Refused(400, {{"error", "expected \"folder\": where to save the run"}});
              }
              const int id = id_of(req);
              runs->check_owner(id, client_of(body));
              const auto result = runs->result(id);
              const fs::path dir = fs::absolute(f.get<std::string>());
              if (fs::exists(dir) && !fs::is_empty(dir)) {
                throw Refused(409, {{"error", dir.string() + " exists and is not empty"}});
              }
              write_comparison(*result, dir);
              write_report({dir}, dir / "report.html");
              spdlog::info("run {} saved to {}", id, dir.string());
              send_json(res, {{"folder", dir.string()}});
            }));
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  std::vector<std::string> problems;
  for (const auto& file : impl_->options.scenarios) {
    try {
      impl_->offered.push_back({file.stem().string(), file, load_scenario(file)});
    } catch (const ScenarioError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!problems.empty()) throw ScenarioError(problems);
  if (impl_->offered.empty()) throw std::invalid_argument("linksim serve: no scenario to offer");
  for (std::size_t i = 0; i < impl_->offered.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (impl_->offered[i].name == impl_->offered[j].name) {
        throw std::invalid_argument("two scenarios offered are named " + impl_->offered[i].name +
                                    ": " + impl_->offered[j].file.string() + " and " +
                                    impl_->offered[i].file.string());
      }
    }
  }
  const fs::path parent =
      impl_->options.temp_parent.empty() ? fs::temp_directory_path() : impl_->options.temp_parent;
  std::string pattern = (parent / "linksim-serve-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot make a temporary folder in " + parent.string() + ": " +
                             std::strerror(errno));
  }
  impl_->folder = pattern;
  impl_->runs = std::make_unique<Runs>(impl_->options, impl_->folder);
  // Each page holds one event stream open while it runs: threads for many.
  impl_->http.new_task_queue = [] { return new httplib::ThreadPool(32); };
  impl_->http.set_payload_max_length(4 << 20);  // an uploaded scenario, with room
  // SO_REUSEADDR only (a restart finds its port free at once): httplib's
  // default adds SO_REUSEPORT, with which a second server on the same port
  // binds too and the two share the page's requests.
  impl_->http.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  impl_->routes();
}

Server::~Server() {
  stop();
  std::error_code ignored;
  fs::remove_all(impl_->folder, ignored);
}

int Server::start() {
  Impl& s = *impl_;
  if (s.options.port == 0) {
    s.port = s.http.bind_to_any_port(s.options.host);
  } else {
    s.port = s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
  }
  if (s.port < 0) {
    throw std::runtime_error("cannot listen on " + s.options.host + ":" +
                             std::to_string(s.options.port) + ": " + std::strerror(errno) +
                             " (another server on that port? try --port 0 for any free port)");
  }
  s.listening = true;
  s.listener = std::thread([&s] {
    s.http.listen_after_bind();
    s.listening = false;
  });
  return s.port;
}

int Server::port() const { return impl_->port; }

const fs::path& Server::folder() const { return impl_->folder; }

void Server::stop() {
  Impl& s = *impl_;
  s.runs->stop();
  if (s.listener.joinable()) {
    // listen_after_bind may not have started yet: stop() only stops a running server.
    while (s.listening && !s.http.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s.http.stop();
    s.listener.join();
  }
}

}  // namespace linksim::serve
