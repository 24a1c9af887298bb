// CsvWriter: writes a response the way ServiceStack's CSV format does
// (ServiceStack.Text CsvSerializer / CsvWriter<T>), the body of the REST
// gateway's `text/csv` answers: the table is the response's first field that
// holds a list or a message (a list: one row per element; a message: one
// row), or the response itself when it has none. The header row names the
// row type's fields by their C# names (SnakeToPascal: "CallState"); a
// string cell is the string as it is, any other cell its JSV value
// (JsvWriter: enums by C# name, booleans True/False, nested lists and
// messages as JSV), an omitted field an empty cell. Cells holding `"`, `,`,
// CR or LF are quoted, `"` doubled (RFC 4180); rows end in CRLF. A list of
// scalars is one row of its values without a header.
//
// Thread safety: all functions are thread-safe.
#ifndef GATEWAY_CODEC_CSV_WRITER_H_
#define GATEWAY_CODEC_CSV_WRITER_H_

#include <string>

#include "google/protobuf/message.h"

namespace sessions::gateway {

// Usage:
//   std::string body;
//   CsvWriter::Write(response, &body);
class CsvWriter {
 public:
  // Appends the CSV form of `response` to `*out` (not owned).
  static void Write(const google::protobuf::Message& response, std::string* out);
};

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_CSV_WRITER_H_
