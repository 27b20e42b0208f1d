#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "report/html.h"

namespace gpt2 {
namespace {

// A colour-blind-friendly palette (Okabe-Ito), cycled.
const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                          "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

std::string tick_label(double value) {
  char buffer[32];
  double magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-3))
    std::snprintf(buffer, sizeof buffer, "%.1e", value);
  else
    std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isnan(v) || std::isinf(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  // log: the range becomes log10 of the values, padded in that space (a linear pad below a
  // small positive value would reach 0 or below).
  void finish(bool log = false) {
    if (log && low <= high) {
      low = std::log10(std::max(low, 1e-12));
      high = std::log10(std::max(high, 1e-12));
    }
    if (low > high) low = 0, high = 1;
    if (low == high) low -= 0.5, high += 0.5;
    double pad = (high - low) * 0.05;
    low -= pad;
    high += pad;
  }
};

// Ticks of a log axis spanning [10^low, 10^high]: 1, 2, 5 x 10^k inside it (or the nice
// ticks of the values when it spans less than a decade).
std::vector<double> log_ticks(double low, double high) {
  std::vector<double> ticks;
  for (int k = int(std::floor(low)); k <= int(std::ceil(high)); ++k)
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = m * std::pow(10.0, k);
      if (std::log10(v) >= low - 1e-9 && std::log10(v) <= high + 1e-9) ticks.push_back(v);
    }
  if (ticks.size() < 2) ticks = nice_ticks(std::pow(10.0, low), std::pow(10.0, high));
  return ticks;
}

// Maps data to pixels inside the plot area and draws the frame, ticks and labels.
class Canvas {
 public:
  // x and y: ranges after finish(), in log10 for a log axis.
  // legend: room for the series' names right of the plot (line charts); a scatter plot labels
  // its points inside and needs none.
  Canvas(const ChartOptions& options, Range x, Range y, bool legend)
      : options_(options), x_(x), y_(y) {
    if (!legend) right_ = 24;
    // Room for the longest y tick label left of the plot, beside the rotated axis label.
    size_t widest = 0;
    for (double value : y_ticks()) widest = std::max(widest, tick_label(value).size());
    left_ = std::max(left_, 30 + 7.0 * double(widest));
    // width 100%: the chart fills the page's column; the viewBox keeps its proportions.
    svg_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" viewBox=\"0 0 " +
           std::to_string(options.width) + " " + std::to_string(options.height) +
           "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg_ += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg_ += "<text x=\"" + number(options.width / 2.0) +
            "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" +
            html_escape(options.title) + "</text>\n";
    draw_axes();
  }

  double px(double x) const {
    if (options_.log_x) x = std::log10(std::max(x, 1e-12));
    return left_ + (x - x_.low) / (x_.high - x_.low) * plot_w();
  }
  double left_edge() const { return left_; }
  double top_edge() const { return top_; }
  double bottom_edge() const { return top_ + plot_h(); }
  double py(double y) const {
    if (options_.log_y) y = std::log10(std::max(y, 1e-12));
    return top_ + (1 - (y - y_.low) / (y_.high - y_.low)) * plot_h();
  }
  double right_edge() const { return left_ + plot_w(); }
  void add(const std::string& element) { svg_ += element; }
  std::string finish() { return svg_ + "</svg>\n"; }

 private:
  double plot_w() const { return options_.width - left_ - right_; }
  double plot_h() const { return options_.height - top_ - bottom_; }

  void draw_axes() {
    const double x0 = left_, x1 = left_ + plot_w(), y0 = top_, y1 = top_ + plot_h();
    svg_ += "<rect x=\"" + number(x0) + "\" y=\"" + number(y0) + "\" width=\"" + number(plot_w()) +
            "\" height=\"" + number(plot_h()) + "\" fill=\"none\" stroke=\"#444\"/>\n";
    std::vector<double> x_ticks =
        options_.log_x ? log_ticks(x_.low, x_.high) : nice_ticks(x_.low, x_.high);
    for (double t : x_ticks) {
      double x = px(t);
      svg_ += "<line x1=\"" + number(x) + "\" y1=\"" + number(y0) + "\" x2=\"" + number(x) +
              "\" y2=\"" + number(y1) + "\" stroke=\"#eee\"/>\n";
      svg_ += "<text x=\"" + number(x) + "\" y=\"" + number(y1 + 16) +
              "\" text-anchor=\"middle\">" + tick_label(t) + "</text>\n";
    }
    for (double value : y_ticks()) {
      if (options_.log_y && value <= 0) continue;
      double t = options_.log_y ? std::log10(value) : value;
      double y = top_ + (1 - (t - y_.low) / (y_.high - y_.low)) * plot_h();
      svg_ += "<line x1=\"" + number(x0) + "\" y1=\"" + number(y) + "\" x2=\"" + number(x1) +
              "\" y2=\"" + number(y) + "\" stroke=\"#eee\"/>\n";
      svg_ += "<text x=\"" + number(x0 - 6) + "\" y=\"" + number(y + 4) +
              "\" text-anchor=\"end\">" + tick_label(value) + "</text>\n";
    }
    svg_ += "<text x=\"" + number((x0 + x1) / 2) + "\" y=\"" + number(options_.height - 8.0) +
            "\" text-anchor=\"middle\">" + html_escape(options_.x_label) + "</text>\n";
    svg_ += "<text transform=\"translate(16," + number((y0 + y1) / 2) +
            ") rotate(-90)\" text-anchor=\"middle\">" + html_escape(options_.y_label) + "</text>\n";
  }

  // On a log axis the ticks are nice values of the data (2, 3, 4, ...), placed by their log.
  std::vector<double> y_ticks() const {
    return options_.log_y ? nice_ticks(std::pow(10.0, y_.low), std::pow(10.0, y_.high))
                          : nice_ticks(y_.low, y_.high);
  }

  ChartOptions options_;
  Range x_, y_;
  double left_ = 64, right_ = 150, top_ = 32, bottom_ = 44;
  std::string svg_;
};

// Label placement for scatter plots.
struct Box {
  double x0, y0, x1, y1;
  double overlap_area(const Box& o) const {
    const double w = std::min(x1, o.x1) - std::max(x0, o.x0),
                 h = std::min(y1, o.y1) - std::max(y0, o.y0);
    return w > 0 && h > 0 ? w * h : 0;
  }
};

struct LabelPlace {
  Box box;
  bool leader = false;  // the label sits away from its point
  double anchor_x = 0, anchor_y = 0;
};

// Width of a 12 px sans-serif label, estimated (no font metrics in a static file).
double label_width(const std::string& label) {
  return 6.8 * double(label.size()) + 2;
}

constexpr double kLabelHeight = 15;

// The first candidate box beside (cx, cy) that overlaps nothing taken and stays in the plot;
// the candidates go round the point at growing distances. When all overlap, the one with the
// least overlap.
LabelPlace place_label(double cx, double cy, double width, const std::vector<Box>& taken,
                       const Box& plot) {
  LabelPlace best;
  double best_cost = std::numeric_limits<double>::infinity();
  const double h = kLabelHeight;
  for (double distance : {7.0, 18.0, 32.0, 50.0}) {
    // (dx, dy) of the box's nearest corner: right-above, right-below, left-above, left-below,
    // above, below.
    const double offsets[6][2] = {{distance, -distance - h + 4},
                                  {distance, distance - 4},
                                  {-distance - width, -distance - h + 4},
                                  {-distance - width, distance - 4},
                                  {-width / 2, -distance - h},
                                  {-width / 2, distance}};
    for (const auto& offset : offsets) {
      Box box{cx + offset[0], cy + offset[1], cx + offset[0] + width, cy + offset[1] + h};
      double cost = 0;
      for (const Box& other : taken) cost += box.overlap_area(other);
      // Outside the plot counts as overlap with a large weight (it could leave the figure).
      const double outside = (box.x1 - box.x0) * (box.y1 - box.y0) - box.overlap_area(plot);
      cost += 4 * outside;
      if (cost < best_cost) {
        best_cost = cost;
        best.box = box;
        best.leader = distance > 7.0;
        best.anchor_x = std::clamp(cx, box.x0, box.x1);
        best.anchor_y = std::clamp(cy, box.y0, box.y1);
      }
      if (cost == 0) return best;
    }
  }
  return best;
}

}  // namespace

std::vector<double> nice_ticks(double low, double high, int count) {
  if (!(high > low) || count < 1) return {low};
  double raw = (high - low) / count;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  // Integer multiples of the step, so ticks do not drift by accumulated round-off.
  const long first = long(std::ceil(low / step - 1e-9)),
             last = long(std::floor(high / step + 1e-9));
  for (long k = first; k <= last; ++k) ticks.push_back(double(k) * step);
  return ticks;
}

std::string line_chart_svg(const std::vector<Series>& series, const ChartOptions& options) {
  Range x, y;
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (std::isnan(s.y[i]) || (options.log_y && s.y[i] <= 0) || (options.log_x && s.x[i] <= 0))
        continue;
      x.add(s.x[i]);
      y.add(s.y[i]);
    }
  x.finish(options.log_x);
  y.finish(options.log_y);
  Canvas canvas(options, x, y, /*legend=*/true);
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* colour = kColours[k % 8];
    std::string points;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (std::isnan(s.y[i]) || (options.log_y && s.y[i] <= 0) || (options.log_x && s.x[i] <= 0))
        continue;
      const std::string cx = number(canvas.px(s.x[i])), cy = number(canvas.py(s.y[i]));
      if (s.markers)
        points += "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"3.5\"/>";
      else
        points += cx + "," + cy + " ";
    }
    if (s.markers)
      canvas.add("<g class=\"markers\" fill=\"" + std::string(colour) + "\"><title>" +
                 html_escape(s.name) + "</title>" + points + "</g>\n");
    else
      canvas.add("<polyline fill=\"none\" stroke=\"" + std::string(colour) +
                 "\" stroke-width=\"1.8\" points=\"" + points + "\"><title>" + html_escape(s.name) +
                 "</title></polyline>\n");
    double legend_y = 40 + 16.0 * k;
    canvas.add("<rect x=\"" + number(canvas.right_edge() + 10) + "\" y=\"" + number(legend_y - 9) +
               "\" width=\"12\" height=\"3\" fill=\"" + colour + "\"/><text x=\"" +
               number(canvas.right_edge() + 26) + "\" y=\"" + number(legend_y) + "\">" +
               html_escape(s.name) + "</text>\n");
  }
  return canvas.finish();
}

std::string scatter_chart_svg(const std::vector<LabeledPoint>& points,
                              const ChartOptions& options) {
  Range x, y;
  for (const auto& p : points) {
    x.add(p.x);
    y.add(p.y);
    if (p.x_low < p.x_high) x.add(p.x_low), x.add(p.x_high);
    if (p.y_low < p.y_high) y.add(p.y_low), y.add(p.y_high);
  }
  x.finish(options.log_x);
  y.finish(options.log_y);
  Canvas canvas(options, x, y, /*legend=*/false);
  // Boxes already taken: every point's marker first, then each label as it is placed.
  std::vector<Box> taken;
  for (const auto& p : points)
    if (!std::isnan(p.x) && !std::isnan(p.y)) {
      const double cx = canvas.px(p.x), cy = canvas.py(p.y);
      taken.push_back({cx - 6, cy - 6, cx + 6, cy + 6});
    }
  for (size_t k = 0; k < points.size(); ++k) {
    const auto& p = points[k];
    if (std::isnan(p.x) || std::isnan(p.y)) continue;
    const std::string colour = kColours[k % 8];
    const double cx = canvas.px(p.x), cy = canvas.py(p.y);
    if (p.x_low < p.x_high)
      canvas.add("<line x1=\"" + number(canvas.px(p.x_low)) + "\" y1=\"" + number(cy) + "\" x2=\"" +
                 number(canvas.px(p.x_high)) + "\" y2=\"" + number(cy) + "\" stroke=\"" + colour +
                 "\"/>\n");
    if (p.y_low < p.y_high)
      canvas.add("<line x1=\"" + number(cx) + "\" y1=\"" + number(canvas.py(p.y_low)) + "\" x2=\"" +
                 number(cx) + "\" y2=\"" + number(canvas.py(p.y_high)) + "\" stroke=\"" + colour +
                 "\"/>\n");
    canvas.add("<circle cx=\"" + number(cx) + "\" cy=\"" + number(cy) + "\" r=\"5\" fill=\"" +
               colour + "\"><title>" + html_escape(p.label) + "</title></circle>\n");
    const LabelPlace place = place_label(
        cx, cy, label_width(p.label), taken,
        {canvas.left_edge(), canvas.top_edge(), canvas.right_edge(), canvas.bottom_edge()});
    taken.push_back(place.box);
    if (place.leader)
      canvas.add("<line x1=\"" + number(cx) + "\" y1=\"" + number(cy) + "\" x2=\"" +
                 number(place.anchor_x) + "\" y2=\"" + number(place.anchor_y) +
                 "\" stroke=\"#999\" stroke-width=\"0.8\"/>\n");
    // The label in its point's colour (yellow darkened to stay readable on white).
    const std::string text_colour = colour == "#F0E442" ? "#8A7D00" : colour;
    canvas.add("<text x=\"" + number(place.box.x0) + "\" y=\"" + number(place.box.y1 - 3) +
               "\" fill=\"" + text_colour + "\">" + html_escape(p.label) + "</text>\n");
  }
  return canvas.finish();
}

}  // namespace gpt2
