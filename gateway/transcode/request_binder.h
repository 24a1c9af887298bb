// Builds a route's request message from an HTTP request: query parameters,
// then the JSON body (if the route has one), then path variables (which
// win). Names bind loosely (FieldIndex); dotted names ("session.id")
// reach nested fields.
//
// Query rules (ServiceStack): unknown parameters are ignored; an empty
// value means "not set"; a repeated field takes one value per occurrence;
// parameters naming message or map fields are ignored.
//
// Thread-safety: stateless function.
#ifndef GATEWAY_TRANSCODE_REQUEST_BINDER_H_
#define GATEWAY_TRANSCODE_REQUEST_BINDER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/transcode/path_template.h"
#include "gateway/transcode/route_table.h"
#include "google/protobuf/message.h"

namespace sessions::gateway {

// Decoded query parameters, in request order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Fills `request` (of the route method's input type). `body` is ignored
// unless the route takes one. Errors: INVALID_ARGUMENT "<field>: ..." for a
// value that does not parse, or describing bad JSON.
absl::Status BindRequest(const Route& route, const std::vector<PathTemplate::Binding>& bindings,
                         const QueryParams& query, absl::string_view body,
                         google::protobuf::Message* request);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_REQUEST_BINDER_H_
