#include "gateway/http/http_metadata.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace sessions::gateway {

std::optional<std::string_view> HttpMetadata::Get(std::string_view key) const {
  if (key != "authorization") {
    auto prefixed =
        request_->find(absl::StrCat("grpc-metadata-", absl::string_view(key.data(), key.size())));
    if (prefixed != request_->end()) {
      return std::string_view(prefixed->value().data(), prefixed->value().size());
    }
  }
  auto it = request_->find(boost::beast::string_view(key.data(), key.size()));
  if (it == request_->end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

}  // namespace sessions::gateway
