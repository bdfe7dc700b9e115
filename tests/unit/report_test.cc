// SPDX-License-Identifier: MIT
// SVG charts and the HTML/Markdown report of an advise document.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "report/render.h"
#include "report/svg.h"

namespace worthit {
namespace {

nlohmann::json sample() {
  std::ifstream in(std::string(WORTHIT_TEST_DATA) + "/advise-sample.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

/// Every opened element of these kinds is closed.
void expect_balanced(const std::string& s) {
  for (const char* tag : {"svg", "text", "title", "table", "tr", "td", "ul", "li", "section", "h2", "h3"})
    EXPECT_EQ(count(s, std::string("<") + tag + " ") + count(s, std::string("<") + tag + ">"),
              count(s, std::string("</") + tag + ">")) << tag;
}

TEST(Svg, EscapesTextAndPicksNiceTicks) {
  EXPECT_EQ(svg::escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(svg::ticks(97), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_NEAR(svg::ticks(0.3).back(), 0.3, 1e-12);
  EXPECT_EQ(svg::ticks(0), (std::vector<double>{0, 1}));
}

TEST(Svg, BarHeightsScaleWithValuesAndRangesAreDrawn) {
  svg::BarChart c;
  c.title = "rates <test>";
  c.y_label = "t/s";
  c.groups = {"a"};
  c.series = {"x", "y", "z"};
  c.bars = {{svg::Bar{10.0, 8.0, 12.0}, svg::Bar{20.0, {}, {}}, svg::Bar{}}};
  const std::string s = svg::bar_chart(c);
  expect_balanced(s);
  EXPECT_NE(s.find("rates &lt;test&gt;"), std::string::npos);
  std::regex h("<rect x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"[0-9.]+\" height=\"([0-9.]+)\" fill=\"#");
  std::vector<double> heights;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), h); it != std::sregex_iterator(); ++it)
    heights.push_back(std::stod((*it)[1]));
  ASSERT_GE(heights.size(), 2u);
  EXPECT_NEAR(heights[1] / heights[0], 2.0, 0.01);
  EXPECT_EQ(count(s, "stroke=\"#222\""), 3u);  // one range: a whisker and two caps
  EXPECT_NE(s.find("n/a"), std::string::npos);  // the missing bar is marked, not drawn as zero
  EXPECT_EQ(s.find("nan"), std::string::npos);
}

TEST(Report, HtmlHasEveryCandidateChartAndSourceAndLoadsNothing) {
  const auto doc = sample();
  auto html = report::render_html(doc);
  ASSERT_TRUE(html) << html.error().message();
  expect_balanced(*html);
  for (const auto& c : doc["candidates"]) EXPECT_NE(html->find(svg::escape(c["name"].get<std::string>())), std::string::npos);
  EXPECT_EQ(count(*html, "<svg "), 5u);
  EXPECT_EQ(html->find("<script"), std::string::npos);
  EXPECT_EQ(html->find("<link"), std::string::npos);
  EXPECT_EQ(html->find("src=\""), std::string::npos);
  EXPECT_EQ(html->find("url("), std::string::npos);
  // Traceable: every cited source number has its footnote.
  std::regex cite("href=\"#src([0-9]+)\"");
  int most = 0;
  for (auto it = std::sregex_iterator(html->begin(), html->end(), cite); it != std::sregex_iterator(); ++it)
    most = std::max(most, std::stoi((*it)[1]));
  ASSERT_GT(most, 2);
  for (int i = 1; i <= most; ++i) EXPECT_NE(html->find("id=\"src" + std::to_string(i) + "\""), std::string::npos) << i;
  EXPECT_NE(html->find("class=\"measured\""), std::string::npos);
  EXPECT_NE(html->find("class=\"predicted\""), std::string::npos);
}

TEST(Report, MarkdownHasTheVerdictsAndTheSeedTables) {
  auto md = report::render_markdown(sample());
  ASSERT_TRUE(md) << md.error().message();
  EXPECT_NE(md->find("## NVIDIA DGX Spark (GB10)"), std::string::npos);
  EXPECT_NE(md->find("| measured | predicted |"), std::string::npos);
}

TEST(Report, MalformedDocumentsNameThePath) {
  auto doc = sample();
  doc["candidates"][1]["verdict"].erase("summary");
  auto r = report::render_html(doc);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("candidates[1].verdict.summary: missing"), std::string::npos) << r.error().message();
  doc = sample();
  doc["candidates"][0]["workloads"][2]["fits"] = "yes";
  r = report::render_html(doc);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("candidates[0].workloads[2].fits: must be true or false"), std::string::npos)
      << r.error().message();
  EXPECT_FALSE(report::render_markdown(nlohmann::json::array()));
  EXPECT_FALSE(report::render_html(nlohmann::json{{"profile", {{"name", "x"}}}, {"candidates", nlohmann::json::array()}}));
}

}  // namespace
}  // namespace worthit
