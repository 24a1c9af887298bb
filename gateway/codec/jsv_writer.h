// JsvWriter: writes a protobuf message in ServiceStack's JSV format, the body
// of the REST gateway's `text/jsv` responses (see
// /work/shared/servicestack-wire.md).
//
// Dialect: JSON without quotes, compact: `{sessions:[{dialState:None,...}]}`.
// Same names, order and omission rules as JsonWriter (empty strings and unset
// sub-messages omitted; booleans, numbers and enums always written). A string
// is quoted only when it contains one of `" : , { } [ ]`, CR or LF; inside
// quotes `"` is doubled. Booleans are True/False; enums by C# name; maps
// `{key:value}` sorted by key, keys quoted by the same rule. Strings inside
// lists and maps cannot be omitted; an empty one is written as `""`.
//
// Why hand-written: no packaged library writes JSV; it shares the FieldPlan
// and the traversal (message_walker.h) with JsonWriter and scans strings for
// quote-triggering characters a word at a time.
//
// Thread safety: all functions are thread-safe.

#ifndef GATEWAY_CODEC_JSV_WRITER_H_
#define GATEWAY_CODEC_JSV_WRITER_H_

#include <string>
#include <string_view>
#include <vector>

#include "gateway/codec/field_plan.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sessions::gateway {

// Usage:
//   std::string body;
//   JsvWriter::Write(response, &body);
class JsvWriter {
 public:
  // Appends the JSV form of `msg` to `*out` (not owned).
  static void Write(const google::protobuf::Message& msg, std::string* out);

  // Appends what Write() would for `msg` with `elements` in its repeated
  // message field `spliced`, where each element is what Write() appended
  // for it (e.g. a rendering cached earlier); the field's own content in
  // `msg` is not read. Lets a response built around stored elements skip
  // writing them again.
  static void WriteSpliced(const google::protobuf::Message& msg,
                           const google::protobuf::FieldDescriptor* spliced,
                           const std::vector<std::string_view>& elements, std::string* out);

  // Appends the JSV value of field `f` of `msg` (one of its type's
  // FieldPlan fields) as Write() writes it inside the object, without the
  // key; nothing when Write() would omit the field.
  static void WriteFieldValue(const google::protobuf::Message& msg, const PlannedField& f,
                              std::string* out);
};

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_JSV_WRITER_H_
