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
  void finish() {
    if (low > high) low = 0, high = 1;
    if (low == high) low -= 0.5, high += 0.5;
    double pad = (high - low) * 0.05;
    low -= pad;
    high += pad;
  }
};

// Maps data to pixels inside the plot area and draws the frame, ticks and labels.
class Canvas {
 public:
  Canvas(const ChartOptions& options, Range x, Range y) : options_(options), x_(x), y_(y) {
    if (options.log_y) {
      y_.low = std::log10(std::max(y_.low, 1e-12));
      y_.high = std::log10(std::max(y_.high, 1e-12));
    }
    svg_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(options.width) +
           "\" height=\"" + std::to_string(options.height) + "\" viewBox=\"0 0 " +
           std::to_string(options.width) + " " + std::to_string(options.height) +
           "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg_ += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg_ += "<text x=\"" + number(options.width / 2.0) +
            "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" +
            html_escape(options.title) + "</text>\n";
    draw_axes();
  }

  double px(double x) const { return left_ + (x - x_.low) / (x_.high - x_.low) * plot_w(); }
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
    for (double t : nice_ticks(x_.low, x_.high)) {
      double x = px(t);
      svg_ += "<line x1=\"" + number(x) + "\" y1=\"" + number(y0) + "\" x2=\"" + number(x) +
              "\" y2=\"" + number(y1) + "\" stroke=\"#eee\"/>\n";
      svg_ += "<text x=\"" + number(x) + "\" y=\"" + number(y1 + 16) +
              "\" text-anchor=\"middle\">" + tick_label(t) + "</text>\n";
    }
    // On a log axis the ticks are nice values of the data (2, 3, 4, ...), placed by their log.
    std::vector<double> y_ticks = options_.log_y
                                      ? nice_ticks(std::pow(10.0, y_.low), std::pow(10.0, y_.high))
                                      : nice_ticks(y_.low, y_.high);
    for (double value : y_ticks) {
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

  ChartOptions options_;
  Range x_, y_;
  double left_ = 64, right_ = 150, top_ = 32, bottom_ = 44;
  std::string svg_;
};

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
      if (std::isnan(s.y[i]) || (options.log_y && s.y[i] <= 0)) continue;
      x.add(s.x[i]);
      y.add(s.y[i]);
    }
  x.finish();
  y.finish();
  Canvas canvas(options, x, y);
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* colour = kColours[k % 8];
    std::string points;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (std::isnan(s.y[i]) || (options.log_y && s.y[i] <= 0)) continue;
      points += number(canvas.px(s.x[i])) + "," + number(canvas.py(s.y[i])) + " ";
    }
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
  x.finish();
  y.finish();
  Canvas canvas(options, x, y);
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
    canvas.add("<text x=\"" + number(cx + 7) + "\" y=\"" + number(cy - 6) + "\">" +
               html_escape(p.label) + "</text>\n");
  }
  return canvas.finish();
}

}  // namespace gpt2
