// The writes a telephony platform sends while its calls live: the request
// stream of ingest_bench's realistic mix. Every session goes through
//
//   new (ringing) -> answered -> log entry -> agent joins -> on hold ->
//   log entry -> off hold -> agent leaves -> ended
//
// nine writes: one new session, three upserts that change its state, two
// log appends, two member changes, one end. A lifecycle keeps `active`
// sessions open and advances them round robin, so their stages interleave
// as concurrent calls do; an ended session is replaced by a new one whose
// id was never used (ids are "<prefix>-<n>", n counting up).
//
// Whole-session upserts carry what the member and log writes added (the
// session as the platform knows it), and every upsert of a session is dated
// later than its previous one; a write the store still finds stale is
// counted as such by the caller.
//
// Not thread-safe: one per writer.
#ifndef BENCH_SESSION_LIFECYCLE_H_
#define BENCH_SESSION_LIFECYCLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::bench {

enum class WriteKind { kNewSession, kStateChange, kLogAppend, kMemberUpsert, kMemberRemove, kEnd };

// One write: the SessionIngestService method (its gRPC path) and the
// serialized request.
struct LifecycleWrite {
  WriteKind kind = WriteKind::kNewSession;
  const char* method = nullptr;
  std::string request;
};

class SessionLifecycle {
 public:
  // Sessions of `account`, ids "<id_prefix>-<n>"; `seed` varies their content.
  SessionLifecycle(std::string account, std::string id_prefix, int active, int64_t seed);

  // The next write, dated `now`.
  void Next(absl::Time now, LifecycleWrite* out);

  // Stages per session (writes per session life).
  static constexpr int kStages = 9;

 private:
  struct Live {
    voice::api::sessions::v1::SessionInfo session;
    int stage = 0;
    absl::Time last_dated = absl::InfinitePast();
  };

  void Upsert(Live* live, absl::Time now, WriteKind kind, LifecycleWrite* out);

  const std::string account_;
  const std::string id_prefix_;
  const int64_t seed_;
  std::vector<Live> live_;
  size_t next_ = 0;
  int64_t created_ = 0;
};

}  // namespace sessions::bench

#endif  // BENCH_SESSION_LIFECYCLE_H_
