#include "storage/postgres/pg_connection.h"

#include <endian.h>
#include <poll.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace sessions {

absl::string_view PgResult::Value(int row, int col) const {
  return absl::string_view(PQgetvalue(result_.get(), row, col),
                           static_cast<size_t>(PQgetlength(result_.get(), row, col)));
}

int64_t PgResult::Int64(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const absl::string_view v = Value(row, col);
  if (PQfformat(result_.get(), col) == 1) {
    switch (v.size()) {
      case 1:
        return static_cast<unsigned char>(v[0]);
      case 2: {
        uint16_t n;
        std::memcpy(&n, v.data(), 2);
        return static_cast<int16_t>(be16toh(n));
      }
      case 4: {
        uint32_t n;
        std::memcpy(&n, v.data(), 4);
        return static_cast<int32_t>(be32toh(n));
      }
      case 8: {
        uint64_t n;
        std::memcpy(&n, v.data(), 8);
        return static_cast<int64_t>(be64toh(n));
      }
      default:
        return 0;
    }
  }
  if (v == "t") return 1;
  if (v == "f") return 0;
  int64_t n = 0;
  return absl::SimpleAtoi(v, &n) ? n : 0;
}

bool PgResult::Bool(int row, int col) const { return Int64(row, col) != 0; }

int64_t PgResult::Affected() const {
  int64_t n = 0;
  return absl::SimpleAtoi(PQcmdTuples(result_.get()), &n) ? n : 0;
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& dsn) {
  PGconn* raw = PQconnectdb(dsn.c_str());
  auto conn = std::unique_ptr<PgConnection>(new PgConnection(raw));
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
    std::fprintf(stderr, "storage: connect to PostgreSQL failed: %s",
                 raw == nullptr ? "out of memory\n" : PQerrorMessage(raw));
    return absl::UnavailableError("storage: cannot connect to PostgreSQL");
  }
  // Server NOTICEs ("relation ... already exists, skipping") are chatter,
  // not errors: errors come back in results. libpq prints them to stderr
  // by default.
  PQsetNoticeProcessor(
      raw, [](void*, const char*) {}, nullptr);
  return conn;
}

bool PgConnection::StillConnected() {
  if (!ok()) return false;
  pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
  if (::poll(&fd, 1, 0) <= 0) return true;  // nothing arrived while idle
  // Something did. Between statements a server sends nothing unasked but
  // its goodbye ("terminating connection ...", then EOF) or, rarely, a
  // notice: either way the connection is not worth a failed call.
  broken_ = true;
  return false;
}

absl::StatusOr<PgResult> PgConnection::Exec(absl::string_view what, const char* sql,
                                            const std::vector<PgParam>& params,
                                            PgResultFormat format) {
  // Text values go NUL-terminated (libpq reads them up to the NUL; a
  // string_view need not have one); bytes go as binary with their length.
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const PgParam& p = params[i];
    if (p.null) {
      values[i] = nullptr;
    } else if (p.binary) {
      values[i] = p.value.data();
      lengths[i] = static_cast<int>(p.value.size());
      formats[i] = 1;
    } else {
      // libpq would read such a value only up to the NUL: a silently
      // shortened id. (PostgreSQL text cannot hold one anyway.)
      if (p.value.find('\0') != absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("storage: ", what, ": text contains a NUL character"));
      }
      texts[i] = std::string(p.value);
      values[i] = texts[i].c_str();
    }
  }
  const int n = static_cast<int>(params.size());
  auto prepared = prepared_.find(absl::string_view(sql));
  if (prepared == prepared_.end() && prepared_.size() < kMaxPrepared) {
    std::string name = absl::StrCat("s", prepared_.size());
    PgResult made(PQprepare(conn_.get(), name.c_str(), sql, n, /*paramTypes=*/nullptr));
    RETURN_IF_ERROR(Check(made.raw(), what));
    prepared = prepared_.emplace(sql, std::move(name)).first;
  }
  PGresult* raw = prepared != prepared_.end()
                      ? PQexecPrepared(conn_.get(), prepared->second.c_str(), n, values.data(),
                                       lengths.data(), formats.data(), static_cast<int>(format))
                      : PQexecParams(conn_.get(), sql, n, /*paramTypes=*/nullptr, values.data(),
                                     lengths.data(), formats.data(), static_cast<int>(format));
  PgResult result(raw);
  RETURN_IF_ERROR(Check(raw, what));
  return result;
}

absl::Status PgConnection::ExecScript(absl::string_view what, const char* sql) {
  // PQexec stops at the first failing statement and returns its result.
  PgResult result(PQexec(conn_.get(), sql));
  return Check(result.raw(), what);
}

absl::Status PgConnection::Check(const PGresult* result, absl::string_view what) {
  const ExecStatusType outcome = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (outcome == PGRES_TUPLES_OK || outcome == PGRES_COMMAND_OK) return absl::OkStatus();
  absl::Status status = PgErrorToStatus(conn_.get(), result, what);
  if (absl::IsUnavailable(status)) broken_ = true;
  return status;
}

absl::Status PgErrorToStatus(PGconn* conn, const PGresult* result, absl::string_view what) {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  // The primary message only: DETAIL and CONTEXT may quote row values.
  const char* primary =
      result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const char* message = primary != nullptr ? primary : PQerrorMessage(conn);
  std::fprintf(stderr, "storage: %.*s failed: sqlstate %s: %s\n", static_cast<int>(what.size()),
               what.data(), state == nullptr ? "none" : state, message);
  const absl::string_view code = state == nullptr ? "" : state;
  if (code == "23505") {
    return absl::AlreadyExistsError(absl::StrCat("storage: ", what, ": already exists"));
  }
  if (code == "40001" || code == "40P01") {
    return absl::AbortedError(absl::StrCat("storage: ", what, ": conflict, retry"));
  }
  if (code == "53100") {
    return absl::ResourceExhaustedError(absl::StrCat("storage: ", what, ": disk is full"));
  }
  if (code.empty() || absl::StartsWith(code, "08") || code == "57P01" ||
      PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("storage: ", what, ": database unavailable"));
  }
  return absl::InternalError(absl::StrCat("storage: ", what, " failed"));
}

}  // namespace sessions
