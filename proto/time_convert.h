#ifndef CULPRIT_PROTO_TIME_CONVERT_H_
#define CULPRIT_PROTO_TIME_CONVERT_H_

// Between culprit's time types (microseconds, base/time.h) and
// google.protobuf.Timestamp / Duration. For the service and the CLI, the two
// places protobuf types may appear.

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "base/time.h"

namespace culprit::proto {

// Nanoseconds below a microsecond are dropped.
Timestamp FromProto(const google::protobuf::Timestamp& t);
Duration FromProto(const google::protobuf::Duration& d);

// Normalized: nanos in [0, 1e9) for timestamps; same sign as seconds for durations.
void ToProto(Timestamp t, google::protobuf::Timestamp* out);
void ToProto(Duration d, google::protobuf::Duration* out);

}  // namespace culprit::proto

#endif  // CULPRIT_PROTO_TIME_CONVERT_H_
