// The JSON and JSV writers on arbitrary messages (whatever parses as a
// SessionInfo): they never crash, and the JSON they write parses back, with
// the gateway's own body parser, to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gateway/codec/field_index.h"
#include "gateway/codec/json_body_parser.h"
#include "gateway/codec/json_writer.h"
#include "gateway/codec/jsv_writer.h"
#include "google/protobuf/util/message_differencer.h"
#include "voice/api/sessions/v1/sessions.pb.h"

using ::voice::api::sessions::v1::SessionInfo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SessionInfo session;
  if (!session.ParseFromArray(data, static_cast<int>(size))) return 0;
  session.DiscardUnknownFields();  // not part of the JSON API
  std::string jsv;
  sessions::gateway::JsvWriter::Write(session, &jsv);
  std::string json;
  sessions::gateway::JsonWriter::Write(session, &json);
  static const sessions::gateway::FieldIndex* const index =
      new sessions::gateway::FieldIndex(SessionInfo::descriptor());
  SessionInfo parsed;
  absl::Status status = sessions::gateway::MergeJsonBody(json, "*", *index, &parsed);
  if (!status.ok() || !google::protobuf::util::MessageDifferencer::Equals(session, parsed)) {
    std::fprintf(stderr, "JSON does not round-trip (%s):\n%s\n", status.ToString().c_str(),
                 json.c_str());
    std::abort();
  }
  return 0;
}
