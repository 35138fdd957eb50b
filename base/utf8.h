#ifndef CULPRIT_BASE_UTF8_H_
#define CULPRIT_BASE_UTF8_H_

// UTF-8 checks for text that comes from log files (any bytes at all) and
// must go where only valid UTF-8 is allowed (protobuf strings, JSON).

#include <cstddef>
#include <string>
#include <string_view>

namespace culprit {

// Length (2..4, or 1 for ASCII) of the valid UTF-8 sequence starting at
// s[i], or 0 if none starts there (overlong forms, surrogates and code
// points above U+10FFFF are invalid). REQUIRES: i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// `s` with every byte that is not part of valid UTF-8 written as \xNN (the
// way nginx escapes bytes in its access log). Valid text is returned as is.
std::string EscapeInvalidUtf8(std::string_view s);

}  // namespace culprit

#endif  // CULPRIT_BASE_UTF8_H_
