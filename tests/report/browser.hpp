// report.html in a real browser: Debian's headless Chromium loads a page and
// returns what its script recorded in #linksim-rendered (status, and every
// chart's plotted values with the scale factor it shows them in), the DOM and
// any console messages; and what the page shows (a chart's money scale, the
// sign summaries under the sensitivity charts) checked against the files;
// and the sensitivity analyses whose report they load. Shared by the report
// tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

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

// Loads the page in headless Chromium, in a window `width` pixels wide, and
// reads what its script recorded.
inline Page load_in_chromium(const std::filesystem::path& html, int width = 1280) {
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
      "--no-first-run --window-size=" +
      std::to_string(width) + ",1000 --user-data-dir=" + profile.string() +
      " --enable-logging=stderr --v=0 --dump-dom 'file://" + fs::absolute(html).string() + "' >" +
      dom.string() + " 2>" + log.string();
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

// The scale a chart of money must use: bn, M, k or plain RMB after its
// largest value (ASCII: readable without CJK fonts).
inline void expect_money_scale(const nlohmann::json& chart, double largest_fen) {
  const double factor = chart["factor"].get<double>();
  const std::string unit = chart["unit"];
  if (largest_fen >= 1e11) {
    EXPECT_EQ(unit, "bn RMB") << chart["id"];
    EXPECT_EQ(factor, 1e-11) << chart["id"];
  } else if (largest_fen >= 1e8) {
    EXPECT_EQ(unit, "M RMB") << chart["id"];
    EXPECT_EQ(factor, 1e-8) << chart["id"];
  } else if (largest_fen >= 1e6) {
    EXPECT_EQ(unit, "k RMB") << chart["id"];
    EXPECT_EQ(factor, 1e-5) << chart["id"];
  } else {
    EXPECT_EQ(unit, "RMB") << chart["id"];
    EXPECT_EQ(factor, 1e-2) << chart["id"];
  }
}

// How often `what` occurs in `text`.
inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

// What a "does the answer flip?" block shows: the text of each data-sign
// field above its table, and each factor row's key and fields in page order.
struct SignBlock {
  std::map<std::string, std::string> shown;
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> rows;
};

inline std::map<std::string, std::string> sign_fields(const std::string& html) {
  static const std::regex field(R"re(data-sign="(\w+)">(.*?)</(span|td)>)re");
  std::map<std::string, std::string> out;
  for (std::sregex_iterator m(html.begin(), html.end(), field), end; m != end; ++m) {
    out[(*m)[1]] = (*m)[2];
  }
  return out;
}

inline std::optional<SignBlock> sign_block(const std::string& dom, const std::string& id) {
  const auto b = dom.find("<div class=\"sign\" id=\"" + id + "\">");
  if (b == std::string::npos) return std::nullopt;
  const std::string block = dom.substr(b, dom.find("</div>", b) - b);
  SignBlock s;
  s.shown = sign_fields(block.substr(0, block.find("<table")));
  static const std::regex row(R"re(<tr data-key="([^"]+)">(.*?)</tr>)re");
  for (std::sregex_iterator m(block.begin(), block.end(), row), end; m != end; ++m) {
    s.rows.emplace_back((*m)[1], sign_fields((*m)[2]));
  }
  return s;
}

// The scale a sign summary must show its figures in: money after its largest
// value as a chart's (bn 2 decimals, M 1, k 1, RMB 0), shares in % or, for a
// difference, in pts (2 decimals); "+" before a positive difference.
struct SignScale {
  std::string unit;
  double factor;
  int decimals;
  bool plus;
};

inline SignScale sign_scale(const std::string& unit, bool paired, const nlohmann::json& sign) {
  if (unit == "share") return {paired ? "pts" : "%", 100.0, 2, paired};
  double largest = 0;
  std::vector<nlohmann::json> values{sign["min"], sign["max"], sign["mean"]};
  for (const auto& h : sign["halves"]) values.insert(values.end(), {h["lower"], h["upper"]});
  for (const auto& v : values) {
    if (v.is_number()) largest = std::max(largest, std::fabs(v.get<double>()));
  }
  if (largest >= 1e11) return {"bn RMB", 1e-11, 2, paired};
  if (largest >= 1e8) return {"M RMB", 1e-8, 1, paired};
  if (largest >= 1e6) return {"k RMB", 1e-5, 1, paired};
  return {"RMB", 1e-2, 0, paired};
}

// A figure as shown: grouped digits with the scale's decimals, the value's own
// sign, and the file's value in the scale to within half the last digit.
inline void expect_figure(const std::string& text, const nlohmann::json& value, const SignScale& sc,
                          const std::string& what) {
  if (!value.is_number()) {
    EXPECT_EQ(text, "n/a") << what;
    return;
  }
  const double v = value.get<double>() * sc.factor;
  const std::string decimals = sc.decimals > 0 ? "\\.\\d{" + std::to_string(sc.decimals) + "}" : "";
  ASSERT_TRUE(std::regex_match(text, std::regex("[-+]?\\d{1,3}(,\\d{3})*" + decimals)))
      << what << ": " << text;
  std::string digits;
  for (char c : text) {
    if (c != ',') digits += c;
  }
  EXPECT_NEAR(std::stod(digits), v, 0.5 * std::pow(10.0, -sc.decimals) * (1 + 1e-9))
      << what << ": " << text;
  EXPECT_EQ(text[0] == '-', v < 0) << what << ": " << text;
  EXPECT_EQ(text[0] == '+', sc.plus && v > 0) << what << ": " << text;
}

// A share of rows as shown: a whole percentage, the file's to within 0.5%.
inline void expect_percent(const std::string& text, double share, const std::string& what) {
  const bool whole = std::regex_match(text, std::regex("\\d{1,3}%"));
  EXPECT_TRUE(whole) << what << ": " << text;
  if (whole) {
    EXPECT_NEAR(std::stod(text) / 100, share, 0.005 + 1e-9) << what << ": " << text;
  }
}

// A Morris analysis of a paired difference (closed loop against open links)
// and a Sobol' one of open links alone, in folders NAME_morris and NAME_sobol.
inline std::pair<std::filesystem::path, std::filesystem::path> run_sensitivities(
    const std::string& name) {
  namespace fs = std::filesystem;
  const std::string small = small_flags(70);
  const std::string factors =
      " --vary buyers.session_rate=0.2:0.4 --vary conversion.jump_loss=0.2:0.5"
      " --vary merchants.patience_months=2:8";
  const fs::path morris = temp_path(name + "_morris");
  const fs::path sobol = temp_path(name + "_sobol");
  fs::remove_all(morris);
  fs::remove_all(sobol);
  Output o = linksim("sensitivity " + bundled("closed_loop.yaml") + " " + small + factors +
                     " --method morris --samples 2 --compare " + bundled("open_links.yaml") +
                     " --out " + morris.string());
  EXPECT_EQ(o.code, 0) << o.text;
  o = linksim("sensitivity " + bundled("open_links.yaml") + " " + small + factors +
              " --method sobol --samples 4 --out " + sobol.string());
  EXPECT_EQ(o.code, 0) << o.text;
  return {morris, sobol};
}

}  // namespace linksim::test
