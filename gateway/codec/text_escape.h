// The one implementation of each string rule of the wire formats: JSON
// string escaping, ServiceStack JSV quoting and XML character data, for
// values (the writers' hot path) and for keys (field plans, error bodies).
//
//   std::string out;
//   AppendJsonString("a\"b", &out);  // "a\"b" with the quotes
//   AppendJsvString("a,b", &out);    // "a,b" quoted: ',' is special in JSV
//
// Pure functions; thread-safe.
#ifndef GATEWAY_CODEC_TEXT_ESCAPE_H_
#define GATEWAY_CODEC_TEXT_ESCAPE_H_

#include <string>
#include <string_view>

#include "gateway/codec/output_buffer.h"

namespace sessions::gateway {

// Appends `s` as a quoted, escaped JSON string: `"`, `\` and control
// characters are escaped (\n \r \t \b \f, others \u00XX); all other bytes,
// including non-ASCII UTF-8, are copied as they are. Scans 8 bytes at a
// time (measured: RapidJSON's per-character escaping made the JSON writer
// 2.6-4x a binary serialize; with this scan 1.5x, DESIGN.md).
void AppendJsonString(std::string_view s, OutputBuffer* out);
void AppendJsonString(std::string_view s, std::string* out);

// Appends `s` as ServiceStack's JSV writes a string: as it is, unless it is
// empty (`""`) or holds one of `"` `:` `,` `{` `}` `[` `]` CR LF; then in
// double quotes, with each `"` doubled.
void AppendJsvString(std::string_view s, OutputBuffer* out);
void AppendJsvString(std::string_view s, std::string* out);

// Appends `s` as XML 1.0 character data: `&`, `<`, `>` as entities, CR as
// `&#xD;` (a parser would turn a raw one into LF). Characters XML 1.0 cannot
// hold at all (C0 controls other than TAB, LF and CR; U+FFFE, U+FFFF) and
// bytes that are not UTF-8 become U+FFFD: .NET's XmlWriter refuses them
// (ServiceStack answers 500), a document that holds them parses nowhere.
void AppendXmlText(std::string_view s, std::string* out);

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_TEXT_ESCAPE_H_
