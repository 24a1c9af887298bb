#include "service/method_table.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/time/clock.h"
#include "common/status_macros.h"

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

void MethodTable::AddEncodedEntry(const google::protobuf::MethodDescriptor* method,
                                  Scope required_scope, EncodedHandler encoded) {
  if (ElementsFieldOf(*method->output_type()) == nullptr) {
    // A wiring bug, not a runtime condition.
    std::fprintf(stderr, "MethodTable: %s cannot answer with encoded elements\n",
                 method->full_name().c_str());
    std::abort();
  }
  AddEntry(method, required_scope,
           [encoded](const CallContext& context, const google::protobuf::Message& request,
                     google::protobuf::Message* response, DoneCallback done) {
             auto answer = std::make_shared<EncodedResponse>();
             answer->message = response;
             EncodedResponse* out = answer.get();
             encoded(context, request, out,
                     [answer = std::move(answer), done = std::move(done)](absl::Status status) {
                       if (status.ok()) status = MergeElements(*answer);
                       done(std::move(status));
                     });
           });
  entries_.back()->encoded = std::move(encoded);
}

void MethodTable::AddStreamEntry(const google::protobuf::MethodDescriptor* method,
                                 Scope required_scope, StreamHandler handler) {
  auto entry = std::make_unique<StreamEntry>();
  entry->descriptor = method;
  entry->required_scope = required_scope;
  entry->handler = std::move(handler);
  streams_by_name_[method->full_name()] = entry.get();
  stream_entries_.push_back(std::move(entry));
}

const StreamEntry* MethodTable::FindStream(std::string_view full_name) const {
  auto it = streams_by_name_.find(absl::string_view(full_name.data(), full_name.size()));
  return it == streams_by_name_.end() ? nullptr : it->second;
}

std::vector<const StreamEntry*> MethodTable::StreamMethods() const {
  std::vector<const StreamEntry*> out;
  out.reserve(stream_entries_.size());
  for (const auto& entry : stream_entries_) out.push_back(entry.get());
  return out;
}

namespace {

// A caller that has stopped waiting gets no work done for it (a queue of
// calls behind a stall would otherwise all be served, to nobody).
absl::Status CheckDeadline(const CallContext& context) {
  if (absl::Now() < context.deadline) return absl::OkStatus();
  return absl::DeadlineExceededError("the call's deadline passed before it was served");
}

}  // namespace

absl::Status MethodTable::Admit(Scope required_scope, CallContext* context) const {
  RETURN_IF_ERROR(CheckDeadline(*context));
  // Every method needs a token: health and reflection are not in the table.
  absl::StatusOr<Principal> principal = authenticator_->Authenticate(context->metadata);
  if (!principal.ok()) return principal.status();
  context->principal = *std::move(principal);
  if (!context->principal.Has(required_scope)) {
    return absl::PermissionDeniedError("the token lacks the scope this method requires");
  }
  return CheckDeadline(*context);  // authentication may have waited for the token store
}

absl::StatusOr<std::shared_ptr<EventStream>> MethodTable::OpenStream(
    const StreamEntry& method, CallContext* context,
    const google::protobuf::Message& request) const {
  const absl::Time start = absl::Now();
  absl::Status status = Admit(method.required_scope, context);
  absl::StatusOr<std::shared_ptr<EventStream>> stream =
      status.ok() ? method.handler(*context, request) : status;
  if (!stream.ok()) StreamDone(method, *context, stream.status(), absl::Now() - start);
  return stream;
}

absl::Status MethodTable::RefuseStream(const StreamEntry& method, CallContext* context,
                                       absl::Status refusal) const {
  absl::Status status = Admit(method.required_scope, context);
  if (status.ok()) status = std::move(refusal);
  StreamDone(method, *context, status, absl::ZeroDuration());
  return status;
}

void MethodTable::StreamDone(const StreamEntry& method, const CallContext& context,
                             const absl::Status& status, absl::Duration elapsed) const {
  if (observer_ != nullptr) observer_->OnCallDone(*method.descriptor, context, status, elapsed);
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

DoneCallback MethodTable::Reported(const MethodEntry& method, const CallContext* context,
                                   DoneCallback done) const {
  return [observer = observer_, &method, context, start = absl::Now(),
          done = std::move(done)](absl::Status status) {
    if (status.ok() && context->hold_answer) status = context->hold_answer(context->principal);
    if (observer != nullptr) {
      observer->OnCallDone(*method.descriptor, *context, status, absl::Now() - start);
    }
    done(std::move(status));
  };
}

void MethodTable::Invoke(const MethodEntry& method, CallContext* context,
                         const google::protobuf::Message& request,
                         google::protobuf::Message* response, DoneCallback done) const {
  DoneCallback finish = Reported(method, context, std::move(done));
  if (absl::Status status = Admit(method.required_scope, context); !status.ok()) {
    finish(std::move(status));
    return;
  }
  method.handler(*context, request, response, std::move(finish));
}

void MethodTable::InvokeEncoded(const MethodEntry& method, CallContext* context,
                                const google::protobuf::Message& request, EncodedResponse* response,
                                DoneCallback done) const {
  DoneCallback finish = Reported(method, context, std::move(done));
  if (absl::Status status = Admit(method.required_scope, context); !status.ok()) {
    finish(std::move(status));
    return;
  }
  method.encoded(*context, request, response, std::move(finish));
}

void MethodTable::Refuse(const MethodEntry& method, CallContext* context, absl::Status refusal,
                         DoneCallback done) const {
  DoneCallback finish = Reported(method, context, std::move(done));
  absl::Status status = Admit(method.required_scope, context);
  finish(status.ok() ? std::move(refusal) : std::move(status));
}

}  // namespace sessions
