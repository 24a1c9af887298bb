// A message as ServiceStack's XML format writes a DTO (.NET's
// DataContractSerializer through ServiceStack.Text's XmlSerializer): the
// XML declaration, the root element named after the DTO in the namespace
// `http://schemas.datacontract.org/2004/07/<C# namespace>` (the namespaces
// of servicestack_dtos.h), every member an element named by its C# name —
// a base class's members first (EntityInfo's, in its own namespace), then
// the class's own, each group in ordinal order of the names (the
// serializer's order without [DataMember(Order)]). Values: strings as text
// (empty: `i:nil="true"`, as ServiceStack's null), booleans `true`/`false`,
// numbers in invariant form, enums by C# member name, bytes base64, an unset
// message nil; a list holds one element per item, named after the item's
// type (`SessionInfo`; scalars by their XML Schema names, `string`, `int`,
// `long`, `boolean`, in the Arrays namespace), a map `KeyValueOf<K><V>`
// items with `Key` and `Value`. Namespaces not in scope are declared where
// first needed (XmlWriter).
//
// Not byte-compared with a real .NET serializer (none runs here): the
// element and namespace rules are from dotnet/runtime's
// System.Private.DataContractSerialization as ServiceStack uses it.
//
// Thread-safety: a pure function.
#ifndef GATEWAY_TRANSCODE_DATACONTRACT_XML_H_
#define GATEWAY_TRANSCODE_DATACONTRACT_XML_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace sessions::gateway {

// Appends `message` as a DataContract XML document whose root is named
// `root_name` (the DTO's name: "AppGetActiveSessionsResult").
void WriteDataContractXml(const google::protobuf::Message& message, absl::string_view root_name,
                          std::string* out);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_DATACONTRACT_XML_H_
