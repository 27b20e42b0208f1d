#pragma once
// Self-contained SVG charts (no scripts, no network) for the HTML reports: line charts for
// curves (loss vs. step) and labelled scatter plots (perplexity vs. diversity per setting).
// The SVG scales to its container's width (viewBox; width/height set its aspect ratio).
#include <string>
#include <vector>

namespace gpt2 {

struct ChartOptions {
  std::string title;
  std::string x_label, y_label;
  bool log_y = false;  // logarithmic y axis (values must be > 0)
  bool log_x = false;  // logarithmic x axis (points at x <= 0 are skipped)
  int width = 640, height = 400;
};

struct Series {
  std::string name;
  std::vector<double> x, y;  // same length; NaN points are skipped
  bool markers = false;      // points only (events such as clipped steps), no line
};

struct LabeledPoint {
  std::string label;
  double x = 0, y = 0;
  double x_low = 0, x_high = 0, y_low = 0, y_high = 0;  // error bars when low < high
};

std::string line_chart_svg(const std::vector<Series>& series, const ChartOptions& options);
// Each point's label is placed beside it where it overlaps no other label or point (greedy,
// in order; a label moved away from its point gets a leader line).
std::string scatter_chart_svg(const std::vector<LabeledPoint>& points, const ChartOptions& options);

// "Nice" tick values covering [low, high], about `count` of them (1, 2, 5 x 10^k steps).
std::vector<double> nice_ticks(double low, double high, int count = 5);

}  // namespace gpt2
