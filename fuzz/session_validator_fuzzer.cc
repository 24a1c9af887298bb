// Ingest validation on mutated protobufs (unknown fields included): any
// bytes that parse as an UpsertSessionRequest are accepted or refused with
// INVALID_ARGUMENT, never crash, and what is accepted is within the limits
// the store relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/time/time.h"
#include "service/session_validator.h"
#include "voice/api/sessions/v1/ingest.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  voice::api::sessions::v1::UpsertSessionRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  static const sessions::SessionValidator validator;
  const absl::Time now = absl::FromUnixSeconds(1795000000);
  absl::Status status = validator.ValidateSession(request.session(), "session", now);
  if (status.ok()) {
    if (request.session().ByteSizeLong() > validator.limits().max_session_bytes) std::abort();
    if (!request.session().GetReflection()->GetUnknownFields(request.session()).empty()) {
      std::abort();
    }
  } else if (status.code() != absl::StatusCode::kInvalidArgument) {
    std::abort();
  }
  return 0;
}
