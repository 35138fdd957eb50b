#ifndef CULPRIT_BASE_SUGGEST_H_
#define CULPRIT_BASE_SUGGEST_H_

// "Did you mean" for error messages about misspelled names (config keys,
// format-file keys, field targets).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace culprit {

// Levenshtein distance.
size_t EditDistance(std::string_view a, std::string_view b);

// ` (did you mean "x"?)` for the closest candidate within 2 edits, else "".
std::string Suggest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace culprit

#endif  // CULPRIT_BASE_SUGGEST_H_
