#include "daemon/service/report_request.h"

#include "culprit/v1/culprit.pb.h"
#include "daemon/report/render_util.h"
#include "daemon/report/report_builder.h"
#include "proto/time_convert.h"

namespace culprit::service {

Result<ReportSpec> ReportSpecFromProto(const v1::ReportRequest& in,
                                       const std::string& default_zone) {
  const auto bad = [](const std::string& field, const std::string& what) {
    return Status::InvalidArgument("report." + field + ": " + what);
  };
  if (!in.has_from()) return bad("from", "required");
  if (!in.has_to()) return bad("to", "required");
  ReportSpec spec;
  spec.from = proto::FromProto(in.from());
  spec.to = proto::FromProto(in.to());
  if (spec.to <= spec.from) {
    return bad("to", FormatRfc3339(spec.to, 0) + " is not after from (" +
                         FormatRfc3339(spec.from, 0) + ")");
  }
  if (spec.to - spec.from > report::kMaxReportPeriod) {
    return bad("to", "the period is longer than 366 days");
  }
  if (!in.format().empty()) {
    auto f = report::ParseReportFormat(in.format());
    if (!f.ok()) return bad("format", f.status().message());
    spec.format = *f;
  }
  auto zone = TimeZone::Load(in.timezone().empty() ? default_zone : in.timezone());
  if (!zone.ok()) return bad("timezone", zone.status().message());
  spec.zone = *zone;
  return spec;
}

std::string ReportFileName(const ReportSpec& spec) {
  const std::string first = report::LocalTime(spec.from, spec.zone, false).substr(0, 10);
  // The last day covered: `to` is exclusive.
  const std::string last =
      report::LocalTime(spec.to - Duration(1), spec.zone, false).substr(0, 10);
  std::string name = "culprit-report-" + first;
  if (last != first) name += "_" + last;
  return name + "." + std::string(report::FormatName(spec.format));
}

}  // namespace culprit::service
