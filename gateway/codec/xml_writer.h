// XmlWriter: writes XML elements with namespaces the way .NET's
// DataContractSerializer declares them (ServiceStack's XML format): the
// root's namespace as the default, `xmlns:i` for nil on the root only, and
// a namespace not in scope declared where it is first needed, with the
// prefix `d<depth>p<n>` (depth counted from the root = 1). An element with
// no content is written `<Name />`, nil `<Name i:nil="true" />`.
//
//   std::string out;
//   XmlWriter xml(&out);
//   xml.StartDocument("Result", "http://schemas.datacontract.org/2004/07/Acme");
//   xml.Start("Name", "http://schemas.datacontract.org/2004/07/Acme");
//   xml.Text("a < b");
//   xml.End();
//   xml.End();
//
// Thread-safety: not thread-safe; one writer per document.
#ifndef GATEWAY_CODEC_XML_WRITER_H_
#define GATEWAY_CODEC_XML_WRITER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sessions::gateway {

// The namespace of ServiceStack's own types (ResponseStatus, ErrorResponse).
inline constexpr char kXmlServiceStackNamespace[] = "http://schemas.servicestack.net/types";
// Where the serializer puts lists and dictionaries of built-in types.
inline constexpr char kXmlArraysNamespace[] =
    "http://schemas.microsoft.com/2003/10/Serialization/Arrays";

class XmlWriter {
 public:
  // Appends to `*out` (not owned).
  explicit XmlWriter(std::string* out) : out_(out) {}

  // The XML declaration and the root element in `ns`.
  void StartDocument(std::string_view name, std::string_view ns);
  // Opens `name` in `ns`. When `child_ns` is set and not in scope, it is
  // declared on this element for the children (as the serializer does for a
  // member whose value's contract lives in another namespace).
  void Start(std::string_view name, std::string_view ns, std::string_view child_ns = {});
  // Marks the element just opened as nil (before any content).
  void Nil();
  // Character data (AppendXmlText) in the innermost element.
  void Text(std::string_view text);
  // Closes the innermost element.
  void End();

 private:
  struct Frame {
    std::string qualified_name;
    std::string default_ns;
    std::vector<std::pair<std::string, std::string>> prefixes;  // declared here
  };

  // The prefix bound to `ns` in scope ("" for the default), or false.
  bool Lookup(std::string_view ns, std::string* prefix) const;
  // Declares `ns` on the element being opened (`frame`), appending the
  // attribute to `declarations`; returns its prefix.
  std::string Declare(std::string_view ns, Frame* frame, std::string* declarations);
  void CloseStartTag();

  std::string* out_;
  std::vector<Frame> frames_;
  bool start_tag_open_ = false;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_XML_WRITER_H_
