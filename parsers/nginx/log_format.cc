#include "parsers/nginx/log_format.h"

#include <algorithm>
#include <initializer_list>
#include <string>

namespace culprit::parsers::nginx {
namespace {

inline bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::string MakeLabel(std::string_view text, size_t index) {
  constexpr size_t kMaxShown = 48;
  std::string label = "log_format #" + std::to_string(index + 1) + " \"";
  for (const char c : text.substr(0, kMaxShown)) {
    if (c == '"' || c == '\\') label.push_back('\\');
    label.push_back(c);
  }
  if (text.size() > kMaxShown) label.append("...");
  label.push_back('"');
  return label;
}

// Index of the first step with `var`, or -1.
int FindVar(const std::vector<FormatStep>& steps, Var var) {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].var == var) return static_cast<int>(i);
  }
  return -1;
}

// Gives the role `role` to the first step that has the first of `vars`
// present (in order of preference); every other step with one of `vars` is
// given `loser_role`.
void AssignPreferred(std::vector<FormatStep>& steps, std::initializer_list<Var> vars, Role role,
                     Role loser_role) {
  int winner = -1;
  for (const Var v : vars) {
    winner = FindVar(steps, v);
    if (winner >= 0) break;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    if (std::find(vars.begin(), vars.end(), steps[i].var) == vars.end()) continue;
    steps[i].role = static_cast<int>(i) == winner ? role : loser_role;
  }
}

// The role of a variable that no other variable competes with.
Role SimpleRole(Var var) {
  switch (var) {
    case Var::kRemotePort:
      return Role::kClientPort;
    case Var::kServerAddr:
      return Role::kServerIp;
    case Var::kServerPort:
      return Role::kServerPort;
    case Var::kStatus:
      return Role::kStatus;
    case Var::kRequestLength:
      return Role::kBytesIn;
    case Var::kRequestTime:
      return Role::kDuration;
    case Var::kConnection:
      return Role::kConnId;
    case Var::kRequestId:
      return Role::kRequestId;
    case Var::kRequest:
      return Role::kRequest;
    default:
      return Role::kExtra;
  }
}

Shape ShapeOf(Var var) {
  switch (var) {
    case Var::kRemotePort:
    case Var::kServerPort:
    case Var::kStatus:
    case Var::kBodyBytesSent:
    case Var::kBytesSent:
    case Var::kRequestLength:
    case Var::kConnection:
      return Shape::kDigits;
    case Var::kRequestTime:
    case Var::kMsec:
      return Shape::kDecimal;
    default:
      return Shape::kAny;
  }
}

}  // namespace

Result<CompiledLogFormat> CompileLogFormat(std::string_view text, size_t index) {
  CompiledLogFormat out;
  out.text = std::string(text);
  out.label = MakeLabel(text, index);
  if (text.empty()) return Status::InvalidArgument(out.label + ": the format is empty");

  std::string* literal = &out.prefix;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$') {
      literal->push_back(c);
      ++i;
      continue;
    }
    const size_t dollar = i;
    ++i;
    const bool bracket = i < text.size() && text[i] == '{';
    if (bracket) ++i;
    const size_t name_start = i;
    while (i < text.size() && IsNameChar(text[i])) ++i;
    const std::string_view name = text.substr(name_start, i - name_start);
    if (bracket) {
      if (i >= text.size() || text[i] != '}') {
        return Status::InvalidArgument(out.label + ": position " + std::to_string(dollar) +
                                       ": \"${\" without a closing \"}\"");
      }
      ++i;
    }
    if (name.empty()) {
      return Status::InvalidArgument(out.label + ": position " + std::to_string(dollar) +
                                     ": \"$\" is not followed by a variable name");
    }
    if (out.steps.size() == kMaxFormatSteps) {
      return Status::InvalidArgument(out.label + ": position " + std::to_string(dollar) +
                                     ": more than " + std::to_string(kMaxFormatSteps) +
                                     " variables");
    }
    FormatStep step;
    step.name = std::string(name);
    step.var = LookupVar(name);
    step.role = SimpleRole(step.var);
    step.shape = ShapeOf(step.var);
    out.steps.push_back(std::move(step));
    literal = &out.steps.back().literal;
  }

  // Several variables can carry the client address, the time or the bytes
  // sent: the most precise one fills the Event field.
  AssignPreferred(out.steps, {Var::kMsec, Var::kTimeLocal, Var::kTimeIso8601}, Role::kTimeMsec,
                  Role::kSkip);
  for (FormatStep& s : out.steps) {
    if (s.role != Role::kTimeMsec) continue;
    if (s.var == Var::kTimeLocal) s.role = Role::kTimeLocal;
    if (s.var == Var::kTimeIso8601) s.role = Role::kTimeIso8601;
  }
  AssignPreferred(out.steps, {Var::kRemoteAddr, Var::kBinaryRemoteAddr, Var::kRealipRemoteAddr},
                  Role::kClientIp, Role::kExtra);
  for (FormatStep& s : out.steps) {
    if (s.role == Role::kClientIp && s.var == Var::kBinaryRemoteAddr)
      s.role = Role::kClientIpBinary;
  }
  AssignPreferred(out.steps, {Var::kBytesSent, Var::kBodyBytesSent}, Role::kBytesOut, Role::kExtra);

  if (out.steps.empty() ||
      std::none_of(out.steps.begin(), out.steps.end(), [](const FormatStep& s) {
        return s.role == Role::kTimeMsec || s.role == Role::kTimeLocal ||
               s.role == Role::kTimeIso8601;
      })) {
    return Status::InvalidArgument(
        out.label +
        ": no time variable ($msec, $time_local or $time_iso8601); culprit needs "
        "the time of each request");
  }

  for (size_t k = 0; k < out.steps.size(); ++k) {
    const std::string& lit = out.steps[k].literal;
    const bool last = k + 1 == out.steps.size();
    MatchStep m;
    m.shape = out.steps[k].shape;
    m.literal_offset = static_cast<uint32_t>(out.literals.size());
    m.literal_size = static_cast<uint32_t>(lit.size());
    out.literals += lit;
    if (lit.empty()) {
      m.rule = last ? EndRule::kRest : EndRule::kToken;
    } else if (lit[0] == '"') {
      m.rule = EndRule::kQuote;
    } else if (last) {
      m.rule = EndRule::kSuffix;
    } else {
      m.rule = EndRule::kFind;
      m.list_aware = lit[0] == ' ' && !(lit.size() >= 2 && lit[1] == ':');
    }
    out.match.push_back(m);
  }

  // Extra keys: variable names, plus method/uri/protocol/request for $request.
  std::vector<std::string_view> keys;
  for (const FormatStep& s : out.steps) {
    if (s.role == Role::kRequest) {
      keys.insert(keys.end(), {"method", "uri", "protocol", "request"});
    } else {
      keys.push_back(s.name);
    }
  }
  std::sort(keys.begin(), keys.end());
  out.unique_extra_keys = std::adjacent_find(keys.begin(), keys.end()) == keys.end();
  return out;
}

}  // namespace culprit::parsers::nginx
