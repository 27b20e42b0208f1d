// Tables, JSON/CSV and the HTML report of a sampling comparison.
#include <cmath>
#include <nlohmann/json.hpp>

#include "compare/comparison.h"
#include "core/files.h"
#include "report/html.h"
#include "report/svg_chart.h"
#include "report/table.h"

namespace gpt2 {
namespace {

std::string with_interval(const Interval& x, int decimals) {
  if (std::isnan(x.value)) return "-";
  std::string text = format_number(x.value, decimals);
  if (x.low < x.high)
    text += " [" + format_number(x.low, decimals) + ", " + format_number(x.high, decimals) + "]";
  return text;
}

Table comparison_table(const ComparisonResult& result) {
  Table table{{"setting", "ppl [95%]", "BLEU", "ROUGE-1", "ROUGE-2", "ROUGE-L", "Self-BLEU",
               "dist-1", "dist-2", "dist-3", "rep %", "Zipf", "len", "tok/s"},
              {}};
  if (result.traced)  // means over generated tokens; rank shares in % (0/1/2-4/5-9/10+)
    for (const char* name : {"entropy", "kept", "nucleus", "rank % 0/1/2-4/5-9/10+"})
      table.columns.push_back(name);
  for (const auto& row : result.rows) {
    table.add_row({row.name, with_interval(row.perplexity, 2), with_interval(row.bleu, 2),
                   with_interval({row.rouge1.value, 0, 0}, 3),
                   with_interval({row.rouge2.value, 0, 0}, 3), with_interval(row.rougeL, 3),
                   format_number(row.self_bleu, 3), format_number(row.distinct1, 3),
                   format_number(row.distinct2, 3), format_number(row.distinct3, 3),
                   format_number(100 * row.repetition, 1), format_number(row.zipf, 2),
                   format_number(row.mean_length, 1),
                   row.human ? "-" : format_number(row.tokens_per_second, 0)});
    if (result.traced) {
      const bool none = row.trace.tokens == 0;  // the human row
      for (auto cell : {none ? "-" : format_number(row.trace.mean_entropy, 2),
                        none ? "-" : format_number(row.trace.mean_kept, 1),
                        none ? "-" : format_number(row.trace.mean_nucleus, 1),
                        none ? "-" : rank_shares_text(row.trace)})
        table.rows.back().push_back(cell);
    }
  }
  return table;
}

nlohmann::ordered_json trace_json(const TraceSummary& s) {
  if (s.tokens == 0) return nullptr;
  nlohmann::ordered_json ranks;
  for (size_t b = 0; b < kRankBuckets; ++b) ranks[rank_bucket_names()[b]] = s.ranks[b];
  return {{"tokens", s.tokens},
          {"mean_entropy", s.mean_entropy},
          {"mean_kept", s.mean_kept},
          {"mean_nucleus", s.mean_nucleus},
          {"mean_probability", s.mean_probability},
          {"rank_histogram", ranks}};
}

nlohmann::ordered_json interval_json(const Interval& x) {
  if (std::isnan(x.value)) return nullptr;
  return {{"value", x.value}, {"low", x.low}, {"high", x.high}};
}

}  // namespace

std::string comparison_table_text(const ComparisonResult& result) {
  return comparison_table(result).to_text();
}

void write_comparison_outputs(const ComparisonResult& result, const CompareConfig& config) {
  Table table = comparison_table(result);
  write_file_atomic(config.out_dir + "/results.csv", table.to_csv());
  nlohmann::ordered_json json;
  json["model"] = result.model;
  json["scoring_model"] = result.scoring_model;
  json["prompts"] = result.pairs.size();
  json["seeds"] = config.seeds;
  json["bootstrap"] = config.bootstrap;
  json["settings"] = nlohmann::ordered_json::array();
  for (const auto& row : result.rows) {
    json["settings"].push_back({{"name", row.name},
                                {"human", row.human},
                                {"texts", row.texts},
                                {"tokens", row.tokens},
                                {"perplexity", interval_json(row.perplexity)},
                                {"bleu", interval_json(row.bleu)},
                                {"rouge1", interval_json(row.rouge1)},
                                {"rouge2", interval_json(row.rouge2)},
                                {"rougeL", interval_json(row.rougeL)},
                                {"self_bleu", row.self_bleu},
                                {"distinct", {row.distinct1, row.distinct2, row.distinct3}},
                                {"repetition", row.repetition},
                                {"zipf", row.zipf},
                                {"mean_length", row.mean_length},
                                {"tokens_per_second", row.tokens_per_second}});
    if (result.traced) json["settings"].back()["trace"] = trace_json(row.trace);
  }
  write_file_atomic(config.out_dir + "/results.json", json.dump(2) + "\n");

  HtmlReport report("Sampling comparison");
  report.paragraph("Model " + result.model + "; perplexity under " + result.scoring_model + "; " +
                   std::to_string(result.pairs.size()) + " prompts of " +
                   std::to_string(config.prompt_tokens) + " tokens, references of " +
                   std::to_string(config.reference_tokens) + " tokens; " +
                   std::to_string(config.seeds.size()) +
                   " seed(s). Intervals: bootstrap 95% over texts. The human row scores the "
                   "references themselves.");
  report.table(table);
  if (result.traced)
    report.paragraph(
        "Traces, per generated token, under the generating model before the processors: "
        "entropy (nats), tokens the processors kept, the 0.9 nucleus size, and the share of "
        "chosen tokens of rank 0, 1, 2-4, 5-9 and 10+ (0 = the most likely).");
  std::vector<LabeledPoint> ppl_vs_self_bleu, rep_vs_distinct;
  for (const auto& row : result.rows) {
    ppl_vs_self_bleu.push_back({row.name, row.self_bleu, row.perplexity.value, 0, 0,
                                row.perplexity.low, row.perplexity.high});
    rep_vs_distinct.push_back({row.name, row.distinct2, 100 * row.repetition});
  }
  ChartOptions options;
  options.title = "Perplexity against Self-BLEU-4 (closer to human is better)";
  options.x_label = "Self-BLEU-4 (higher = less diverse)";
  options.y_label = "perplexity (log)";
  options.log_y = true;
  report.svg(scatter_chart_svg(ppl_vs_self_bleu, options));
  options.title = "Repetition against distinct-2";
  options.x_label = "distinct-2";
  options.y_label = "texts ending in a loop (%)";
  options.log_y = false;
  report.svg(scatter_chart_svg(rep_vs_distinct, options));

  report.heading("Samples");
  for (size_t p = 0; p < result.pairs.size() && int64_t(p) < config.report_samples; ++p) {
    report.heading("Prompt " + std::to_string(p + 1), 3);
    report.preformatted(result.pairs[p].prompt_text);
    std::vector<std::pair<std::string, std::string>> samples;
    for (const auto& row : result.rows) {
      size_t stride =
          row.human ? 1 : std::max<size_t>(1, row.texts_out.size() / result.pairs.size());
      if (p * stride < row.texts_out.size())
        samples.emplace_back(row.human ? "reference" : row.name, row.texts_out[p * stride]);
    }
    report.samples(samples);
  }
  report.write(config.out_dir + "/report.html");
}

}  // namespace gpt2
