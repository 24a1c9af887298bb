// "Add ServiceStack Reference" for TypeScript: the DTO source that
// ServiceStack serves at /types/typescript and `npx typescript-ref <url>`
// (npm @servicestack/cli) saves as dtos.ts, generated from the descriptors
// of the ServiceStack operations (route_table.h), so a new operation gets
// its DTOs without code here. The names are the original API's: the
// request DTO is the operation name (AppGetActiveSessions), its answer the
// operation name + "Result" (the seed's AppGetActiveSessionsResult), every
// other message and enum its proto name; properties by their JSON names,
// optional; enums as string enums of their C# names; a message ending in
// the five EntityInfo fields (id, date_created, date_last_modified,
// created_by, last_modified_by: how the protos write the C# model's base
// class) extends EntityInfo. Request DTOs carry `// @Route(...)` from their
// google.api.http annotation, `implements IReturn<Result>`, getTypeName(),
// getMethod() and createResponse(), as JsonServiceClient expects. The
// `Options:` header is what the tool reads back to update the file; the
// options themselves are not applied (a request's option overrides are
// ignored).
//
// Thread-safety: stateless function.
#ifndef GATEWAY_TRANSCODE_TYPESCRIPT_REFERENCE_H_
#define GATEWAY_TRANSCODE_TYPESCRIPT_REFERENCE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/transcode/route_table.h"

namespace sessions::gateway {

// Returns dtos.ts for `operations`. `base_url` ("http://host:port") goes in
// the Options header; `now` in its Date line.
std::string RenderTypeScriptReference(const ServiceStackOperations& operations,
                                      absl::string_view base_url, absl::Time now);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_TYPESCRIPT_REFERENCE_H_
