#include "train/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "report/html.h"
#include "report/svg_chart.h"
#include "report/table.h"

namespace gpt2 {
namespace {

// The (step, value) points of one number of the rows of one kind; NaN values are skipped.
Series series_of(const std::vector<RunLogRow>& log, const std::string& kind, const std::string& key,
                 const std::string& name) {
  Series s;
  s.name = name;
  for (const RunLogRow& row : log) {
    if (row.kind != kind) continue;
    const double value = row.number(key);
    if (std::isnan(value)) continue;
    s.x.push_back(double(row.step));
    s.y.push_back(value);
  }
  return s;
}

// At most about `limit` points (every k-th, the last one kept), so a long run's report stays
// small and quick to draw; the full series is in log.jsonl and the TensorBoard events.
Series thinned(Series s, size_t limit = 2000) {
  if (s.x.size() <= limit) return s;
  const size_t stride = (s.x.size() + limit - 1) / limit;
  Series out{s.name, {}, {}, s.markers};
  for (size_t i = 0; i < s.x.size(); i += stride) {
    out.x.push_back(s.x[i]);
    out.y.push_back(s.y[i]);
  }
  if (out.x.back() != s.x.back()) {
    out.x.push_back(s.x.back());
    out.y.push_back(s.y.back());
  }
  return out;
}

ChartOptions chart(const std::string& title, const std::string& y_label) {
  ChartOptions options;
  options.title = title;
  options.x_label = "step";
  options.y_label = y_label;
  options.width = 900;
  options.height = 360;
  return options;
}

std::string step_folder(int64_t step) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "checkpoints/step_%08ld", long(step));
  return buffer;
}

}  // namespace

std::string run_report_html(const RunReportInput& in) {
  HtmlReport report("Training run " + in.run_dir);
  const Series train_loss = thinned(series_of(in.log, "train", "loss", "train loss"));
  const Series val_loss = series_of(in.log, "eval", "val_loss", "val loss");
  int64_t last_step = 0;
  for (const RunLogRow& row : in.log) last_step = std::max(last_step, row.step);
  std::string summary = "step " + std::to_string(last_step) + " of " + std::to_string(in.max_steps);
  if (!train_loss.y.empty()) summary += "; train loss " + format_number(train_loss.y.back(), 4);
  if (!val_loss.y.empty()) summary += "; val loss " + format_number(val_loss.y.back(), 4);
  for (const RunLogRow& row : in.log)
    if (row.kind == "eval" && row.step == in.best_step)
      summary += "; best val loss " + format_number(row.number("val_loss"), 4) + " at step " +
                 std::to_string(in.best_step);
  report.paragraph(summary);

  report.heading("Loss");
  report.svg(line_chart_svg({train_loss, val_loss}, chart("Loss", "loss (nats/token)")));
  ChartOptions log_steps = chart("Loss, log-scaled steps", "loss (nats/token)");
  log_steps.log_x = true;
  log_steps.x_label = "step (log scale)";
  report.svg(line_chart_svg({train_loss, val_loss}, log_steps));

  // train.eval_tasks: each task metric ("label/metric" keys of the eval rows) against step.
  std::map<std::string, Series> task_metrics;
  for (const RunLogRow& row : in.log)
    if (row.kind == "eval")
      for (const auto& [key, value] : row.numbers)
        if (key.find('/') != std::string::npos) task_metrics[key].name = key;
  if (!task_metrics.empty()) {
    report.heading("Zero-shot tasks");
    for (auto& [key, series] : task_metrics) {
      series = series_of(in.log, "eval", key, key);
      series.markers = series.x.size() == 1;  // one evaluation: a point, not an empty line
      report.svg(line_chart_svg({series}, chart(key, key.substr(key.rfind('/') + 1))));
    }
  }

  report.heading("Learning rate");
  report.svg(line_chart_svg({thinned(series_of(in.log, "train", "lr", "lr"))},
                            chart("Learning rate", "lr")));

  report.heading("Gradient norm");
  const Series grad = series_of(in.log, "train", "grad_norm", "grad norm");
  std::vector<Series> grad_series = {thinned(grad)};
  if (in.grad_clip > 0) {
    Series clipped;
    clipped.name = "clipped (> " + format_number(in.grad_clip, 2) + ")";
    clipped.markers = true;
    for (size_t i = 0; i < grad.x.size(); ++i)
      if (grad.y[i] > in.grad_clip) {
        clipped.x.push_back(grad.x[i]);
        clipped.y.push_back(grad.y[i]);
      }
    Series threshold{"clip threshold", {}, {}};
    if (!grad.x.empty())
      threshold = {"clip threshold", {grad.x.front(), grad.x.back()}, {in.grad_clip, in.grad_clip}};
    grad_series.push_back(thinned(clipped));
    grad_series.push_back(threshold);
    report.paragraph(std::to_string(clipped.x.size()) + " of " + std::to_string(grad.x.size()) +
                     " logged steps had a gradient norm above train.grad_clip = " +
                     format_number(in.grad_clip, 3) + " (before clipping).");
  }
  report.svg(line_chart_svg(grad_series, chart("Gradient norm (before clipping)", "L2 norm")));

  report.heading("Throughput");
  report.svg(line_chart_svg({thinned(series_of(in.log, "train", "tokens_per_s", "tokens/s"))},
                            chart("Throughput", "tokens/s")));

  // Update/weight ratio per group over the health rows.
  std::vector<Series> ratios;
  for (const RunLogRow& row : in.log) {
    if (row.kind != "health") continue;
    for (const auto& [key, value] : row.numbers) {
      const size_t slash = key.rfind("/update_ratio");
      if (slash == std::string::npos || slash + 13 != key.size()) continue;
      const std::string group = key.substr(0, slash);
      auto it = std::find_if(ratios.begin(), ratios.end(),
                             [&](const Series& s) { return s.name == group; });
      if (it == ratios.end()) it = ratios.insert(ratios.end(), Series{group, {}, {}});
      it->x.push_back(double(row.step));
      it->y.push_back(value);
    }
  }
  if (!ratios.empty()) {
    report.heading("Network health");
    ChartOptions options = chart("Update/weight ratio per layer", "||update|| / ||weight||");
    options.log_y = true;
    report.svg(line_chart_svg(ratios, options));
  }

  report.heading("Checkpoints kept");
  Table checkpoints{{"step", "folder", "val loss", "note"}, {}};
  std::map<int64_t, double> val_at;
  for (const RunLogRow& row : in.log)
    if (row.kind == "eval") val_at[row.step] = row.number("val_loss");
  for (int64_t step : in.checkpoint_steps) {
    std::string note;
    if (step == in.best_step) note = "best";
    if (step == in.checkpoint_steps.back()) note += note.empty() ? "latest" : ", latest";
    checkpoints.add_row({std::to_string(step), step_folder(step),
                         val_at.count(step) ? format_number(val_at[step], 4) : "", note});
  }
  report.table(checkpoints);

  report.heading("Config");
  report.preformatted(in.config_yaml);
  return report.html();
}

}  // namespace gpt2
