#include "service/encoded_response.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"

namespace sessions {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::internal::WireFormatLite;

const FieldDescriptor* ElementsFieldOf(const google::protobuf::Descriptor& type) {
  if (type.field_count() == 0) return nullptr;
  const FieldDescriptor* first = type.field(0);
  if (!first->is_repeated() || first->is_map() ||
      first->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return nullptr;
  }
  for (int i = 1; i < type.field_count(); ++i) {
    if (type.field(i)->number() < first->number()) return nullptr;
  }
  return first;
}

void AppendWireForm(const EncodedResponse& response, std::string* out) {
  const int number = response.message->GetDescriptor()->field(0)->number();
  size_t size = response.message->ByteSizeLong();
  for (const auto& element : response.elements) {
    size += WireFormatLite::TagSize(number, WireFormatLite::TYPE_MESSAGE) +
            WireFormatLite::LengthDelimitedSize(element->data.size());
  }
  out->reserve(out->size() + size);
  {
    google::protobuf::io::StringOutputStream stream(out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    for (const auto& element : response.elements) {
      WireFormatLite::WriteTag(number, WireFormatLite::WIRETYPE_LENGTH_DELIMITED, &coded);
      coded.WriteVarint32(static_cast<uint32_t>(element->data.size()));
      coded.WriteRaw(element->data.data(), static_cast<int>(element->data.size()));
    }
  }
  // The other fields' numbers are higher: they follow, as in the message's
  // own serialization.
  response.message->AppendToString(out);
}

absl::Status MergeElements(const EncodedResponse& response) {
  google::protobuf::Message& message = *response.message;
  const FieldDescriptor* field = message.GetDescriptor()->field(0);
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  for (const auto& element : response.elements) {
    if (!reflection.AddMessage(&message, field)->ParseFromString(element->data)) {
      return absl::InternalError("a stored message is unreadable");
    }
  }
  return absl::OkStatus();
}

}  // namespace sessions
