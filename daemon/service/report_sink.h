#ifndef CULPRIT_DAEMON_SERVICE_REPORT_SINK_H_
#define CULPRIT_DAEMON_SERVICE_REPORT_SINK_H_

// Where Submit sends a report to be stored. The daemon's implementation
// hands it to the writer thread (the one writer of the database); the call
// returns at once and record.done is called when it is committed.

#include "daemon/store/write_batch.h"

namespace culprit::service {

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  // Thread-safe. May block briefly while the writer's queue is full.
  virtual void Store(store::ReportRecord record) = 0;
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_REPORT_SINK_H_
