#include "gateway/codec/xml_writer.h"

#include "absl/strings/str_cat.h"
#include "gateway/codec/text_escape.h"

namespace sessions::gateway {
namespace {

// Debian's Abseil has its own string_view class (not std::string_view).
absl::string_view A(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr char kInstanceNamespace[] = "http://www.w3.org/2001/XMLSchema-instance";

}  // namespace

void XmlWriter::StartDocument(std::string_view name, std::string_view ns) {
  Frame frame;
  frame.qualified_name = std::string(name);
  frame.default_ns = std::string(ns);
  absl::StrAppend(out_, "<?xml version=\"1.0\" encoding=\"utf-8\"?><", A(name), " xmlns:i=\"",
                  kInstanceNamespace, "\" xmlns=\"");
  AppendXmlText(ns, out_);
  out_->push_back('"');
  frames_.push_back(std::move(frame));
  start_tag_open_ = true;
}

bool XmlWriter::Lookup(std::string_view ns, std::string* prefix) const {
  if (!frames_.empty() && frames_.back().default_ns == ns) {
    prefix->clear();
    return true;
  }
  for (auto frame = frames_.rbegin(); frame != frames_.rend(); ++frame) {
    for (const auto& [p, bound] : frame->prefixes) {
      if (bound == ns) {
        *prefix = p;
        return true;
      }
    }
  }
  return false;
}

std::string XmlWriter::Declare(std::string_view ns, Frame* frame, std::string* declarations) {
  std::string prefix = absl::StrCat("d", frames_.size() + 1, "p", frame->prefixes.size() + 1);
  absl::StrAppend(declarations, " xmlns:", prefix, "=\"");
  AppendXmlText(ns, declarations);
  declarations->push_back('"');
  frame->prefixes.emplace_back(prefix, std::string(ns));
  return prefix;
}

void XmlWriter::Start(std::string_view name, std::string_view ns, std::string_view child_ns) {
  CloseStartTag();
  Frame frame;
  frame.default_ns = frames_.empty() ? std::string() : frames_.back().default_ns;
  std::string declarations;
  std::string prefix;
  if (!Lookup(ns, &prefix)) prefix = Declare(ns, &frame, &declarations);
  std::string unused;
  if (!child_ns.empty() && child_ns != ns && !Lookup(child_ns, &unused)) {
    Declare(child_ns, &frame, &declarations);
  }
  frame.qualified_name = prefix.empty() ? std::string(name) : absl::StrCat(prefix, ":", A(name));
  absl::StrAppend(out_, "<", frame.qualified_name, declarations);
  frames_.push_back(std::move(frame));
  start_tag_open_ = true;
}

void XmlWriter::Nil() {
  if (start_tag_open_) out_->append(" i:nil=\"true\"");
}

void XmlWriter::CloseStartTag() {
  if (!start_tag_open_) return;
  out_->push_back('>');
  start_tag_open_ = false;
}

void XmlWriter::Text(std::string_view text) {
  CloseStartTag();
  AppendXmlText(text, out_);
}

void XmlWriter::End() {
  if (frames_.empty()) return;
  if (start_tag_open_) {
    out_->append(" />");
    start_tag_open_ = false;
  } else {
    absl::StrAppend(out_, "</", frames_.back().qualified_name, ">");
  }
  frames_.pop_back();
}

}  // namespace sessions::gateway
