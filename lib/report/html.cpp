#include "report/html.h"

#include "core/files.h"

namespace gpt2 {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

HtmlReport::HtmlReport(std::string title) : title_(std::move(title)) {
  heading(title_, 1);
}

void HtmlReport::heading(const std::string& text, int level) {
  std::string tag = "h" + std::to_string(level);
  body_ += "<" + tag + ">" + html_escape(text) + "</" + tag + ">\n";
}

void HtmlReport::paragraph(const std::string& text) {
  body_ += "<p>" + html_escape(text) + "</p>\n";
}

void HtmlReport::table(const Table& table) {
  body_ += "<table>\n<tr>";
  for (const auto& column : table.columns) body_ += "<th>" + html_escape(column) + "</th>";
  body_ += "</tr>\n";
  for (const auto& row : table.rows) {
    body_ += "<tr>";
    for (const auto& cell : row) body_ += "<td>" + html_escape(cell) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</table>\n";
}

void HtmlReport::svg(const std::string& svg) {
  body_ += "<figure>" + svg + "</figure>\n";
}

void HtmlReport::preformatted(const std::string& text) {
  body_ += "<pre>" + html_escape(text) + "</pre>\n";
}

void HtmlReport::links(const std::vector<std::pair<std::string, std::string>>& labelled_hrefs) {
  body_ += "<ul>\n";
  for (const auto& [label, href] : labelled_hrefs)
    body_ += "<li><a href=\"" + html_escape(href) + "\">" + html_escape(label) + "</a></li>\n";
  body_ += "</ul>\n";
}

void HtmlReport::samples(const std::vector<std::pair<std::string, std::string>>& labelled_texts) {
  body_ += "<div class=\"samples\">\n";
  for (const auto& [label, text] : labelled_texts)
    body_ += "<div class=\"sample\"><div class=\"label\">" + html_escape(label) + "</div><pre>" +
             html_escape(text) + "</pre></div>\n";
  body_ += "</div>\n";
}

std::string HtmlReport::html() const {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         html_escape(title_) +
         "</title>\n<style>\n"
         "body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}\n"
         "table{border-collapse:collapse;margin:1em 0}\n"
         "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}\n"
         "th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\n"
         "figure{margin:1em "
         "0;max-width:1100px}pre{white-space:pre-wrap;background:#f8f8f8;padding:6px}\n"
         ".samples{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));"
         "gap:8px}\n.label{font-weight:bold}\n"
         "</style>\n</head>\n<body>\n" +
         body_ + "</body>\n</html>\n";
}

void HtmlReport::write(const std::string& path) const {
  write_file_atomic(path, html());
}

}  // namespace gpt2
