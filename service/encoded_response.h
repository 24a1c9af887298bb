// A unary response that carries part of its answer as bytes the server
// already holds: the elements of its first field as EncodedMessages (a
// live-view session each), the rest of the response as a message. The gRPC
// adapter sends the wire form by concatenation and the REST gateway splices
// each element's cached rendering into the body, so an answer from the
// live view parses and serializes no session.
//
// The elements' field is the response type's first declared field, and it
// must be a repeated message field with the lowest field number: then the
// wire form (fields in number order) and the REST renderings (fields in
// declaration order) both start with it, and the rest follows as the
// message writes itself. ElementsFieldOf() checks that.
//
// Not thread-safe; one per call.
#ifndef SERVICE_ENCODED_RESPONSE_H_
#define SERVICE_ENCODED_RESPONSE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "service/encoded_message.h"

namespace sessions {

struct EncodedResponse {
  // The response without the elements (their field left empty). Not owned.
  google::protobuf::Message* message = nullptr;
  // The elements of the first field, in order, each a serialized message of
  // that field's type.
  std::vector<std::shared_ptr<const EncodedMessage>> elements;
};

// The field that holds a response of `type`'s encoded elements, or null
// when `type` cannot have any (see the file comment).
const google::protobuf::FieldDescriptor* ElementsFieldOf(const google::protobuf::Descriptor& type);

// Appends the wire form of the whole response: the bytes SerializeToString
// writes for `response.message` with the elements parsed into their field.
// The field must be ElementsFieldOf() the message's type.
void AppendWireForm(const EncodedResponse& response, std::string* out);

// Parses the elements into their field of `response.message`, for callers
// that want the message itself. INTERNAL if an element does not parse.
absl::Status MergeElements(const EncodedResponse& response);

}  // namespace sessions

#endif  // SERVICE_ENCODED_RESPONSE_H_
