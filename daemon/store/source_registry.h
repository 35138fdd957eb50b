#ifndef CULPRIT_DAEMON_STORE_SOURCE_REGISTRY_H_
#define CULPRIT_DAEMON_STORE_SOURCE_REGISTRY_H_

// Matching configured sources to rows of the `sources` table.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace culprit::store {

namespace sqlite {
class Db;
}

struct SourceDef {
  std::string name;    // unique key; the config's name or path
  std::string path;    // as configured (absolute; may be a glob)
  std::string format;  // format name
};

// Inserts sources that are new (by name) and updates path and format of known
// ones, in one transaction. Returns the source ids in the order of `defs`.
// Sources in the database but not in `defs` are left untouched: their events
// stay queryable. REQUIRES: names in `defs` are unique; db is read-write.
Result<std::vector<int64_t>> RegisterSources(sqlite::Db& db, std::span<const SourceDef> defs,
                                             Timestamp now);

}  // namespace culprit::store

#endif  // CULPRIT_DAEMON_STORE_SOURCE_REGISTRY_H_
