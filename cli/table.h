#ifndef CULPRIT_CLI_TABLE_H_
#define CULPRIT_CLI_TABLE_H_

// Plain-text tables and human-readable numbers for the CLI's output.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace culprit::cli {

// Left-aligned columns separated by two spaces; columns listed in
// `right_aligned` (0-based) are right-aligned (numbers).
class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<size_t> right_aligned = {});
  void AddRow(std::vector<std::string> row);
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<size_t> right_;
};

// 1536 -> "1.5 KiB"; below 1 KiB: "512 B".
std::string HumanBytes(int64_t bytes);

}  // namespace culprit::cli

#endif  // CULPRIT_CLI_TABLE_H_
