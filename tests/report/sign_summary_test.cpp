// report.html's "does the answer flip?" summaries in a real browser: for a
// Morris analysis of a paired difference, a Sobol' one, an edited copy of the
// first (GMV's in M RMB, an empty half, a factor that flips, platform
// revenue's dropped) and a copy written before sign summaries existed, every
// summary under a sensitivity chart shows its file's figures in the scale it
// names, and a chart whose file holds none has none.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "report/browser.hpp"
#include "support.hpp"

namespace linksim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::count;
using test::expect_clean;
using test::expect_figure;
using test::linksim;
using test::load_in_chromium;
using test::Output;
using test::Page;
using test::run_sensitivities;
using test::sign_block;
using test::sign_scale;
using test::SignBlock;
using test::SignScale;

// Every "does the answer flip?" block against its file: one under each chart
// of a metric with a sign summary and none under the others, each figure the
// file's in the scale the block names, the factors in ranking order, and a
// flip flag exactly where the file has one. Returns the flags shown.
std::size_t expect_sign_summaries(const Page& page, const std::vector<json>& files) {
  std::size_t blocks = 0, flips = 0;
  for (const auto& chart : page.rendered["charts"]) {
    const std::string id = chart["id"];  // sens-K-I, its block sign-K-I
    const json& key = chart["datasets"][0]["key"];
    if (key["source"] == "design-rows") continue;  // sens-K-I-rows, between sens-K-I and its block
    const json& file = files.at(key["analysis"].get<std::size_t>());
    const json& r = file["results"][key["metric"].get<std::string>()];
    std::optional<SignBlock> block = sign_block(page.dom, "sign" + id.substr(4));
    if (!r.contains("sign")) {
      EXPECT_FALSE(block) << id << ": a sign summary the file does not hold";
      continue;
    }
    ++blocks;
    if (!block) {
      ADD_FAILURE() << "no sign summary under " << id;
      continue;
    }
    const json& sign = r["sign"];
    const SignScale sc = sign_scale(r["unit"], file["compare"].is_string(), sign);
    EXPECT_EQ(block->shown["unit"], sc.unit) << id;
    for (const char* f : {"min", "max", "mean"})
      expect_figure(block->shown[f], sign[f], sc, id + f);
    for (const char* f : {"negative_share", "positive_share"}) {
      test::expect_percent(block->shown[f], sign[f].get<double>(), id + f);
    }
    const bool answer = sign["negative_share"] > 0 && sign["positive_share"] > 0;
    EXPECT_EQ(block->shown["answer"], answer ? "Yes" : "No") << id;
    json keys = json::array();
    for (auto& [k, row] : block->rows) {
      keys.push_back(k);
      const json& h = sign["halves"].at(k);
      expect_figure(row["lower"], h["lower"], sc, id + k + " lower");
      expect_figure(row["upper"], h["upper"], sc, id + k + " upper");
      EXPECT_EQ(row["rows"], std::to_string(h["lower_rows"].get<int>()) + " / " +
                                 std::to_string(h["upper_rows"].get<int>()))
          << id << k;
      EXPECT_EQ(row["flips"], h["flips"].get<bool>() ? "<b>flips</b>" : "no") << id << k;
      flips += h["flips"].get<bool>() ? 1 : 0;
    }
    EXPECT_EQ(keys, r["ranking"]) << id;
  }
  EXPECT_EQ(count(page.dom, "<div class=\"sign\""), blocks);
  EXPECT_EQ(count(page.dom, "data-sign=\"flips\"><b>flips</b>"), flips);
  return flips;
}

TEST(AnalysisReport, SensitivitySignSummaryShowsTheFilesFigures) {
  const auto [morris, sobol] = run_sensitivities("linksim_report_sign");
  ASSERT_FALSE(testing::Test::HasFailure());
  std::vector<json> files{json::parse(test::read_file(morris / "sensitivity.json")),
                          json::parse(test::read_file(sobol / "sensitivity.json"))};
  // Edited: GMV's summary in M RMB, with an empty half and a factor that
  // flips; platform revenue's dropped. Older: written before the sign
  // summary existed, with none.
  json edited = files[0];
  json& gmv = edited["results"]["gmv"]["sign"];
  const json& ranking = edited["results"]["gmv"]["ranking"];
  gmv.update({{"min", -3.21e10}, {"max", 1.5e9}, {"mean", -8.7e9}});
  gmv["halves"][ranking[0].get<std::string>()].update({{"lower", nullptr}, {"lower_rows", 0}});
  gmv["halves"][ranking[1].get<std::string>()].update(
      {{"lower", -2.5e9}, {"upper", 1.25e9}, {"flips", true}});
  edited["results"]["platform_revenue"].erase("sign");
  json older = files[0];
  for (auto& r : older["results"]) r.erase("sign");
  files.push_back(edited);
  files.push_back(older);
  const fs::path edited_dir = morris / "edited", older_dir = morris / "older";
  for (const auto& [dir, file] : {std::pair{edited_dir, edited}, std::pair{older_dir, older}}) {
    fs::create_directories(dir);
    std::ofstream(dir / "sensitivity.json") << file.dump(2);
  }
  const fs::path html = morris / "signs.html";
  const Output o =
      linksim("report " + morris.string() + " " + sobol.string() + " " + edited_dir.string() + " " +
              older_dir.string() + " --out " + html.string());
  ASSERT_EQ(o.code, 0) << o.text;
  const Page page = load_in_chromium(html);
  expect_clean(page);
  EXPECT_GE(expect_sign_summaries(page, files), 1u);
  EXPECT_NE(page.dom.find("<span data-sign=\"unit\">M RMB</span>"), std::string::npos);
  EXPECT_EQ(count(page.dom, "Under each chart, <b>does the answer flip?</b>"), 3u);
  fs::remove_all(morris);
  fs::remove_all(sobol);
}

}  // namespace
}  // namespace linksim
