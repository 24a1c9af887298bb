// Renders the ServiceStack error body of an HttpError:
//   {"responseStatus":{"errorCode":"...","message":"...",
//     "errors":[{"errorCode":"...","fieldName":"...","message":"..."}],
//     "meta":{"AutoBatchIndex":"2"}}}
// ("errors" only for a validation error that names a field, "meta" only
// when the error has some), in JSON or in
// JSV ({responseStatus:{errorCode:NotFound,message:...}}), or in XML as
// ServiceStack's ErrorResponse DTO (DataContract style, namespace
// http://schemas.servicestack.net/types: ErrorCode, Message, StackTrace,
// Errors, Meta in their [DataMember(Order)] order). Not for CSV, which has
// no error table (RestDispatcher answers CSV requests' errors in JSON).
//
// Thread-safety: stateless function.
#ifndef GATEWAY_TRANSCODE_RESPONSE_STATUS_H_
#define GATEWAY_TRANSCODE_RESPONSE_STATUS_H_

#include <string>

#include "gateway/http/content_negotiation.h"
#include "gateway/transcode/http_status_map.h"

namespace sessions::gateway {

// Returns the body of `error` in `format`.
std::string RenderResponseStatus(const HttpError& error, ResponseFormat format);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_RESPONSE_STATUS_H_
