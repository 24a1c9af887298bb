#include "service/handlers/portal_handler.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/field_error.h"
#include "common/status_macros.h"
#include "service/auth/authorization.h"
#include "service/handlers/portal_filter.h"
#include "service/page_token.h"

namespace sessions {
namespace {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;

absl::Status BuildQuery(const CallContext& context, const GetActiveSessionsRequest& request,
                        ActiveSessionsQuery* query) {
  ASSIGN_OR_RETURN(PortalFilter filter,
                   ResolvePortalFilter(context.principal, request.account_id(),
                                       request.customer_id(), request.start_date()));
  query->account_id = std::move(filter.account_id);
  query->customer_id = std::move(filter.customer_id);
  query->within_customer_id = context.principal.customer_id;
  query->created_at_or_after = filter.created_from;
  if (request.page_size() < 0) {
    return FieldError("page_size", "must not be negative");
  }
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(PageCursor cursor, DecodePageToken(request.page_token()));
    query->after_created = cursor.created;
    query->after_id = std::move(cursor.id);
  }
  int limit = request.page_size();
  if (context.transport == Transport::kGrpc && limit == 0) limit = PortalHandler::kMaxPageSize;
  if (limit > 0) {
    // One extra row tells whether another page follows.
    query->limit = std::min(limit, PortalHandler::kMaxPageSize) + 1;
  }
  return absl::OkStatus();
}

// Drops sessions past the page limit or the gRPC byte budget and sets the
// continuation token when anything was dropped.
void TrimToPage(const CallContext& context, const ActiveSessionsQuery& query,
                std::vector<ViewEntryPtr>* page, GetActiveSessionsResponse* response) {
  size_t keep = page->size();
  if (query.limit > 0) keep = std::min(keep, static_cast<size_t>(query.limit - 1));
  if (context.transport == Transport::kGrpc) {
    size_t bytes = 0;
    for (size_t i = 0; i < keep; ++i) {
      bytes += (*page)[i]->data.size() + 8;  // + tag and length
      if (bytes > PortalHandler::kMaxGrpcResponseBytes) {
        keep = std::max<size_t>(i, 1);
        break;
      }
    }
  }
  if (keep >= page->size()) return;
  page->resize(keep);
  const ViewEntry& last = *page->back();
  response->set_next_page_token(EncodePageToken({absl::FromUnixMicros(last.created_us), last.id}));
}

}  // namespace

void PortalHandler::GetActiveSessions(const CallContext& context,
                                      const GetActiveSessionsRequest& request,
                                      EncodedResponse* response, DoneCallback done) {
  ActiveSessionsQuery query;
  if (absl::Status built = BuildQuery(context, request, &query); !built.ok()) return done(built);
  const int64_t min_revision = request.min_revision();
  if (min_revision < 0) return done(FieldError("min_revision", "must not be negative"));
  if (min_revision == 0) return done(Answer(context, query, response));
  // Waits without holding a transport thread (the call's objects live until
  // `done`).
  view_->WhenApplied(min_revision, std::min(context.deadline, absl::Now() + kMaxRevisionWait),
                     [this, &context, query = std::move(query), response, min_revision,
                      done = std::move(done)](bool reached) {
                       if (!reached) {
                         return done(absl::DeadlineExceededError(
                             absl::StrCat("min_revision: the view is at revision ",
                                          view_->revision(), ", not yet at ", min_revision)));
                       }
                       done(Answer(context, query, response));
                     });
}

absl::Status PortalHandler::Answer(const CallContext& context, const ActiveSessionsQuery& query,
                                   EncodedResponse* response) const {
  std::vector<ViewEntryPtr> page;
  ASSIGN_OR_RETURN(const int64_t revision, view_->ListEntries(query, &page));
  auto* message = static_cast<GetActiveSessionsResponse*>(response->message);
  message->set_revision(revision);
  TrimToPage(context, query, &page, message);
  response->elements.reserve(response->elements.size() + page.size());
  for (ViewEntryPtr& entry : page) response->elements.push_back(std::move(entry));
  return absl::OkStatus();
}

void PortalHandler::RegisterIn(MethodTable* table) {
  table->RegisterEncoded<GetActiveSessionsRequest, GetActiveSessionsResponse>(
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          "voice.api.app.portal.v1.PortalService.GetActiveSessions"),
      Scope::kSessionsRead,
      [this](const CallContext& context, const GetActiveSessionsRequest& request,
             EncodedResponse* response, DoneCallback done) {
        GetActiveSessions(context, request, response, std::move(done));
      });
}

}  // namespace sessions
