// MessageWalker: the FieldPlan traversal shared by JsonWriter and JsvWriter.
//
// Both formats write the same structure and differ only in tokens. The walker
// owns the structure: an object per message, fields in plan order with the
// writers' omission rules (empty implicit-presence strings / bytes, unset
// sub-messages and unset explicit-presence fields are left out; numbers,
// booleans and enums always written), repeated fields as arrays, maps as
// objects with entries sorted by key, generated messages read through field
// offsets (field_layout.h) and anything else through Reflection. A format
// policy supplies the tokens, as static member functions:
//
//   struct MyFormat {
//     // Returns the field's key with its leading comma (json_key, jsv_key).
//     static const std::string& Key(const PlannedField& f);
//     // Append one value each; strings and bytes may be empty (elements of
//     // lists and maps are never omitted).
//     static void AppendString(std::string_view s, OutputBuffer* out);
//     static void AppendBytes(const std::string& s, OutputBuffer* out);
//     static void AppendBool(bool value, OutputBuffer* out);
//     template <typename T>  // float or double, including NaN / infinities.
//     static void AppendFloat(T value, OutputBuffer* out);
//     static void AppendEnum(const EnumNames* names, int number,
//                            OutputBuffer* out);
//     // Appends the key of a map entry (f.key_kind says how e is keyed).
//     static void AppendMapKey(const MapEntryRef& e, const PlannedField& f,
//                              OutputBuffer* out);
//   };
//
// Integers are written alike in both formats (AppendNumber below).
//
// Usage (in a writer's .cc; a policy in an unnamed namespace gives the
// instantiation internal linkage, so it inlines like hand-written code):
//   namespace { struct JsonFormat { ... }; }
//   OutputBuffer buffer(out);
//   MessageWalker<JsonFormat>::Write(msg, &buffer);
//
// Everything is resolved at compile time: no virtual call per field.
// Thread safety: stateless; safe to call concurrently.

#ifndef GATEWAY_CODEC_MESSAGE_WALKER_H_
#define GATEWAY_CODEC_MESSAGE_WALKER_H_

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/codec/field_layout.h"
#include "gateway/codec/field_plan.h"
#include "gateway/codec/output_buffer.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace sessions::gateway {

// Appends an integer, or a floating-point number in shortest round-trip form.
template <typename T>
inline void AppendNumber(T value, OutputBuffer* out) {
  constexpr size_t kMaxChars = 32;  // Enough for any double or integer.
  char* p = out->Reserve(kMaxChars);
  out->Commit(std::to_chars(p, p + kMaxChars, value).ptr);
}

// Closes an object or array that started at `start`: the ',' written before
// its first member becomes `open` (or `open` is written if it is empty).
inline void CloseAggregate(size_t start, char open, char close, OutputBuffer* out) {
  if (out->size() == start) {
    out->push_back(open);
  } else {
    (*out)[start] = open;
  }
  out->push_back(close);
}

// See the file comment. All members are static.
template <typename Format>
class MessageWalker {
 public:
  using Message = google::protobuf::Message;

  // Appends `msg` as an object, using its type's plan.
  static void Write(const Message& msg, OutputBuffer* out);

  // Appends `msg` as an object. `generated`: the caller knows `msg` is the
  // generated class of `plan` (read from a generated parent), so fields with
  // offsets are read directly and reflection is looked up only if needed.
  static void WriteObject(const Message& msg, const FieldPlan& plan, bool generated,
                          OutputBuffer* out);

  // Appends `msg` as Write() does, with `elements` (each an object this
  // format wrote earlier) as the elements of its repeated message field
  // `spliced`, whose own content is not read.
  static void WriteSpliced(const Message& msg, const google::protobuf::FieldDescriptor* spliced,
                           const std::vector<std::string_view>& elements, OutputBuffer* out);

  // Appends field `f` of `msg` (a field of its type's plan) as Write()
  // would inside the object: Format::Key(f) and the value, or nothing when
  // the field is omitted.
  static void WriteMember(const Message& msg, const PlannedField& f, OutputBuffer* out) {
    const FieldPlan& plan = FieldPlan::For(msg.GetDescriptor());
    const bool generated =
        plan.fast_reflection() != nullptr && msg.GetReflection() == plan.fast_reflection();
    const google::protobuf::Reflection* r = nullptr;
    WriteField(msg, f, generated, &r, out);
  }

 private:
  using FieldDescriptor = google::protobuf::FieldDescriptor;
  using Reflection = google::protobuf::Reflection;

  static void WriteElement(const Message& msg, const Reflection& r, const PlannedField& f, int i,
                           OutputBuffer* out);
  static void WriteArray(const Message& msg, const Reflection& r, const PlannedField& f,
                         OutputBuffer* out);
  static void AppendValue(const Message& msg, const Reflection& r, const FieldDescriptor* d,
                          FieldKind kind, const PlannedField& f, OutputBuffer* out);
  static void WriteSingular(const Message& msg, const Reflection& r, const PlannedField& f,
                            OutputBuffer* out);
  static void WriteMap(const Message& msg, const Reflection& r, const PlannedField& f,
                       bool generated, OutputBuffer* out);
  static void WriteMessages(const google::protobuf::RepeatedPtrField<Message>& items,
                            const FieldPlan& plan, OutputBuffer* out);
  static void AppendFastValue(const Message& msg, const PlannedField& f, OutputBuffer* out);
  static void WriteFast(const Message& msg, const PlannedField& f, OutputBuffer* out);
  static void WriteField(const Message& msg, const PlannedField& f, bool generated,
                         const Reflection** r, OutputBuffer* out);
};

// The members are defined out of line and not `inline`, so the compiler
// weighs them like ordinary functions (as the hand-written writers were).

template <typename Format>
void MessageWalker<Format>::Write(const Message& msg, OutputBuffer* out) {
  const FieldPlan& plan = FieldPlan::For(msg.GetDescriptor());
  WriteObject(msg, plan, msg.GetReflection() == plan.fast_reflection(), out);
}

// Writes element `i` of a repeated (non-map) field.
template <typename Format>
void MessageWalker<Format>::WriteElement(const Message& msg, const Reflection& r,
                                         const PlannedField& f, int i, OutputBuffer* out) {
  const FieldDescriptor* d = f.field;
  std::string scratch;
  switch (f.kind) {
    case FieldKind::kString:
      Format::AppendString(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
      break;
    case FieldKind::kBytes:
      Format::AppendBytes(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
      break;
    case FieldKind::kBool:
      Format::AppendBool(r.GetRepeatedBool(msg, d, i), out);
      break;
    case FieldKind::kInt32:
      AppendNumber(r.GetRepeatedInt32(msg, d, i), out);
      break;
    case FieldKind::kInt64:
      AppendNumber(r.GetRepeatedInt64(msg, d, i), out);
      break;
    case FieldKind::kUInt32:
      AppendNumber(r.GetRepeatedUInt32(msg, d, i), out);
      break;
    case FieldKind::kUInt64:
      AppendNumber(r.GetRepeatedUInt64(msg, d, i), out);
      break;
    case FieldKind::kDouble:
      Format::AppendFloat(r.GetRepeatedDouble(msg, d, i), out);
      break;
    case FieldKind::kFloat:
      Format::AppendFloat(r.GetRepeatedFloat(msg, d, i), out);
      break;
    case FieldKind::kEnum:
      Format::AppendEnum(f.enum_names, r.GetRepeatedEnumValue(msg, d, i), out);
      break;
    case FieldKind::kMessage:
      WriteObject(r.GetRepeatedMessage(msg, d, i), *f.message, false, out);
      break;
  }
}

template <typename Format>
void MessageWalker<Format>::WriteArray(const Message& msg, const Reflection& r,
                                       const PlannedField& f, OutputBuffer* out) {
  const int n = r.FieldSize(msg, f.field);
  const size_t start = out->size();
  for (int i = 0; i < n; ++i) {
    out->push_back(',');
    WriteElement(msg, r, f, i, out);
  }
  CloseAggregate(start, '[', ']', out);
}

// Appends the value of singular field `d` of `msg`, of kind `kind`: `d` is
// f.field, or the key / value field of one of map field f's entries.
template <typename Format>
void MessageWalker<Format>::AppendValue(const Message& msg, const Reflection& r,
                                        const FieldDescriptor* d, FieldKind kind,
                                        const PlannedField& f, OutputBuffer* out) {
  switch (kind) {
    case FieldKind::kString: {
      std::string scratch;
      Format::AppendString(r.GetStringReference(msg, d, &scratch), out);
      break;
    }
    case FieldKind::kBytes: {
      std::string scratch;
      Format::AppendBytes(r.GetStringReference(msg, d, &scratch), out);
      break;
    }
    case FieldKind::kBool:
      Format::AppendBool(r.GetBool(msg, d), out);
      break;
    case FieldKind::kInt32:
      AppendNumber(r.GetInt32(msg, d), out);
      break;
    case FieldKind::kInt64:
      AppendNumber(r.GetInt64(msg, d), out);
      break;
    case FieldKind::kUInt32:
      AppendNumber(r.GetUInt32(msg, d), out);
      break;
    case FieldKind::kUInt64:
      AppendNumber(r.GetUInt64(msg, d), out);
      break;
    case FieldKind::kDouble:
      Format::AppendFloat(r.GetDouble(msg, d), out);
      break;
    case FieldKind::kFloat:
      Format::AppendFloat(r.GetFloat(msg, d), out);
      break;
    case FieldKind::kEnum:
      Format::AppendEnum(f.enum_names, r.GetEnumValue(msg, d), out);
      break;
    case FieldKind::kMessage:
      WriteObject(r.GetMessage(msg, d), *f.message, false, out);
      break;
  }
}

// Writes a singular field with its key, or nothing when it is omitted:
// empty implicit-presence strings, unset messages, unset explicit-presence
// fields.
template <typename Format>
void MessageWalker<Format>::WriteSingular(const Message& msg, const Reflection& r,
                                          const PlannedField& f, OutputBuffer* out) {
  const FieldDescriptor* d = f.field;
  if (f.explicit_presence) {
    if (!r.HasField(msg, d)) return;
  } else if (f.kind == FieldKind::kString || f.kind == FieldKind::kBytes) {
    std::string scratch;
    const std::string& s = r.GetStringReference(msg, d, &scratch);
    if (s.empty()) return;
    out->append(Format::Key(f));
    if (f.kind == FieldKind::kString) {
      Format::AppendString(s, out);
    } else {
      Format::AppendBytes(s, out);
    }
    return;
  } else if (f.kind == FieldKind::kMessage && !r.HasField(msg, d)) {
    return;
  }
  out->append(Format::Key(f));
  AppendValue(msg, r, d, f.kind, f, out);
}

// Writes a map as an object with entries sorted by key.
template <typename Format>
void MessageWalker<Format>::WriteMap(const Message& msg, const Reflection& r, const PlannedField& f,
                                     bool generated, OutputBuffer* out) {
  std::vector<MapEntryRef> entries;
  CollectSortedMapEntries(msg, r, f, generated, &entries);
  const PlannedField& value = f.entry->fields()[1];
  const bool fast = generated && value.offset >= 0 && f.entry->fast_reflection() != nullptr;
  const size_t start = out->size();
  for (const MapEntryRef& e : entries) {
    out->push_back(',');
    Format::AppendMapKey(e, f, out);
    out->push_back(':');
    if (fast) {
      AppendFastValue(*e.entry, value, out);
    } else {
      AppendValue(*e.entry, *e.entry->GetReflection(), f.map_value, f.kind, f, out);
    }
  }
  CloseAggregate(start, '{', '}', out);
}

// Writes the elements of a repeated message field (of the generated class).
template <typename Format>
void MessageWalker<Format>::WriteMessages(const google::protobuf::RepeatedPtrField<Message>& items,
                                          const FieldPlan& plan, OutputBuffer* out) {
  const size_t start = out->size();
  for (const Message& item : items) {
    out->push_back(',');
    WriteObject(item, plan, /*generated=*/true, out);
  }
  CloseAggregate(start, '[', ']', out);
}

// Appends the value of field `f` of generated `msg`, read at its offset.
// Never omits: an unset message is written as its defaults.
template <typename Format>
void MessageWalker<Format>::AppendFastValue(const Message& msg, const PlannedField& f,
                                            OutputBuffer* out) {
  const int32_t at = f.offset;
  switch (f.kind) {
    case FieldKind::kString:
      Format::AppendString(StringAt(msg, at), out);
      break;
    case FieldKind::kBytes:
      Format::AppendBytes(StringAt(msg, at), out);
      break;
    case FieldKind::kBool:
      Format::AppendBool(ScalarAt<bool>(msg, at), out);
      break;
    case FieldKind::kInt32:
      AppendNumber(ScalarAt<int32_t>(msg, at), out);
      break;
    case FieldKind::kInt64:
      AppendNumber(ScalarAt<int64_t>(msg, at), out);
      break;
    case FieldKind::kUInt32:
      AppendNumber(ScalarAt<uint32_t>(msg, at), out);
      break;
    case FieldKind::kUInt64:
      AppendNumber(ScalarAt<uint64_t>(msg, at), out);
      break;
    case FieldKind::kDouble:
      Format::AppendFloat(ScalarAt<double>(msg, at), out);
      break;
    case FieldKind::kFloat:
      Format::AppendFloat(ScalarAt<float>(msg, at), out);
      break;
    case FieldKind::kEnum:
      Format::AppendEnum(f.enum_names, ScalarAt<int32_t>(msg, at), out);
      break;
    case FieldKind::kMessage: {
      const Message* sub = MessageAt(msg, at);
      WriteObject(sub != nullptr ? *sub : *f.message->prototype(), *f.message,
                  /*generated=*/true, out);
      break;
    }
  }
}

// Writes field `f` of generated `msg` through its offset: the fast path,
// same omission rules as WriteSingular / WriteArray.
template <typename Format>
void MessageWalker<Format>::WriteFast(const Message& msg, const PlannedField& f,
                                      OutputBuffer* out) {
  switch (f.kind) {
    case FieldKind::kString:
    case FieldKind::kBytes:
      if (StringAt(msg, f.offset).empty()) return;
      break;
    case FieldKind::kMessage:
      if (f.repeated) {
        out->append(Format::Key(f));
        WriteMessages(RepeatedMessagesAt(msg, f.offset), *f.message, out);
        return;
      }
      if (MessageAt(msg, f.offset) == nullptr) return;
      break;
    default:
      break;
  }
  out->append(Format::Key(f));
  AppendFastValue(msg, f, out);
}

// Writes field `f` of `msg` (omitted as the rules say). `generated`: as
// WriteObject's, already checked against the plan; `*r` is looked up on
// first need and kept for the message's other fields.
template <typename Format>
void MessageWalker<Format>::WriteField(const Message& msg, const PlannedField& f, bool generated,
                                       const Reflection** r, OutputBuffer* out) {
  if (generated && f.offset >= 0) {
    WriteFast(msg, f, out);
    return;
  }
  if (*r == nullptr) *r = msg.GetReflection();
  if (!f.repeated) {
    WriteSingular(msg, **r, f, out);
    return;
  }
  out->append(Format::Key(f));
  if (f.is_map) {
    WriteMap(msg, **r, f, generated, out);
  } else {
    WriteArray(msg, **r, f, out);
  }
}

template <typename Format>
void MessageWalker<Format>::WriteObject(const Message& msg, const FieldPlan& plan, bool generated,
                                        OutputBuffer* out) {
  generated = generated && plan.fast_reflection() != nullptr;
  const Reflection* r = nullptr;
  const size_t start = out->size();
  for (const PlannedField& f : plan.fields()) WriteField(msg, f, generated, &r, out);
  CloseAggregate(start, '{', '}', out);
}

template <typename Format>
void MessageWalker<Format>::WriteSpliced(const Message& msg,
                                         const google::protobuf::FieldDescriptor* spliced,
                                         const std::vector<std::string_view>& elements,
                                         OutputBuffer* out) {
  const FieldPlan& plan = FieldPlan::For(msg.GetDescriptor());
  const bool generated =
      msg.GetReflection() == plan.fast_reflection() && plan.fast_reflection() != nullptr;
  const Reflection* r = nullptr;
  const size_t start = out->size();
  for (const PlannedField& f : plan.fields()) {
    if (f.field != spliced) {
      WriteField(msg, f, generated, &r, out);
      continue;
    }
    out->append(Format::Key(f));
    const size_t array = out->size();
    for (std::string_view element : elements) {
      out->push_back(',');
      out->append(element);
    }
    CloseAggregate(array, '[', ']', out);
  }
  CloseAggregate(start, '{', '}', out);
}

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_MESSAGE_WALKER_H_
