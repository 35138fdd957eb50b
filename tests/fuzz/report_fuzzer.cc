// libFuzzer harness for the validation of what clients send: one input is a
// culprit.v1.ResetReport and a culprit.v1.ReportRequest, either in protobuf's
// JSON mapping (when it starts with '{'; the seeds are lab-dev cases in that
// form) or in the binary wire format. Each message that parses goes through
// the service's validation (ReportFromProto, ReportSpecFromProto), which
// must return a value or an INVALID_ARGUMENT naming the field.

#include <google/protobuf/util/json_util.h>

#include <string>
#include <string_view>

#include "base/time.h"
#include "culprit/v1/culprit.pb.h"
#include "daemon/service/report_convert.h"
#include "daemon/service/report_request.h"
#include "tests/fuzz/line_fuzzer.h"

namespace {

bool ParseInput(std::string_view in, google::protobuf::Message* msg) {
  if (!in.empty() && in.front() == '{') {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;  // one JSON object carries both messages
    return google::protobuf::util::JsonStringToMessage(
               google::protobuf::StringPiece(in.data(), in.size()), msg, options)
        .ok();
  }
  return msg->ParseFromArray(in.data(), static_cast<int>(in.size()));
}

void CheckRejection(const culprit::Status& status) {
  if (status.code() != culprit::StatusCode::kInvalidArgument) {
    culprit::fuzz::Broken("a bad request is not INVALID_ARGUMENT", status.message());
  }
  if (status.message().rfind("report.", 0) != 0) {
    culprit::fuzz::Broken("the error does not name the field", status.message());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  // The lab corpus's week, as in the line harnesses.
  const culprit::Timestamp now = culprit::FromUnixMicros(1795449600LL * 1000000);

  culprit::v1::ResetReport report;
  if (ParseInput(in, &report)) {
    auto converted = culprit::service::ReportFromProto(report, now);
    if (!converted.ok()) CheckRejection(converted.status());
  }
  culprit::v1::ReportRequest request;
  if (ParseInput(in, &request)) {
    auto spec = culprit::service::ReportSpecFromProto(request, "UTC");
    if (spec.ok()) {
      (void)culprit::service::ReportFileName(*spec);
    } else {
      CheckRejection(spec.status());
    }
  }
  return 0;
}
