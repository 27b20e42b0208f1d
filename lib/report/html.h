#pragma once
// A self-contained HTML report: headings, paragraphs, tables, inline SVG charts and text
// samples, with its style inline, so the file opens anywhere with no network.
#include <string>

#include "report/table.h"

namespace gpt2 {

std::string html_escape(const std::string& text);

class HtmlReport {
 public:
  explicit HtmlReport(std::string title);
  void heading(const std::string& text, int level = 2);
  void paragraph(const std::string& text);  // escaped
  void table(const Table& table);
  void svg(const std::string& svg);  // inserted as is
  void preformatted(const std::string& text);
  // A list of links (label, href), both escaped: e.g. each run's own report.
  void links(const std::vector<std::pair<std::string, std::string>>& labelled_hrefs);
  // Text samples side by side: e.g. the reference beside continuations.
  void samples(const std::vector<std::pair<std::string, std::string>>& labelled_texts);
  std::string html() const;
  void write(const std::string& path) const;  // atomically

 private:
  std::string title_, body_;
};

}  // namespace gpt2
