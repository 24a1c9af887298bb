// ServiceStack's metadata pages, generated from the ServiceStack operations'
// descriptors (servicestack_dtos.h): /metadata lists the operations with
// links to their pages and to the DTO and OpenAPI documents;
// /json/metadata?op=<Operation> is the page the seed file is a copy of —
// "Requires Authentication", the routes, the DTOs as C#, and a sample HTTP
// request and response per format (JSON, JSV, CSV) with placeholder values
// ("String", 0, false, an enum's first member, one element per list).
// Everything from a descriptor or the request is HTML-escaped; the pages use
// no script and no external asset.
//
// Thread-safety: stateless functions.
#ifndef GATEWAY_TRANSCODE_METADATA_PAGES_H_
#define GATEWAY_TRANSCODE_METADATA_PAGES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "gateway/transcode/route_table.h"

namespace sessions::gateway {

// The /metadata page.
std::string RenderMetadataIndex(const ServiceStackOperations& operations);

// The page of operation `name`, or nullopt when there is none. `host` is
// the Host the samples show.
std::optional<std::string> RenderOperationPage(const ServiceStackOperations& operations,
                                               absl::string_view name, absl::string_view host);

// `text` with &, <, >, " and ' escaped for HTML text and attributes.
std::string HtmlEscape(absl::string_view text);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_METADATA_PAGES_H_
