// "Add ServiceStack Reference" for C#: the DTO source ServiceStack serves at
// /types/csharp (what `npx csharp-ref <url>` and Visual Studio's "Add
// ServiceStack Reference" save), generated from the descriptors of the
// ServiceStack operations with the names and namespaces of the original API
// (servicestack_dtos.h): partial classes with virtual properties in their
// C# names and types, collections initialized in constructors, enums, the
// request DTOs with [Route] from their google.api.http annotation and
// IReturn<Result>. Within a namespace types are ordered by name, as
// ServiceStack writes them. The `Options:` header is written; its options
// are not applied.
//
// Thread-safety: stateless function.
#ifndef GATEWAY_TRANSCODE_CSHARP_REFERENCE_H_
#define GATEWAY_TRANSCODE_CSHARP_REFERENCE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/transcode/route_table.h"

namespace sessions::gateway {

// Returns dtos.cs for `operations`; `base_url` and `now` go in the Options
// header.
std::string RenderCSharpReference(const ServiceStackOperations& operations,
                                  absl::string_view base_url, absl::Time now);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_CSHARP_REFERENCE_H_
