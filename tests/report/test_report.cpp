#include <catch2/catch.hpp>
#include <cmath>
#include <regex>
#include <sstream>

#include "report/html.h"
#include "report/svg_chart.h"
#include "report/table.h"

using namespace gpt2;
using Catch::Matchers::Contains;

TEST_CASE("tables print aligned text and RFC 4180 CSV") {
  Table table{{"setting", "ppl"}, {}};
  table.add_row({"top_p=0.9", "12.5"});
  table.add_row({"greedy", "3.25"});
  CHECK(table.to_text() ==
        "setting    ppl\n"
        "---------------\n"
        "top_p=0.9  12.5\n"
        "greedy     3.25\n");
  Table quoted{{"a", "b"}, {{"x,y", "say \"hi\""}}};
  CHECK(quoted.to_csv() == "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n");
  CHECK(format_number(3.14159, 2) == "3.14");
}

TEST_CASE("nice ticks step by 1, 2 or 5 times a power of ten") {
  CHECK(nice_ticks(0, 10, 5) == std::vector<double>{0, 2, 4, 6, 8, 10});
  auto tenths = nice_ticks(0.13, 0.61, 5);  // raw step 0.096 -> 0.1
  REQUIRE(tenths.size() == 5);
  for (size_t i = 0; i < 5; ++i) CHECK(tenths[i] == Approx(0.2 + 0.1 * i));
  CHECK(nice_ticks(1.5, 2.5, 4) == std::vector<double>{1.5, 2.0, 2.5});  // 0.25 -> 0.5
}

TEST_CASE("charts place points inside the plot and escape labels") {
  ChartOptions options;
  options.title = "loss <train>";
  std::string svg = line_chart_svg({{"a&b", {0, 10}, {1, 2}}}, options);
  CHECK_THAT(svg, Contains("<svg"));
  CHECK_THAT(svg, Contains("loss &lt;train&gt;"));
  CHECK_THAT(svg, Contains("a&amp;b"));
  CHECK_THAT(svg, Contains("<polyline"));
  // x from 0 to 10 padded by 5%: x = 0 maps to left + 0.5/11 of the plot width (64 + 426/22).
  CHECK_THAT(svg, Contains("points=\"83.36,"));
  // A log axis labels nice data values, not powers of ten of nice logs.
  ChartOptions log_options;
  log_options.log_y = true;
  std::string log_chart = line_chart_svg({{"ppl", {0, 1}, {2.4, 6.2}}}, log_options);
  CHECK_THAT(log_chart, Contains(">3</text>"));
  CHECK(log_chart.find("6.30957") == std::string::npos);
  std::string scatter = scatter_chart_svg({{"greedy", 1, 2, 0, 0, 1.5, 2.5}}, options);
  CHECK_THAT(scatter, Contains("<circle"));
  CHECK_THAT(scatter, Contains(">greedy</text>"));
}

TEST_CASE("the HTML report is self-contained") {
  HtmlReport report("Sampling <comparison>");
  report.paragraph("a & b");
  report.samples({{"reference", "<eos>"}});
  std::string html = report.html();
  CHECK_THAT(html, Contains("<title>Sampling &lt;comparison&gt;</title>"));
  CHECK_THAT(html, Contains("<p>a &amp; b</p>"));
  CHECK_THAT(html, Contains("&lt;eos&gt;"));
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("a log-scaled x axis places steps by their log and labels 1-2-5 ticks", "[chart]") {
  ChartOptions options;
  options.log_x = true;
  // x = 0 cannot be on a log axis and is left out; 1..1000 spans three decades.
  std::string svg = line_chart_svg({{"loss", {0, 1, 10, 100, 1000}, {5, 4, 3, 2, 1}}}, options);
  const std::regex points_re("points=\"([^\"]*)\"");
  std::smatch m;
  REQUIRE(std::regex_search(svg, m, points_re));
  std::vector<double> xs;
  std::istringstream in(m[1].str());
  for (std::string pair; in >> pair;) xs.push_back(std::stod(pair.substr(0, pair.find(','))));
  REQUIRE(xs.size() == 4);
  // Equal steps in log10: decades are equally far apart on screen.
  CHECK(xs[1] - xs[0] == Approx(xs[2] - xs[1]).margin(0.02));
  CHECK(xs[2] - xs[1] == Approx(xs[3] - xs[2]).margin(0.02));
  // Padding of 5% of 3 decades on each side: x = 1 sits at left + 0.15/3.3 of the plot width.
  CHECK(xs[0] == Approx(64 + 426 * 0.15 / 3.3).margin(0.02));
  for (const char* tick : {">1</text>", ">10</text>", ">100</text>", ">1000</text>", ">5</text>"})
    CHECK_THAT(svg, Contains(tick));
}

TEST_CASE("a marker series draws one circle per point and no line", "[chart]") {
  Series events{"clipped", {1, 5, 9}, {2, 3, NAN}};
  events.markers = true;
  std::string svg = line_chart_svg({{"norm", {1, 5, 9}, {1, 2, 3}}, events}, ChartOptions{});
  const size_t group = svg.find("<g class=\"markers\"");
  REQUIRE(group != std::string::npos);
  const std::string markers = svg.substr(group, svg.find("</g>", group) - group);
  size_t circles = 0;
  for (size_t at = markers.find("<circle"); at != std::string::npos;
       at = markers.find("<circle", at + 1))
    ++circles;
  CHECK(circles == 2);  // the NaN point is skipped
  size_t polylines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1))
    ++polylines;
  CHECK(polylines == 1);
}

TEST_CASE("scatter labels of nearby points do not overlap each other or the points", "[chart]") {
  // The demo's case: top-p 0.9 and typical 0.9 almost on top of each other, and more around.
  std::vector<LabeledPoint> points = {
      {"top-p 0.9", 0.327, 9.84}, {"typical 0.9", 0.334, 9.81},     {"pure sampling", 0.288, 12.52},
      {"top-k 10", 0.436, 8.72},  {"temperature 0.7", 0.454, 8.14}, {"greedy", 0.976, 3.33},
      {"beam 4", 0.989, 3.28}};
  ChartOptions options;
  const std::string svg = scatter_chart_svg(points, options);
  // Each label's box from its <text> (x, baseline y) and the chart's width estimate (6.8 px per
  // character + 2, 15 px high, baseline 3 px above the box's bottom).
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> labels, dots;
  const std::regex text_re("<text x=\"([0-9.]+)\" y=\"([0-9.]+)\" fill=\"[^\"]*\">([^<]*)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), text_re);
       it != std::sregex_iterator(); ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    labels.push_back({x, y + 3 - 15, x + 6.8 * double((*it)[3].length()) + 2, y + 3});
  }
  const std::regex dot_re("<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\" r=\"5\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), dot_re); it != std::sregex_iterator();
       ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    dots.push_back({x - 5, y - 5, x + 5, y + 5});
  }
  REQUIRE(labels.size() == points.size());
  REQUIRE(dots.size() == points.size());
  auto overlap = [](const Box& a, const Box& b) {
    return a.x0 < b.x1 - 0.01 && b.x0 < a.x1 - 0.01 && a.y0 < b.y1 - 0.01 && b.y0 < a.y1 - 0.01;
  };
  for (size_t i = 0; i < labels.size(); ++i) {
    for (size_t j = i + 1; j < labels.size(); ++j) {
      INFO(points[i].label << " / " << points[j].label);
      CHECK(!overlap(labels[i], labels[j]));
    }
    for (size_t j = 0; j < dots.size(); ++j) {
      INFO(points[i].label << " over the point of " << points[j].label);
      CHECK(!overlap(labels[i], dots[j]));
    }
  }
}

TEST_CASE("charts scale to the page width and keep their proportions", "[chart]") {
  ChartOptions options;
  options.width = 900;
  options.height = 360;
  const std::string svg = line_chart_svg({{"a", {0, 1}, {0, 1}}}, options);
  CHECK_THAT(svg, Contains("width=\"100%\" viewBox=\"0 0 900 360\""));
  HtmlReport report("r");
  report.links({{"run <1>", "runs/a b/report.html"}});
  CHECK_THAT(report.html(), Contains("<a href=\"runs/a b/report.html\">run &lt;1&gt;</a>"));
}
