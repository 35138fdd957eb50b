#include "daemon/service/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>

#include "base/check.h"

namespace culprit::service {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Unauthenticated(std::string msg) {
  return Status(StatusCode::kUnauthenticated, std::move(msg));
}

// "Bearer <token>" (scheme case-insensitive, RFC 6750 §2.1) to the token;
// nullopt for another scheme or an empty token.
std::optional<std::string_view> BearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return std::nullopt;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReporter: return "reporter";
    case Role::kOperator: return "operator";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  if (name == "reporter") return Role::kReporter;
  if (name == "operator") return Role::kOperator;
  return Status::InvalidArgument("\"" + std::string(name) +
                                 "\" is not a role (reporter or operator)");
}

std::string_view RpcName(Rpc rpc) {
  switch (rpc) {
    case Rpc::kStatus: return "Status";
    case Rpc::kCorrelate: return "Correlate";
    case Rpc::kSubmit: return "Submit";
    case Rpc::kSearchEvents: return "SearchEvents";
    case Rpc::kTopCauses: return "TopCauses";
    case Rpc::kReport: return "Report";
  }
  return "unknown";
}

bool Allowed(Role role, Rpc rpc) {
  switch (role) {
    case Role::kOperator:
      return true;
    case Role::kReporter:
      // Correlate diagnoses any client's report without storing it, so it
      // is as revealing as SearchEvents: operators only.
      return rpc == Rpc::kSubmit || rpc == Rpc::kStatus;
  }
  return false;
}

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  // EVP_Digest with EVP_sha256() cannot fail short of memory exhaustion.
  const int ok = EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  CULPRIT_CHECK(ok == 1 && len == out.size());
  return out;
}

std::string ToHex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (uint8_t b : digest) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

Result<Sha256Digest> ParseSha256Hex(std::string_view hex) {
  if (hex.size() != 64) {
    return Status::InvalidArgument("a SHA-256 is 64 hex digits, not " +
                                   std::to_string(hex.size()) + " characters");
  }
  Sha256Digest out{};
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("character " + std::to_string(2 * i + (hi < 0 ? 1 : 2)) +
                                     " is not a hex digit");
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

bool ConstantTimeEqual(const Sha256Digest& a, const Sha256Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Authenticator::Authenticator(std::vector<TokenEntry> tokens) : tokens_(std::move(tokens)) {}

Result<Caller> Authenticator::Authenticate(
    const std::vector<std::string_view>& authorization) const {
  if (!enabled()) return Caller{Role::kOperator, ""};
  if (authorization.empty()) {
    return Unauthenticated(
        "this culpritd requires a token: send metadata \"authorization: Bearer <token>\" "
        "(culprit --token or CULPRIT_TOKEN)");
  }
  for (std::string_view value : authorization) {
    const std::optional<std::string_view> token = BearerToken(value);
    if (!token) continue;
    const Sha256Digest presented = Sha256(*token);
    // Every configured hash is compared, whatever matched before, so the
    // time taken does not tell which entry (if any) matched.
    const TokenEntry* match = nullptr;
    for (const TokenEntry& t : tokens_) {
      if (ConstantTimeEqual(presented, t.sha256) && match == nullptr) match = &t;
    }
    if (match != nullptr) return Caller{match->role, match->name};
    return Unauthenticated("the bearer token is not valid for this culpritd");
  }
  return Unauthenticated(
      "the \"authorization\" metadata is not \"Bearer <token>\"");
}

}  // namespace culprit::service
