#ifndef CULPRIT_BASE_EMBEDDED_FILE_H_
#define CULPRIT_BASE_EMBEDDED_FILE_H_

// A file compiled into the binary by cmake/embed.cmake (schema migrations,
// built-in log formats). The data lives in static storage for the life of the
// program.

#include <string_view>

namespace culprit {

struct EmbeddedFile {
  std::string_view name;      // file name without directories, e.g. "0001_init.sql"
  std::string_view contents;  // the exact bytes of the file
};

}  // namespace culprit

#endif  // CULPRIT_BASE_EMBEDDED_FILE_H_
