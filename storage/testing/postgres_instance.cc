#include "storage/testing/postgres_instance.h"

#include <fcntl.h>
#include <grp.h>
#include <postgresql/libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sessions {
namespace testutil {
namespace {

constexpr char kServerUser[] = "postgres";

// The superuser's connection string for `database` over the socket in `dir`.
std::string DsnFor(const std::string& dir, const std::string& database) {
  return absl::StrCat("host=", dir, " user=", kServerUser, " dbname=", database,
                      " connect_timeout=30");
}

std::string LogPath(const std::string& dir) { return dir + "/server.log"; }

std::string LogTail(const std::string& dir) {
  std::ifstream in(LogPath(dir));
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

PostgresInstance::PostgresInstance(std::string bin_dir, std::string dir)
    : bin_dir_(std::move(bin_dir)), dir_(std::move(dir)), dsn_(DsnFor(dir_, "postgres")) {}

absl::StatusOr<std::unique_ptr<PostgresInstance>> PostgresInstance::Start(
    const std::string& bin_dir) {
  if (access((bin_dir + "/initdb").c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("no PostgreSQL server programs in ", bin_dir,
                     " (apt-get install postgresql-15, or run tools/install_deps.sh)"));
  }
  // Under /tmp, not $TEST_TMPDIR: the server user must be able to reach the
  // directory, and Bazel's output tree sits under root's home (mode 700).
  // Short, too: a Unix socket path is limited to 107 bytes.
  char pattern[] = "/tmp/pgtest.XXXXXX";
  if (mkdtemp(pattern) == nullptr) return absl::InternalError("mkdtemp failed");
  auto instance = std::unique_ptr<PostgresInstance>(new PostgresInstance(bin_dir, pattern));
  if (geteuid() == 0) {
    const passwd* user = getpwnam(kServerUser);
    if (user == nullptr) {
      return absl::FailedPreconditionError(
          "running as root and there is no `postgres` user to run PostgreSQL as "
          "(apt-get install postgresql-15 creates it)");
    }
    if (chown(pattern, user->pw_uid, user->pw_gid) != 0) {
      return absl::InternalError(absl::StrCat("cannot chown ", pattern));
    }
  }
  if (absl::Status s = instance->Run("initdb", {"-D", instance->dir_ + "/data", "-U", kServerUser,
                                                "-A", "trust", "-E", "UTF8", "--no-sync"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = instance->StartServer(); !s.ok()) return s;
  instance->running_ = true;
  return instance;
}

PostgresInstance::~PostgresInstance() {
  if (running_) {
    (void)Run("pg_ctl", {"-D", dir_ + "/data", "-m", "fast", "-w", "-t", "120", "stop"});
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

PostgresInstance& SharedPostgresInstance() {
  static PostgresInstance* const server = [] {
    absl::StatusOr<std::unique_ptr<PostgresInstance>> pg = PostgresInstance::Start();
    if (!pg.ok()) {
      std::fprintf(stderr, "cannot start PostgreSQL for the tests: %s\n",
                   std::string(pg.status().message()).c_str());
      std::abort();
    }
    return pg->release();
  }();
  // Stopped (and its directory deleted) at exit.
  static const std::unique_ptr<PostgresInstance> owner(server);
  return *server;
}

absl::Status PostgresInstance::Restart() {
  if (absl::Status s = Crash(); !s.ok()) return s;
  return Resume();
}

absl::Status PostgresInstance::Crash() {
  if (absl::Status s = Run("pg_ctl", {"-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
      !s.ok()) {
    return s;
  }
  running_ = false;
  return absl::OkStatus();
}

absl::Status PostgresInstance::Resume() {
  if (absl::Status s = StartServer(); !s.ok()) return s;
  running_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::string> PostgresInstance::CreateDatabase() {
  const std::string name = absl::StrCat("test_", ++databases_);
  PGconn* conn = PQconnectdb(dsn_.c_str());
  PGresult* result = PQexec(conn, absl::StrCat("CREATE DATABASE ", name).c_str());
  const bool created = PQresultStatus(result) == PGRES_COMMAND_OK;
  const std::string error = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (!created) return absl::InternalError(absl::StrCat("CREATE DATABASE failed: ", error));
  return DsnFor(dir_, name);
}

absl::Status PostgresInstance::StartServer() const {
  // No TCP listener; the socket lives in dir_. fsync stays on: tests run
  // against the durability users get.
  const std::string options =
      absl::StrCat("-c listen_addresses='' -c unix_socket_directories='", dir_, "'");
  return Run("pg_ctl", {"-D", dir_ + "/data", "-l", LogPath(dir_), "-o", options, "-w", "-t", "120",
                        "start"});
}

absl::Status PostgresInstance::Run(const std::string& program,
                                   const std::vector<std::string>& args) const {
  std::vector<std::string> argv{bin_dir_ + "/" + program};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (std::string& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  const passwd* user = geteuid() == 0 ? getpwnam(kServerUser) : nullptr;

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    if (user != nullptr &&
        (setgroups(0, nullptr) != 0 || setgid(user->pw_gid) != 0 || setuid(user->pw_uid) != 0)) {
      _exit(126);
    }
    if (chdir(dir_.c_str()) != 0) _exit(126);
    const int log = open(LogPath(dir_).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    execv(c_argv[0], c_argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return absl::InternalError("waitpid failed");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "), " failed (status ", status,
                                          "); log:\n", LogTail(dir_)));
}

}  // namespace testutil
}  // namespace sessions
