#ifndef CULPRIT_BASE_ATOMIC_FILE_H_
#define CULPRIT_BASE_ATOMIC_FILE_H_

// Writing a whole file so that readers see the old contents or the new,
// never a part: a temporary file in the same directory is written and
// fsync'd, renamed over the target, and the directory is fsync'd.
// Thread-safe (no shared state); two writers of one path leave one of the
// two contents whole.

#include <string>
#include <string_view>

#include "base/result.h"

namespace culprit {

// Replaces (or creates) `path` with `contents`, mode 0644. On failure the
// temporary file is removed, `path` is left as it was, and the error
// (IO_ERROR) names the path and the system's reason.
// REQUIRES: the directory of `path` exists.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace culprit

#endif  // CULPRIT_BASE_ATOMIC_FILE_H_
