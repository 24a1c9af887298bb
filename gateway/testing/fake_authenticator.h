// Test-only Authenticator: "Bearer good" is an account-"acme" token with
// every scope; anything else is UNAUTHENTICATED.
#ifndef GATEWAY_TESTING_FAKE_AUTHENTICATOR_H_
#define GATEWAY_TESTING_FAKE_AUTHENTICATOR_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "service/authenticator.h"

namespace sessions::gateway {

class FakeAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const MetadataView* metadata) override {
    std::optional<std::string_view> value;
    if (metadata != nullptr) value = metadata->Get("authorization");
    if (!value.has_value() || *value != "Bearer good") {
      return absl::UnauthenticatedError("missing or invalid bearer token");
    }
    Principal principal;
    principal.token_id = "tok-1";
    principal.account_id = "acme";
    principal.scopes =
        static_cast<uint32_t>(Scope::kSessionsRead) | static_cast<uint32_t>(Scope::kSessionsWrite);
    return principal;
  }
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TESTING_FAKE_AUTHENTICATOR_H_
