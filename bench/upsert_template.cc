#include "bench/upsert_template.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/sample/session_factory.h"
#include "voice/api/sessions/v1/ingest.pb.h"

namespace sessions::bench {

using ::sessions::sample::BaseTime;
using ::sessions::sample::FillSession;
using ::sessions::sample::IsoTime;
namespace {

namespace v1 = ::voice::api::sessions::v1;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "ingest_bench: %s\n", message.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

constexpr size_t kMillisAt = 20;  // the 3 digits after "2026-11-25T08:00:00."
// The log(4) message of update number n of a writer is UpdateMessage(n);
// the templates hold it with the digits replaced by '#' (same width).
constexpr char kUpdateMessagePlaceholder[] = "update ######### of this writer, member state";
constexpr size_t kUpdateDigitsAt = 7;  // offset of the 9 digits in the message
constexpr int kUpdateDigits = 9;
constexpr char kDatePlaceholder[] = "@@date_last_modified@@@@";
static_assert(sizeof(kDatePlaceholder) - 1 == kDateWidth);

// The offset of the only occurrence of `needle` in `haystack`, or npos.
size_t FindUnique(const std::string& haystack, absl::string_view needle) {
  const size_t at = haystack.find(needle.data(), 0, needle.size());
  if (at == std::string::npos) return at;
  if (haystack.find(needle.data(), at + 1, needle.size()) != std::string::npos) {
    return std::string::npos;
  }
  return at;
}

}  // namespace

const char* IsoClock::Format(absl::Time t) {
  const int64_t ms = absl::ToUnixMillis(t);  // floor, as %E3S truncates
  int64_t second = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --second;
  }
  if (second != second_) {
    const std::string whole = IsoTime(absl::FromUnixSeconds(second));
    if (whole.size() != kDateWidth) Die("unexpected IsoTime width: " + whole);
    whole.copy(text_, kDateWidth);
    second_ = second;
  }
  text_[kMillisAt] = static_cast<char>('0' + millis / 100);
  text_[kMillisAt + 1] = static_cast<char>('0' + millis / 10 % 10);
  text_[kMillisAt + 2] = static_cast<char>('0' + millis % 10);
  return text_;
}

SessionTemplate MakeTemplate(v1::SessionInfo* session) {
  if (session->log_size() <= 4) Die("session_factory sessions need 5 log entries");
  session->set_date_last_modified(kDatePlaceholder);
  session->mutable_log(4)->set_message(kUpdateMessagePlaceholder);
  v1::UpsertSessionRequest request;
  request.unsafe_arena_set_allocated_session(session);
  SessionTemplate t;
  const bool serialized = request.SerializeToString(&t.bytes);
  request.unsafe_arena_release_session();
  if (!serialized) Die("cannot serialize a session");
  t.date_at = FindUnique(t.bytes, kDatePlaceholder);
  const size_t message_at = FindUnique(t.bytes, kUpdateMessagePlaceholder);
  if (t.date_at == std::string::npos || message_at == std::string::npos) {
    Die("placeholders not found exactly once in a serialized session");
  }
  t.digits_at = message_at + kUpdateDigitsAt;
  return t;
}

char* Render(const SessionTemplate& t, const char* date, int64_t n, char* out) {
  std::memcpy(out, t.bytes.data(), t.bytes.size());
  std::memcpy(out + t.date_at, date, kDateWidth);
  char* digit = out + t.digits_at + kUpdateDigits;
  for (int i = 0; i < kUpdateDigits; ++i, n /= 10) *--digit = static_cast<char>('0' + n % 10);
  return out + t.bytes.size();
}

std::string UpdateMessage(int64_t n) {
  return absl::StrFormat("update %09d of this writer, member state", n);
}

void CheckRenderedRequest(const std::string& account) {
  IsoClock clock;
  const absl::Time now = absl::Now();
  for (absl::Time t : {now, BaseTime(), BaseTime() + absl::Milliseconds(7),
                       BaseTime() - absl::Milliseconds(1), now + absl::Milliseconds(999)}) {
    if (absl::string_view(clock.Format(t), kDateWidth) != IsoTime(t)) {
      Die("IsoClock differs from IsoTime for " + IsoTime(t));
    }
  }
  const int64_t n = 123456789;
  v1::SessionInfo expected;
  FillSession(account, "ing-check-000-000000", 7, BaseTime(), /*ended=*/false, &expected);
  v1::SessionInfo scratch = expected;
  const SessionTemplate t = MakeTemplate(&scratch);
  expected.set_date_last_modified(IsoTime(now));
  expected.mutable_log(4)->set_message(UpdateMessage(n));
  std::string rendered(t.bytes.size(), '\0');
  Render(t, clock.Format(now), n, rendered.data());
  v1::UpsertSessionRequest parsed;
  if (!parsed.ParseFromString(rendered)) Die("rendered request does not parse");
  auto deterministic = [](const google::protobuf::MessageLite& m) {
    std::string out;
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
    coded.Trim();
    return out;
  };
  if (deterministic(parsed.session()) != deterministic(expected)) {
    Die("rendered request differs from the protobuf-built one");
  }
}

}  // namespace sessions::bench
