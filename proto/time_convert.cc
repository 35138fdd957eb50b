#include "proto/time_convert.h"

namespace culprit::proto {

Timestamp FromProto(const google::protobuf::Timestamp& t) {
  return FromUnixMicros(t.seconds() * 1'000'000 + t.nanos() / 1000);
}

Duration FromProto(const google::protobuf::Duration& d) {
  return Duration(d.seconds() * 1'000'000 + d.nanos() / 1000);
}

void ToProto(Timestamp t, google::protobuf::Timestamp* out) {
  const int64_t us = ToUnixMicros(t);
  int64_t secs = us / 1'000'000;
  int64_t micros = us % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --secs;
  }
  out->set_seconds(secs);
  out->set_nanos(static_cast<int32_t>(micros * 1000));
}

void ToProto(Duration d, google::protobuf::Duration* out) {
  const int64_t us = d.count();
  out->set_seconds(us / 1'000'000);
  out->set_nanos(static_cast<int32_t>((us % 1'000'000) * 1000));
}

}  // namespace culprit::proto
