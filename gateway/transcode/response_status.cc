#include "gateway/transcode/response_status.h"

#include <string_view>

#include "absl/strings/string_view.h"
#include "gateway/codec/text_escape.h"
#include "gateway/codec/xml_writer.h"

namespace sessions::gateway {
namespace {

std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Appends `,name:value` / `,"name":"value"` (no comma when `first`).
void AppendProperty(ResponseFormat format, bool first, absl::string_view name,
                    absl::string_view value, std::string* out) {
  if (!first) out->push_back(',');
  if (format == ResponseFormat::kJson) {
    AppendJsonString(Std(name), out);
    out->push_back(':');
    AppendJsonString(Std(value), out);
  } else {
    out->append(name.data(), name.size());
    out->push_back(':');
    AppendJsvString(Std(value), out);
  }
}

void AppendKey(ResponseFormat format, absl::string_view name, std::string* out) {
  if (format == ResponseFormat::kJson) {
    AppendJsonString(Std(name), out);
  } else {
    out->append(name.data(), name.size());
  }
  out->push_back(':');
}

void AppendXmlElement(XmlWriter* xml, std::string_view name, std::string_view text) {
  xml->Start(name, kXmlServiceStackNamespace);
  if (text.empty()) {
    xml->Nil();
  } else {
    xml->Text(text);
  }
  xml->End();
}

void AppendXmlMeta(XmlWriter* xml, const std::vector<std::pair<std::string, std::string>>& meta) {
  xml->Start("Meta", kXmlServiceStackNamespace, kXmlArraysNamespace);
  if (meta.empty()) xml->Nil();
  for (const auto& [key, value] : meta) {
    xml->Start("KeyValueOfstringstring", kXmlArraysNamespace);
    xml->Start("Key", kXmlArraysNamespace);
    xml->Text(key);
    xml->End();
    xml->Start("Value", kXmlArraysNamespace);
    xml->Text(value);
    xml->End();
    xml->End();
  }
  xml->End();
}

std::string RenderXml(const HttpError& error) {
  std::string out;
  XmlWriter xml(&out);
  xml.StartDocument("ErrorResponse", kXmlServiceStackNamespace);
  xml.Start("ResponseStatus", kXmlServiceStackNamespace);
  AppendXmlElement(&xml, "ErrorCode", error.error_code);
  AppendXmlElement(&xml, "Message", error.message);
  AppendXmlElement(&xml, "StackTrace", "");
  xml.Start("Errors", kXmlServiceStackNamespace);
  if (!error.field_name.empty()) {
    xml.Start("ResponseError", kXmlServiceStackNamespace);
    AppendXmlElement(&xml, "ErrorCode", error.error_code);
    AppendXmlElement(&xml, "FieldName", error.field_name);
    AppendXmlElement(&xml, "Message", error.field_message);
    AppendXmlMeta(&xml, {});
    xml.End();
  }
  xml.End();
  AppendXmlMeta(&xml, error.meta);
  xml.End();
  xml.End();
  return out;
}

}  // namespace

std::string RenderResponseStatus(const HttpError& error, ResponseFormat format) {
  if (format == ResponseFormat::kXml) return RenderXml(error);
  std::string out = "{";
  AppendKey(format, "responseStatus", &out);
  out.push_back('{');
  AppendProperty(format, true, "errorCode", error.error_code, &out);
  AppendProperty(format, false, "message", error.message, &out);
  if (!error.field_name.empty()) {
    out.push_back(',');
    AppendKey(format, "errors", &out);
    out.append("[{");
    AppendProperty(format, true, "errorCode", error.error_code, &out);
    AppendProperty(format, false, "fieldName", error.field_name, &out);
    AppendProperty(format, false, "message", error.field_message, &out);
    out.append("}]");
  }
  if (!error.meta.empty()) {
    out.push_back(',');
    AppendKey(format, "meta", &out);
    out.push_back('{');
    for (size_t i = 0; i < error.meta.size(); ++i) {
      AppendProperty(format, i == 0, error.meta[i].first, error.meta[i].second, &out);
    }
    out.push_back('}');
  }
  out.append("}}");
  return out;
}

}  // namespace sessions::gateway
