#include "parsers/nginx/format_matcher.h"

#include <cstring>

namespace culprit::parsers::nginx {
namespace {

// How many times, per line and format, an earlier value may be extended to
// the next occurrence of its literal after a later literal did not fit.
// Real lines need one or two (an "a, b" address list before a space); the
// bound keeps a pathological line linear.
constexpr int kExtendBudget = 32;

constexpr size_t kNpos = std::string_view::npos;

// The first '"' at or after `from` that is not escaped by a backslash.
// With nginx's default escaping a value holds no '"' and no '\' (both are
// written \xHH), so the first '"' ends it; with escape=json a value may hold
// \" and \\, which this skips.
size_t FindClosingQuote(std::string_view line, size_t from) {
  while (from < line.size()) {
    const void* hit = std::memchr(line.data() + from, '"', line.size() - from);
    if (hit == nullptr) return kNpos;
    const size_t q = static_cast<size_t>(static_cast<const char*>(hit) - line.data());
    size_t backslashes = 0;
    while (q > backslashes && line[q - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q;
    from = q + 1;
  }
  return kNpos;
}

// The first occurrence of `lit` (non-empty) in `line` at or after `from`.
// Values are short (a status, a port, a user agent), so the first bytes are
// scanned inline before handing the rest to memchr; the literal is compared
// inline (literals are a few bytes).
size_t FindLiteral(std::string_view line, std::string_view lit, size_t from) {
  const size_t m = lit.size();
  const char first = lit[0];
  const char* data = line.data();
  const size_t n = line.size();
  while (from + m <= n) {
    const size_t limit = n - m + 1;  // candidates are [from, limit)
    size_t p = from;
    const size_t inline_end = from + 24 < limit ? from + 24 : limit;
    while (p < inline_end && data[p] != first) ++p;
    if (p == inline_end) {
      if (p == limit) return kNpos;
      const void* hit = std::memchr(data + p, first, limit - p);
      if (hit == nullptr) return kNpos;
      p = static_cast<size_t>(static_cast<const char*>(hit) - data);
    }
    size_t k = 1;
    while (k < m && data[p + k] == lit[k]) ++k;
    if (k == m) return p;
    from = p + 1;
  }
  return kNpos;
}

// Matching state for one line against one format.
class Matcher {
 public:
  Matcher(const CompiledLogFormat& f, std::string_view line, MatchFailure* failure)
      : f_(f),
        steps_(f.match.data()),
        literals_(f.literals.data()),
        data_(line.data()),
        size_(line.size()),
        failure_(failure),
        n_(f.match.size()) {}

  bool Run(std::string_view* values) {
    const std::string& prefix = f_.prefix;
    if (size_ < prefix.size() || std::memcmp(data_, prefix.data(), prefix.size()) != 0) {
      return Fail(MatchFailure::What::kPrefix, 0, 0);
    }
    size_t i = 0;
    size_t pos = prefix.size();
    int budget = kExtendBudget;
    while (i < n_) {
      start_[i] = pos;
      if (Place(i, pos)) {
        pos = end_[i] + steps_[i].literal_size;
        ++i;
        continue;
      }
      // Step i cannot be placed: extend the latest earlier value that can
      // grow to the next occurrence of its literal, and redo from there.
      bool extended = false;
      while (i > 0 && budget > 0) {
        --i;
        if (steps_[i].rule != EndRule::kFind) continue;
        --budget;
        if (Place(i, end_[i] + 1)) {
          extended = true;
          break;
        }
      }
      if (!extended) return false;
      pos = end_[i] + steps_[i].literal_size;
      ++i;
    }
    for (size_t k = 0; k < n_; ++k)
      values[k] = std::string_view(data_ + start_[k], end_[k] - start_[k]);
    return true;
  }

 private:
  // Finds where value i (starting at start_[i]) ends, its literal being
  // searched from `from`. Sets end_[i].
  bool Place(size_t i, size_t from) {
    const MatchStep& step = steps_[i];
    const char* lit = literals_ + step.literal_offset;
    const size_t m = step.literal_size;
    const size_t start = start_[i];
    size_t e;
    switch (step.rule) {
      case EndRule::kRest:
        e = size_;
        break;
      case EndRule::kToken:
        // Adjacent variables: the first takes a run of non-space bytes.
        if (from != start) return false;
        e = start;
        while (e < size_ && data_[e] != ' ') ++e;
        if (e == start) return Fail(MatchFailure::What::kEmptyToken, i, start);
        break;
      case EndRule::kQuote:
        e = FindClosingQuote(std::string_view(data_, size_), from);
        if (e == kNpos || size_ - e < m || std::memcmp(data_ + e, lit, m) != 0 ||
            (i + 1 == n_ && e + m != size_)) {
          return Fail(i + 1 == n_ ? MatchFailure::What::kLineEnd : MatchFailure::What::kLiteral, i,
                      start);
        }
        break;
      case EndRule::kSuffix:
        if (size_ < m || size_ - m < from || std::memcmp(data_ + size_ - m, lit, m) != 0) {
          return Fail(MatchFailure::What::kLineEnd, i, start);
        }
        e = size_ - m;
        break;
      case EndRule::kFind:
      default:
        e = FindLiteral(std::string_view(data_, size_), std::string_view(lit, m), from);
        // nginx joins the values of $upstream_* (and proxies join
        // X-Forwarded-For) with ", ", and upstream groups with " : ": a
        // space there continues the value, it does not end it.
        if (step.list_aware) {
          while (e != kNpos && ((e > start && data_[e - 1] == ',') ||
                                (e + 2 < size_ && data_[e + 1] == ':' && data_[e + 2] == ' '))) {
            e = FindLiteral(std::string_view(data_, size_), std::string_view(lit, m), e + 1);
          }
        }
        if (e == kNpos) return Fail(MatchFailure::What::kLiteral, i, start);
        break;
    }
    end_[i] = e;
    return step.shape == Shape::kAny || CheckShape(i, step.shape);
  }

  // A number-valued variable must hold digits (or "-"): otherwise this
  // split is wrong, or the line is.
  bool CheckShape(size_t i, Shape shape) {
    const char* v = data_ + start_[i];
    const size_t len = end_[i] - start_[i];
    if (len == 1 && v[0] == '-') return true;
    bool ok = len != 0 && len <= 32;
    bool dot = false;
    for (size_t k = 0; ok && k < len; ++k) {
      const char c = v[k];
      if (c >= '0' && c <= '9') continue;
      ok = shape == Shape::kDecimal && c == '.' && !dot && k > 0 && k + 1 < len;
      dot = true;
    }
    if (ok) return true;
    return Fail(MatchFailure::What::kBadShape, i, start_[i], len);
  }

  // Records why the line does not fit, for the reason text: the first
  // failure, that of the plain left-to-right split, is the one a reader
  // expects ("expected ... after $status"). Failures found while re-splitting
  // come from odd splits and would mislead. Returns false.
  bool Fail(MatchFailure::What what, size_t step, size_t offset, size_t length = 0) {
    if (!failed_) {
      failed_ = true;
      failure_->what = what;
      failure_->step = step;
      failure_->offset = offset;
      failure_->length = length;
    }
    return false;
  }

  const CompiledLogFormat& f_;
  const MatchStep* steps_;
  const char* literals_;
  const char* data_;
  const size_t size_;
  MatchFailure* failure_;
  const size_t n_;
  bool failed_ = false;
  size_t start_[kMaxFormatSteps];
  size_t end_[kMaxFormatSteps];
};

}  // namespace

bool MatchLogFormat(const CompiledLogFormat& format, std::string_view line,
                    std::string_view* values, MatchFailure* failure) {
  return Matcher(format, line, failure).Run(values);
}

std::string Printable(std::string_view text, size_t max) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  const size_t n = text.size() < max ? text.size() : max;
  out.reserve(n + 8);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c > 0x7e || c == '"') {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (text.size() > max) out += "...";
  return out;
}

std::string DescribeFailure(const CompiledLogFormat& format, std::string_view line,
                            const MatchFailure& failure) {
  const std::string at = " (value from byte " + std::to_string(failure.offset) + ")";
  switch (failure.what) {
    case MatchFailure::What::kPrefix:
      return "expected \"" + Printable(format.prefix) + "\" at the start of the line";
    case MatchFailure::What::kLiteral:
      return "expected \"" + Printable(format.steps[failure.step].literal) + "\" after $" +
             format.steps[failure.step].name + at;
    case MatchFailure::What::kLineEnd:
      if (format.steps[failure.step].literal.empty()) {
        return "unexpected text after $" + format.steps[failure.step].name + at;
      }
      return "expected \"" + Printable(format.steps[failure.step].literal) +
             "\" and the end of the line after $" + format.steps[failure.step].name + at;
    case MatchFailure::What::kEmptyToken:
      return "no value for $" + format.steps[failure.step].name + at;
    case MatchFailure::What::kBadShape: {
      const FormatStep& step = format.steps[failure.step];
      const std::string_view value = line.substr(failure.offset).substr(0, failure.length);
      return "$" + step.name + " \"" + Printable(value) + "\" is not " +
             (step.shape == Shape::kDecimal ? "a decimal number" : "a whole number") + at;
    }
  }
  return "no match";
}

}  // namespace culprit::parsers::nginx
