// ServiceStack's `/types/metadata`: the MetadataTypes JSON its "Add
// ServiceStack Reference" tools and Admin UI read (ServiceStack.Client
// MetadataTypes.cs, camelCase as on .NET Core): `config` (the options the
// C# writer applies, the BaseUrl), `namespaces`, `types` (every DTO besides
// the operations' requests and answers: classes with their .NET property
// types — String, Int64, List`1 with genericArgs — base class and enums with
// their C# member names) and `operations` (request, response, verb,
// returnType, routes, requiresAuth). From the same descriptor model as
// /types/csharp (servicestack_dtos.h). Flags ServiceStack leaves out when
// false (isValueType, isEnum) are left out here too.
//
// Thread-safety: a pure function.
#ifndef GATEWAY_TRANSCODE_METADATA_TYPES_H_
#define GATEWAY_TRANSCODE_METADATA_TYPES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "gateway/transcode/route_table.h"

namespace sessions::gateway {

// Returns the MetadataTypes document of `operations`; `base_url` is this
// server as the client reached it.
std::string RenderMetadataTypes(const ServiceStackOperations& operations,
                                absl::string_view base_url);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_METADATA_TYPES_H_
