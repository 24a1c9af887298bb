// Micro-benchmark of the REST gateway's response writers against protobuf's
// binary serializer, on a realistic GetActiveSessionsResponse (50 sessions).
//
// Prints µs/call (median of several repetitions) and the ratio to
// SerializeToString measured in the same run for: JsonWriter, JsvWriter and
// google::protobuf::util::MessageToJsonString. Goal: JsonWriter <= 2.5x
// serialize. Run pinned, with -c opt:
//   bazel run -c opt //bench:json_encode_bench -- [sessions] [reps] [profile]
//   (or taskset -c 1 bazel-bin/bench/json_encode_bench)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "gateway/codec/json_writer.h"
#include "gateway/codec/jsv_writer.h"
#include "google/protobuf/util/json_util.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace {

using voice::api::app::portal::v1::GetActiveSessionsResponse;
using voice::api::sessions::v1::SessionInfo;

// A fixed-width string: `prefix` padded with digits of `n` to `width` chars.
std::string Text(const std::string& prefix, int n, size_t width) {
  std::string s = prefix + std::to_string(n);
  while (s.size() < width) s += static_cast<char>('a' + (s.size() + n) % 26);
  return s.substr(0, width);
}

std::string Date(int n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "2026-11-25T%02d:%02d:%02d.%03dZ", n % 24, n % 60, (n * 7) % 60,
                n % 1000);
  return buf;
}

void FillSession(int i, SessionInfo* s) {
  s->set_dial_state(voice::api::sessions::v1::SESSION_DIAL_STATE_ACTIVE);
  s->set_call_state(voice::api::sessions::v1::SESSION_CALL_STATE_CONNECTED);
  s->set_queue_state(voice::api::sessions::v1::SESSION_QUEUE_STATES_CONNECTED);
  s->set_account_id(Text("acc", i, 24));
  s->set_account_name(Text("Account ", i, 20));
  s->set_customer_id(Text("cus", i, 24));
  for (int b = 0; b < 2; ++b) {
    auto* crumb = s->add_customer_breadcrumb();
    crumb->set_id(Text("cus", i * 10 + b, 24));
    crumb->set_name(Text("Customer ", b, 20));
  }
  s->set_customer_name(Text("Customer ", i, 20));
  s->set_endpoint_id(Text("end", i, 24));
  s->set_endpoint_name(Text("Endpoint ", i, 20));
  s->set_destination("+1555" + std::to_string(1000000 + i));
  s->set_to_address("+1555" + std::to_string(2000000 + i));
  s->set_from_address("+1555" + std::to_string(3000000 + i));
  s->set_from_name(Text("Caller ", i, 20));
  s->set_answered_by_name(Text("Agent ", i, 20));
  s->set_queue_member_id(Text("qm", i, 24));
  s->set_channel(voice::api::flows::v1::FLOW_CHANNELS_VOICE);
  s->set_call_sid(Text("CA", i, 34));
  s->set_hold_queue_name(Text("Queue ", i, 20));
  s->set_display_name(Text("Session ", i, 20));
  for (int l = 0; l < 5; ++l) {
    auto* log = s->add_log();
    log->set_date(Date(i + l));
    log->set_message(Text("Call event: routed to \"queue\" and rang ", l, 60));
  }
  for (int m = 0; m < 3; ++m) {
    auto* member = s->add_members();
    member->set_identity(Text("usr", i * 3 + m, 24));
    member->set_endpoint_id(Text("end", i * 3 + m, 24));
    member->set_display_name(Text("Member ", m, 20));
    member->set_is_original_member(m == 0);
    member->set_avatar_url("https://cdn.example.com/avatars/" + Text("a", m, 24));
    auto& data = *member->mutable_application_data();
    data["role"] = Text("role", m, 12);
    data["team"] = Text("team", m, 16);
    data["skill"] = Text("skill", m, 20);
    member->set_call_state(voice::api::sessions::v1::SESSION_MEMBER_CALL_STATE_CONNECTED);
    member->set_role(voice::api::sessions::v1::SESSION_MEMBER_ROLES_AGENT);
    member->set_call_sid(Text("CA", i * 3 + m, 34));
  }
  s->set_callback_number("+1555" + std::to_string(4000000 + i));
  s->set_answered_by_id(Text("end", i + 500, 24));
  s->set_from_phone_number("+1555" + std::to_string(3000000 + i));
  s->set_ring_queue_id(Text("rq", i, 24));
  s->set_id(Text("ses", i, 24));
  s->set_date_created(Date(i));
  s->set_date_last_modified(Date(i + 1));
  s->set_created_by(Text("usr", i, 24));
  s->set_last_modified_by(Text("usr", i + 1, 24));
}

// Returns the µs per call of one timed batch of `calls` calls of `fn`.
double BatchMicros(const std::function<void()>& fn, int calls) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) fn();
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::micro>(t1 - t0).count() / calls;
}

// Returns how many calls of `fn` take about 0.1 s (after warming it up).
int CallsPerBatch(const std::function<void()>& fn) {
  const double us = BatchMicros(fn, 20);
  return std::max(10, static_cast<int>(1e5 / std::max(us, 0.01)));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int sessions = argc > 1 ? std::atoi(argv[1]) : 50;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 7;
  GetActiveSessionsResponse response;
  for (int i = 0; i < sessions; ++i) FillSession(i, response.add_sessions());

  std::string binary, json, jsv, util_json;
  response.SerializeToString(&binary);
  sessions::gateway::JsonWriter::Write(response, &json);
  sessions::gateway::JsvWriter::Write(response, &jsv);
  (void)google::protobuf::util::MessageToJsonString(response, &util_json);
  std::printf(
      "%d sessions: binary %zu B, JsonWriter %zu B, JsvWriter %zu B, "
      "MessageToJsonString %zu B; median of %d reps\n",
      sessions, binary.size(), json.size(), jsv.size(), util_json.size(), reps);

  if (argc > 3 && std::string(argv[3]) == "profile") {  // For perf record.
    for (int i = 0; i < 20000; ++i) {
      json.clear();
      sessions::gateway::JsonWriter::Write(response, &json);
    }
    return 0;
  }
  GetActiveSessionsResponse copy;
  const std::function<void()> serialize = [&] { response.SerializeToString(&binary); };
  const std::function<void()> copy_only = [&] { copy.CopyFrom(response); };
  struct Row {
    const char* name;
    std::function<void()> fn;
    bool minus_copy = false;  // Subtract the CopyFrom time measured alongside.
  };
  const std::vector<Row> rows = {
      {"SerializeToString", serialize},
      {"JsonWriter::Write",
       [&] {
         json.clear();
         sessions::gateway::JsonWriter::Write(response, &json);
       }},
      {"JsvWriter::Write",
       [&] {
         jsv.clear();
         sessions::gateway::JsvWriter::Write(response, &jsv);
       }},
      {"util::MessageToJsonString",
       [&] {
         util_json.clear();
         (void)google::protobuf::util::MessageToJsonString(response, &util_json);
       }},
      {"JsonWriter, fresh message (CopyFrom+Write - CopyFrom)",
       [&] {
         copy.CopyFrom(response);
         json.clear();
         sessions::gateway::JsonWriter::Write(copy, &json);
       },
       true},
  };
  // Each repetition times a batch of serialize right before a batch of the
  // row, so the ratio is taken under the same machine load.
  std::printf("%-56s %10s %12s\n", "operation", "us/call", "x serialize");
  const int serialize_calls = CallsPerBatch(serialize);
  const int copy_calls = CallsPerBatch(copy_only);
  for (const Row& row : rows) {
    const int calls = CallsPerBatch(row.fn);
    std::vector<double> micros, ratios;
    for (int r = 0; r < reps; ++r) {
      const double base = BatchMicros(serialize, serialize_calls);
      double us = BatchMicros(row.fn, calls);
      if (row.minus_copy) us -= BatchMicros(copy_only, copy_calls);
      micros.push_back(us);
      ratios.push_back(us / base);
    }
    std::printf("%-56s %10.1f %12.2f\n", row.name, Median(micros), Median(ratios));
  }
  return 0;
}
