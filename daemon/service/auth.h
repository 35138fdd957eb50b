#ifndef CULPRIT_DAEMON_SERVICE_AUTH_H_
#define CULPRIT_DAEMON_SERVICE_AUTH_H_

// Access control for culpritd's RPCs: who is calling (a role, from a bearer
// token) and what that role may call.
//
// Callers send metadata "authorization: Bearer <token>". The daemon keeps
// only the SHA-256 of each token (from the config), hashes what is presented
// and compares it with every configured hash in constant time, so neither
// the config file nor response timing gives a token away.
//
// Roles:
//   operator  everything.
//   reporter  Submit (the diagnosis of its own report: causes, explanations
//             and remedies; server log lines only when the operator allows
//             it) and a reduced Status (version and uptime only).
//
// With no tokens configured, access control is off and every caller is an
// operator (the loopback default; config refuses a remote listener then).
//
// Everything here is pure and thread-safe (Authenticator is immutable).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace culprit::service {

enum class Role { kReporter, kOperator };

// The culprit.v1.Culprit RPCs, for the policy.
enum class Rpc { kStatus, kCorrelate, kSubmit, kSearchEvents, kTopCauses, kReport };
inline constexpr Rpc kAllRpcs[] = {Rpc::kStatus,       Rpc::kCorrelate, Rpc::kSubmit,
                                   Rpc::kSearchEvents, Rpc::kTopCauses, Rpc::kReport};

// "reporter", "operator".
std::string_view RoleName(Role role);
// "reporter" or "operator"; INVALID_ARGUMENT naming the text otherwise.
Result<Role> ParseRole(std::string_view name);
// The RPC's name as in the proto: "Status", "SearchEvents", ...
std::string_view RpcName(Rpc rpc);

// The policy: may `role` call `rpc` at all? (What a reporter then sees of
// Submit and Status is narrowed by the server; see the file comment.)
bool Allowed(Role role, Rpc rpc);

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256 of `data` (OpenSSL libcrypto).
Sha256Digest Sha256(std::string_view data);
// Lower-case hex of a digest (64 characters).
std::string ToHex(const Sha256Digest& digest);
// 64 hex digits (either case) to a digest; INVALID_ARGUMENT otherwise.
Result<Sha256Digest> ParseSha256Hex(std::string_view hex);
// Compares without an early exit, so the time taken does not depend on
// where the digests differ.
bool ConstantTimeEqual(const Sha256Digest& a, const Sha256Digest& b);

// A configured token: its hash, role and a name for logs and rate limits.
struct TokenEntry {
  std::string name;
  Role role = Role::kReporter;
  Sha256Digest sha256{};
};

// Who is calling. `name` is the token's name, or empty when access control
// is off.
struct Caller {
  Role role = Role::kOperator;
  std::string name;
};

class Authenticator {
 public:
  // `tokens` empty: access control off.
  explicit Authenticator(std::vector<TokenEntry> tokens);

  bool enabled() const { return !tokens_.empty(); }

  // `authorization`: the values of the call's "authorization" metadata
  // (normally one). Off: an operator. On: UNAUTHENTICATED when no value is
  // "Bearer <token>" with a configured token; the message says what to send
  // and never echoes the token.
  Result<Caller> Authenticate(const std::vector<std::string_view>& authorization) const;

 private:
  std::vector<TokenEntry> tokens_;
};

}  // namespace culprit::service

#endif  // CULPRIT_DAEMON_SERVICE_AUTH_H_
