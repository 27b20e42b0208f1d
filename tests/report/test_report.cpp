#include <catch2/catch.hpp>

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
