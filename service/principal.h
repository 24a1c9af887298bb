// Who is calling: the identity a bearer token resolves to, and what it may do.
#ifndef SERVICE_PRINCIPAL_H_
#define SERVICE_PRINCIPAL_H_

#include <cstdint>
#include <string>

#include "storage/token_store.h"  // Scope: its bits are what the token store keeps

namespace sessions {

// The authenticated caller of one RPC. Copyable value type.
struct Principal {
  std::string token_id;     // public id of the token (never the secret)
  std::string token_name;   // human label, for logs
  std::string account_id;   // the tenant the token belongs to
  std::string customer_id;  // non-empty: restricted to this customer subtree
  uint32_t scopes = 0;      // bit set of Scope

  bool Has(Scope scope) const {
    if (scopes & static_cast<uint32_t>(Scope::kAdmin)) return true;
    return (scopes & static_cast<uint32_t>(scope)) != 0;
  }
  bool IsAdmin() const { return (scopes & static_cast<uint32_t>(Scope::kAdmin)) != 0; }
};

}  // namespace sessions

#endif  // SERVICE_PRINCIPAL_H_
