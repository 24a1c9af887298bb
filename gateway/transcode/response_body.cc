#include "gateway/transcode/response_body.h"

#include <memory>
#include <string_view>
#include <vector>

#include "gateway/codec/csv_writer.h"
#include "gateway/codec/json_writer.h"
#include "gateway/codec/jsv_writer.h"
#include "gateway/transcode/datacontract_xml.h"
#include "google/protobuf/descriptor.h"
#include "service/encoded_message.h"

namespace sessions::gateway {
namespace {

// The rendering slot of each format in an EncodedMessage.
int RenderingSlot(ResponseFormat format) {
  static_assert(EncodedMessage::kRenderingSlots >= 2, "one slot per format");
  return format == ResponseFormat::kJsv ? 1 : 0;
}

}  // namespace

void WriteResponseBody(const google::protobuf::Message& message, ResponseFormat format,
                       std::string* body, absl::string_view dto_name) {
  if (format == ResponseFormat::kXml) {
    WriteDataContractXml(
        message, dto_name.empty() ? absl::string_view(message.GetDescriptor()->name()) : dto_name,
        body);
  } else if (format == ResponseFormat::kJsv) {
    JsvWriter::Write(message, body);
  } else if (format == ResponseFormat::kCsv) {
    CsvWriter::Write(message, body);
  } else {
    JsonWriter::Write(message, body);
  }
}

absl::Status WriteEncodedResponseBody(const EncodedResponse& response, ResponseFormat format,
                                      std::string* body, absl::string_view dto_name) {
  const google::protobuf::Message& message = *response.message;
  const google::protobuf::FieldDescriptor* field = ElementsFieldOf(*message.GetDescriptor());
  if (format == ResponseFormat::kCsv || format == ResponseFormat::kXml) {
    // An export, not a dashboard poll: written from the parsed elements, no
    // rendering is cached.
    std::unique_ptr<google::protobuf::Message> full(message.New());
    full->CopyFrom(message);
    for (const auto& element : response.elements) {
      google::protobuf::Message* row = full->GetReflection()->AddMessage(full.get(), field);
      if (!row->ParseFromString(element->data)) {
        return absl::InternalError("a stored session does not parse");
      }
    }
    WriteResponseBody(*full, format, body, dto_name);
    return absl::OkStatus();
  }
  const google::protobuf::Message* prototype =
      message.GetReflection()->GetMessageFactory()->GetPrototype(field->message_type());
  std::unique_ptr<google::protobuf::Message> element;  // made on the first cache miss
  auto render = [&](absl::string_view data, std::string* out) {
    if (element == nullptr) element.reset(prototype->New());
    if (!element->ParseFromArray(data.data(), static_cast<int>(data.size()))) return false;
    WriteResponseBody(*element, format, out);
    return true;
  };
  // Renderings that could not be cached live in their own scratch string.
  std::vector<std::string> scratch(response.elements.size());
  std::vector<std::string_view> renderings;
  renderings.reserve(response.elements.size());
  for (size_t i = 0; i < response.elements.size(); ++i) {
    absl::StatusOr<absl::string_view> rendering =
        response.elements[i]->Rendering(RenderingSlot(format), render, &scratch[i]);
    if (!rendering.ok()) return rendering.status();
    renderings.emplace_back(rendering->data(), rendering->size());
  }
  if (format == ResponseFormat::kJsv) {
    JsvWriter::WriteSpliced(message, field, renderings, body);
  } else {
    JsonWriter::WriteSpliced(message, field, renderings, body);
  }
  return absl::OkStatus();
}

}  // namespace sessions::gateway
