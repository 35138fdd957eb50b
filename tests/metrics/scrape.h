#ifndef CULPRIT_TESTS_METRICS_SCRAPE_H_
#define CULPRIT_TESTS_METRICS_SCRAPE_H_

// A minimal HTTP/1.1 client over a plain socket, to scrape the metrics
// endpoint the way Prometheus does, with bounded waits (no sleeps), and a
// reader for one sample of the exposition text.

#include <optional>
#include <string>

#include "base/result.h"

namespace culprit::metrics::testing {

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// GET http://127.0.0.1:<port><path> with "Connection: close"; every socket
// wait is bounded (10 s). Errors name the step that failed.
Result<HttpResponse> HttpGet(int port, const std::string& path);

// The value of the sample whose series (name and labels, exactly as
// rendered, e.g. `culprit_source_lines_read_total{source="app"}`) is
// `series`; nullopt when there is no such line.
std::optional<double> SampleValue(const std::string& text, const std::string& series);

}  // namespace culprit::metrics::testing

#endif  // CULPRIT_TESTS_METRICS_SCRAPE_H_
