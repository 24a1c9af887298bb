// Request bodies are the largest thing a client controls: any bytes merge
// into an UpsertSessionRequest or are refused with INVALID_ARGUMENT, never
// crash, and nothing is left half-parsed in a way serialization rejects.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "gateway/codec/field_index.h"
#include "gateway/codec/json_body_parser.h"
#include "voice/api/sessions/v1/ingest.pb.h"

using ::voice::api::sessions::v1::UpsertSessionRequest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sessions::gateway::FieldIndex* const index =
      new sessions::gateway::FieldIndex(UpsertSessionRequest::descriptor());
  const absl::string_view body(reinterpret_cast<const char*>(data), size);
  UpsertSessionRequest request;
  absl::Status status = sessions::gateway::MergeJsonBody(body, "*", *index, &request);
  if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument) std::abort();
  std::string bytes;
  if (!request.SerializeToString(&bytes)) std::abort();
  return 0;
}
