// Micro-benchmark of the REST gateway's response writers against protobuf's
// binary serializer, on a realistic GetActiveSessionsResponse (50 sessions
// of storage/sample/session_factory.h, ~2 KB each).
//
// Prints µs/call (median of several repetitions) and the ratio to
// SerializeToString measured in the same run for: JsonWriter, JsvWriter
// (each also with the field-layout fast path off: field_plan.h) and
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

#include "gateway/codec/field_plan.h"
#include "gateway/codec/json_writer.h"
#include "gateway/codec/jsv_writer.h"
#include "google/protobuf/util/json_util.h"
#include "storage/sample/session_factory.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace {

using voice::api::app::portal::v1::GetActiveSessionsResponse;
using voice::api::sessions::v1::SessionInfo;

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
  for (int i = 0; i < sessions; ++i) {
    sessions::sample::FillSession(sessions::sample::AccountId(1), "sess-" + std::to_string(i), i,
                                  sessions::sample::BaseTime() + absl::Seconds(i), /*ended=*/false,
                                  response.add_sessions());
  }

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
    bool minus_copy = false;     // Subtract the CopyFrom time measured alongside.
    bool fast_path_off = false;  // The writers read fields by Reflection only.
  };
  const std::function<void()> write_json = [&] {
    json.clear();
    sessions::gateway::JsonWriter::Write(response, &json);
  };
  const std::function<void()> write_jsv = [&] {
    jsv.clear();
    sessions::gateway::JsvWriter::Write(response, &jsv);
  };
  const std::vector<Row> rows = {
      {"SerializeToString", serialize},
      {"JsonWriter::Write", write_json},
      {"JsvWriter::Write", write_jsv},
      {"JsonWriter::Write, layout fast path off", write_json, false, true},
      {"JsvWriter::Write, layout fast path off", write_jsv, false, true},
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
    sessions::gateway::SetFastAccessEnabledForTesting(!row.fast_path_off);
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
    sessions::gateway::SetFastAccessEnabledForTesting(true);
  }
  return 0;
}
