// Field and enum name casing: the one implementation of each rule the
// codecs, the request binder and the error mapping share.
//
//   CamelToUpperSnake("SessionCallState") == "SESSION_CALL_STATE"
//   SnakeToPascal("session.account_id")   == "Session.AccountId"
//   LooseNameKey("accountId") == LooseNameKey("account_id") == "accountid"
//
// Pure functions; thread-safe.
#ifndef COMMON_NAME_CASE_H_
#define COMMON_NAME_CASE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sessions {

// "SessionCallState" -> "SESSION_CALL_STATE", "HTTPCode" -> "HTTP_CODE": an
// underscore before each upper-case letter that starts a word, then upper case.
std::string CamelToUpperSnake(absl::string_view camel);

// "session.account_id" -> "Session.AccountId": drops each '_' and upper-cases
// the letter after it, the first letter and the letter after each '.';
// other letters keep their case ("startDate" -> "StartDate").
std::string SnakeToPascal(absl::string_view snake);

// The key under which field names match loosely (ServiceStack binds query
// and body names case-insensitively, with or without underscores):
// lower case, underscores dropped.
std::string LooseNameKey(absl::string_view name);

}  // namespace sessions

#endif  // COMMON_NAME_CASE_H_
