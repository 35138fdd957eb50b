#ifndef CULPRIT_DAEMON_STORE_JSON_TEXT_H_
#define CULPRIT_DAEMON_STORE_JSON_TEXT_H_

// Writing the small JSON objects the store keeps in TEXT columns
// (events.extra). Log lines carry arbitrary bytes, so the output is always
// valid JSON and valid UTF-8: control characters are escaped and bytes that
// are not valid UTF-8 become \u00XX (read back as the Latin-1 character).

#include <string>

#include "base/result.h"
#include <string_view>
#include <utility>
#include <vector>

namespace culprit::store {

// Appends `"text"` with JSON escaping.
void AppendJsonString(std::string_view text, std::string* out);

// Appends {"k":"v",...} in the given order.
void AppendJsonObject(const std::vector<std::pair<std::string, std::string>>& fields,
                      std::string* out);

// Reads back an object written by AppendJsonObject (string values only).
// Anything else is INVALID_ARGUMENT naming the position.
Result<std::vector<std::pair<std::string, std::string>>> ParseJsonObject(std::string_view text);

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_JSON_TEXT_H_
