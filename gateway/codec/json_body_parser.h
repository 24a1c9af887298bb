// Parses a JSON request body (RapidJSON) into a request message by its
// descriptors: the body of an annotated POST (`body: "*"` = the whole
// request, `body: "field"` = that field) and of ServiceStack's predefined
// routes (`POST /api/AppGetActiveSessions` with the request DTO).
//
// Names bind like query parameters (FieldIndex: json_name, original name,
// any case); enums accept the proto name, the C# name or the number; int64
// also accepts a quoted number; null and unknown members are ignored.
//
// Thread-safety: stateless function; `index` is only read.
#ifndef GATEWAY_CODEC_JSON_BODY_PARSER_H_
#define GATEWAY_CODEC_JSON_BODY_PARSER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/codec/field_index.h"
#include "google/protobuf/message.h"

namespace sessions::gateway {

// Merges `json` into `message` (or into its field `body_field` when that is
// not "*"). An empty or all-whitespace body is an empty object. Errors:
// INVALID_ARGUMENT naming the parse error and its byte offset, or
// "<field>: <problem>" for a value of the wrong type.
absl::Status MergeJsonBody(absl::string_view json, absl::string_view body_field,
                           const FieldIndex& index, google::protobuf::Message* message);

// Splits a JSON array of objects (a ServiceStack auto-batched request body)
// into the JSON text of each element, in order. Errors: INVALID_ARGUMENT
// for bad JSON, a body that is not an array, an element that is not an
// object ("request[2]: ..."), or more than `max_elements` elements.
absl::StatusOr<std::vector<std::string>> SplitJsonArray(absl::string_view json,
                                                        size_t max_elements);

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_JSON_BODY_PARSER_H_
