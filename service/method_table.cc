#include "service/method_table.h"

#include <utility>

#include "absl/time/clock.h"

namespace sessions {

MethodTable::MethodTable(Authenticator* authenticator, CallObserver* observer)
    : authenticator_(authenticator), observer_(observer) {}

void MethodTable::AddEntry(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                           AsyncHandler handler) {
  auto entry = std::make_unique<MethodEntry>();
  entry->descriptor = method;
  entry->required_scope = required_scope;
  entry->handler = std::move(handler);
  by_name_[method->full_name()] = entry.get();
  entries_.push_back(std::move(entry));
}

const MethodEntry* MethodTable::Find(std::string_view full_name) const {
  auto it = by_name_.find(absl::string_view(full_name.data(), full_name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<const MethodEntry*> MethodTable::Methods() const {
  std::vector<const MethodEntry*> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) out.push_back(entry.get());
  return out;
}

void MethodTable::Invoke(const MethodEntry& method, CallContext* context,
                         const google::protobuf::Message& request,
                         google::protobuf::Message* response, DoneCallback done) const {
  const absl::Time start = absl::Now();
  CallObserver* observer = observer_;
  auto finish = [observer, &method, context, start, done = std::move(done)](absl::Status status) {
    if (observer != nullptr) {
      observer->OnCallDone(*method.descriptor, *context, status, absl::Now() - start);
    }
    done(std::move(status));
  };

  // Every method needs a token: health and reflection are not in the table.
  absl::StatusOr<Principal> principal = authenticator_->Authenticate(context->metadata);
  if (!principal.ok()) {
    finish(principal.status());
    return;
  }
  context->principal = *std::move(principal);
  if (!context->principal.Has(method.required_scope)) {
    finish(absl::PermissionDeniedError("the token lacks the scope this method requires"));
    return;
  }
  method.handler(*context, request, response, std::move(finish));
}

}  // namespace sessions
