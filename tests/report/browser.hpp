// report.html in a real browser: Debian's headless Chromium loads a page and
// returns what its script recorded in #linksim-rendered (status, and every
// chart's plotted values with the scale factor it shows them in), the DOM and
// any console messages. Shared by the report tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support.hpp"

namespace linksim::test {

struct Page {
  nlohmann::json rendered;
  std::string dom;
  std::string console;  // Chromium's CONSOLE lines, if any
};

inline std::string unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += 1) {
      s.replace(at, std::string(from).size(), to);
    }
  }
  return s;
}

// Loads the page in headless Chromium and reads what its script recorded.
inline Page load_in_chromium(const std::filesystem::path& html) {
  namespace fs = std::filesystem;
  Page page;
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
    ADD_FAILURE() << "chromium is not installed (bash .ci/test installs Debian's chromium)";
    return page;
  }
  const fs::path dom = temp_path("linksim_report_dom.html");
  const fs::path log = temp_path("linksim_report_log.txt");
  const fs::path profile = temp_path("linksim_report_profile");
  const std::string cmd =
      "timeout 120 chromium --headless --no-sandbox --disable-gpu "
      "--no-first-run --user-data-dir=" +
      profile.string() + " --enable-logging=stderr --v=0 --dump-dom 'file://" +
      fs::absolute(html).string() + "' >" + dom.string() + " 2>" + log.string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(log);
  page.dom = read_file(dom);
  std::istringstream lines(read_file(log));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("CONSOLE") != std::string::npos) page.console += line + "\n";
  }
  const std::string open = "<pre id=\"linksim-rendered\" hidden=\"\">";
  const auto b = page.dom.find(open);
  const auto e = page.dom.find("</pre>", b);
  if (b == std::string::npos || e == std::string::npos) {
    ADD_FAILURE() << "no rendered block in the page";
    return page;
  }
  page.rendered = nlohmann::json::parse(
      unescape(page.dom.substr(b + open.size(), e - b - open.size())), nullptr, false);
  fs::remove(dom);
  fs::remove(log);
  fs::remove_all(profile);
  return page;
}

inline double json_number(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::nan("");
}

// A plotted value against the file's: the same number through the chart's factor.
inline void expect_plotted(const nlohmann::json& plotted, double file_value, double factor,
                           const std::string& what) {
  if (std::isnan(file_value)) {
    EXPECT_TRUE(plotted.is_null()) << what;
    return;
  }
  ASSERT_TRUE(plotted.is_number()) << what;
  const double v = plotted.get<double>() / factor;
  EXPECT_NEAR(v, file_value, 1e-12 * std::max(1.0, std::fabs(file_value))) << what;
}

// No console messages, the script finished, and nothing fetched from anywhere.
inline void expect_clean(const Page& page) {
  EXPECT_TRUE(page.console.empty()) << page.console;
  ASSERT_TRUE(page.rendered.is_object()) << "the page's script did not finish";
  EXPECT_EQ(page.rendered["status"], "ok") << page.rendered["errors"].dump();
  EXPECT_EQ(page.dom.find("<script src"), std::string::npos);
  EXPECT_EQ(page.dom.find("<link"), std::string::npos);
  EXPECT_EQ(page.dom.find("http://"), std::string::npos);
}

}  // namespace linksim::test
