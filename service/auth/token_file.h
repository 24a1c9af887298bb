// Reads a bearer-token secret from a file (a Kubernetes Secret mount, a
// file a script wrote): the one implementation the server's bootstrap token
// and the load generators share. Stateless; thread-safe.
#ifndef SERVICE_AUTH_TOKEN_FILE_H_
#define SERVICE_AUTH_TOKEN_FILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sessions::auth {

// Returns the file's content without surrounding whitespace.
// FAILED_PRECONDITION "cannot read <what> <path>" or "<what> <path> is
// empty"; the secret itself never appears in an error.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path,
                                          absl::string_view what = "token file");

}  // namespace sessions::auth

#endif  // SERVICE_AUTH_TOKEN_FILE_H_
