#ifndef CULPRIT_TESTS_TESTING_STORED_EVENTS_H_
#define CULPRIT_TESTS_TESTING_STORED_EVENTS_H_

// Reads back every event a database holds, whether an `events` row or
// packed in `event_groups`, through the production read path
// (SqliteEventQuery). Test-only: it reads everything at once.

#include <string>
#include <vector>

#include "daemon/store/event_query.h"

namespace culprit::testing {

// Every stored event, in insertion order (by id). Fails the calling test
// (ADD_FAILURE) and returns what it could on a read error.
std::vector<store::StoredEvent> AllStoredEvents(const std::string& db_path);

}  // namespace culprit::testing

#endif  // CULPRIT_TESTS_TESTING_STORED_EVENTS_H_
