#include "cli/probe/render.h"

#include <cstdio>

#include "base/time.h"
#include "cli/table.h"

namespace culprit::cli::probe {
namespace {

std::string Ms(double ms) {
  char buf[32];
  if (ms >= 1000) {
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  }
  return buf;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

class JsonObject {
 public:
  explicit JsonObject(std::string* out) : out_(out) { *out_ += '{'; }
  void Str(std::string_view key, std::string_view value) { Raw(key, JsonString(value)); }
  void StrIf(std::string_view key, std::string_view value) {
    if (!value.empty()) Str(key, value);
  }
  void Bool(std::string_view key, bool v) { Raw(key, v ? "true" : "false"); }
  void Num(std::string_view key, double v) { Raw(key, Number(v)); }
  void Int(std::string_view key, long long v) { Raw(key, std::to_string(v)); }
  void Raw(std::string_view key, std::string_view json) {
    if (!first_) *out_ += ", ";
    first_ = false;
    *out_ += JsonString(key);
    *out_ += ": ";
    *out_ += json;
  }
  void Close() { *out_ += '}'; }

 private:
  std::string* out_;
  bool first_ = true;
};

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void PrintJson(const ProbeResult& r, std::ostream& out) {
  std::string s;
  JsonObject top(&s);
  top.Str("target", r.target);
  top.Str("address", r.address);
  top.Str("sni", r.sni);
  top.Str("speaks", r.speaks);
  top.Str("speaks_detail", r.speaks_detail);
  {
    std::string k;
    JsonObject o(&k);
    o.Raw("idle_close_s", r.idle_close_s >= 0 ? Number(r.idle_close_s) : "null");
    o.Str("how", r.idle_close_how);
    o.Bool("kept_open", r.idle_kept_open);
    o.Num("max_idle_s", r.max_idle_s);
    o.Close();
    top.Raw("keepalive", k);
  }
  std::string checks = "[";
  for (size_t i = 0; i < r.checks.size(); ++i) {
    const CheckResult& c = r.checks[i];
    if (i > 0) checks += ",\n  ";
    JsonObject o(&checks);
    o.Str("name", c.name);
    o.Str("label", c.label);
    o.Bool("passed", c.passed);
    o.Str("result", c.result);
    o.Str("outcome", c.outcome);
    o.StrIf("error", c.error);
    o.StrIf("phase", c.phase);
    o.Str("detail", c.detail);
    o.Num("ms", c.ms);
    o.StrIf("local", c.local);
    o.StrIf("remote", c.remote);
    if (c.at != Timestamp{}) o.Str("at", FormatRfc3339(c.at, 3));
    if (c.http_status != 0) o.Int("http_status", c.http_status);
    if (c.idle_ms >= 0) o.Num("idle_ms", c.idle_ms);
    if (c.tls) {
      std::string t;
      JsonObject j(&t);
      j.Str("version", c.tls->version);
      j.Str("cipher", c.tls->cipher);
      j.Str("alpn", c.tls->alpn);
      j.Str("subject", c.tls->subject);
      j.Str("issuer", c.tls->issuer);
      j.Str("not_after", c.tls->not_after);
      j.Str("verify", c.tls->verify);
      j.Close();
      o.Raw("tls", t);
    }
    if (c.diagnosis) {
      const DiagnosisSummary& d = *c.diagnosis;
      std::string t;
      JsonObject j(&t);
      j.StrIf("report_id", d.report_id);
      j.StrIf("cause", d.cause);
      if (d.error.empty()) j.Num("confidence", d.confidence);
      j.StrIf("explanation", d.explanation);
      j.StrIf("remedy", d.remedy);
      j.StrIf("evidence", d.evidence);
      j.StrIf("error", d.error);
      j.Close();
      o.Raw("diagnosis", t);
    }
    o.Close();
  }
  checks += "]";
  top.Raw("checks", checks);
  top.Close();
  out << s << "\n";
}

void PrintTable(const ProbeResult& r, std::ostream& out) {
  out << "probe " << r.target;
  if (!r.address.empty() && r.address != r.target) out << " (" << r.address << ")";
  if (!r.sni.empty()) out << ", SNI " << r.sni;
  out << "\n" << r.speaks_detail << "\n\n";
  Table table({"CHECK", "RESULT", "TIME", "DETAIL"}, {2});
  for (const CheckResult& c : r.checks) {
    std::string label = c.label;
    if (c.name == "cipher") label = "cipher " + label;
    table.AddRow({label, c.result, c.ms > 0 ? Ms(c.ms) : "", c.detail});
  }
  table.Print(out);
  out << "\n";
  if (r.idle_close_s >= 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", r.idle_close_s);
    out << "keep-alive: the server closes idle connections after ~" << buf << " s ("
        << r.idle_close_how << ")\n";
  } else if (r.idle_kept_open) {
    out << "keep-alive: idle connections kept open >= " << Number(r.max_idle_s).substr(0, 6)
        << " s (--max-idle)\n";
  }
  bool header = false;
  for (const CheckResult& c : r.checks) {
    if (!c.diagnosis) continue;
    if (!header) out << "\nserver-side diagnosis (--report):\n";
    header = true;
    const DiagnosisSummary& d = *c.diagnosis;
    out << "  " << c.label << ": " << c.error << " (" << c.phase << ", " << c.local << ")\n";
    if (!d.error.empty()) {
      out << "    not submitted: " << d.error << "\n";
      continue;
    }
    char conf[16];
    std::snprintf(conf, sizeof conf, "%.2f", d.confidence);
    out << "    " << d.cause << " (confidence " << conf << ")";
    if (!d.report_id.empty()) out << ", report " << d.report_id;
    out << "\n";
    if (!d.explanation.empty()) out << "    " << d.explanation << "\n";
    if (!d.remedy.empty()) out << "    remedy: " << d.remedy << "\n";
    if (!d.evidence.empty()) out << "    evidence: " << d.evidence << "\n";
  }
}

}  // namespace culprit::cli::probe
