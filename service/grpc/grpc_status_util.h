// Converts the project's absl::Status into grpc::Status at the gRPC edge.
#ifndef SERVICE_GRPC_GRPC_STATUS_UTIL_H_
#define SERVICE_GRPC_GRPC_STATUS_UTIL_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace sessions {

// Maps the code one-to-one (the canonical codes are shared) and keeps the
// message. Messages are client-safe by construction: the storage edge never
// puts SQL, paths or tokens into statuses.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace sessions

#endif  // SERVICE_GRPC_GRPC_STATUS_UTIL_H_
