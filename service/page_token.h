// Opaque keyset-paging cursor of GetActiveSessions: the (date_created, id)
// of the last session of a page, so the next page starts right after it no
// matter what was written in between.
#ifndef SERVICE_PAGE_TOKEN_H_
#define SERVICE_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sessions {

struct PageCursor {
  absl::Time created;
  std::string id;
};

// Encodes a cursor as a URL-safe opaque string.
std::string EncodePageToken(const PageCursor& cursor);

// Decodes a token made by EncodePageToken. INVALID_ARGUMENT naming
// page_token for anything else.
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token);

}  // namespace sessions

#endif  // SERVICE_PAGE_TOKEN_H_
