// The body of a successful REST answer in the negotiated format: a response
// message written whole, or an EncodedResponse (encoded_response.h) written
// around its elements' cached renderings (each session rendered once per
// format while it stays unchanged in the live view, then spliced in). Both
// give the same bytes for the same answer.
//
// Thread-safe: stateless; an EncodedResponse's renderings are thread-safe.
#ifndef GATEWAY_TRANSCODE_RESPONSE_BODY_H_
#define GATEWAY_TRANSCODE_RESPONSE_BODY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/http/content_negotiation.h"
#include "google/protobuf/message.h"
#include "service/encoded_response.h"

namespace sessions::gateway {

// Appends `message` in `format` to `body`. `dto_name` names the message's
// type in XML, the root element (empty: its proto name); ServiceStack's
// operations rename their request and answer (servicestack_dtos.h).
void WriteResponseBody(const google::protobuf::Message& message, ResponseFormat format,
                       std::string* body, absl::string_view dto_name = {});

// Appends what WriteResponseBody() would for `response.message` with its
// elements parsed into it. INTERNAL if an element does not parse (then
// `body` holds a partial write).
absl::Status WriteEncodedResponseBody(const EncodedResponse& response, ResponseFormat format,
                                      std::string* body, absl::string_view dto_name = {});

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_RESPONSE_BODY_H_
