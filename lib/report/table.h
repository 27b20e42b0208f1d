#pragma once
// A table of results, printed aligned for people and written as CSV for machines.
#include <string>
#include <vector>

namespace gpt2 {

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  void add_row(std::vector<std::string> row) { rows.push_back(std::move(row)); }
  // Columns padded to their widest cell; numbers (cells that parse as one) right-aligned.
  std::string to_text() const;
  // RFC 4180: cells with commas, quotes or newlines are quoted.
  std::string to_csv() const;
};

// Fixed-point text of a number, "nan" for NaN: format_number(3.14159, 2) == "3.14".
std::string format_number(double value, int decimals);

}  // namespace gpt2
