// A SQLite VFS for power-loss and disk-full tests, the way SQLite's own
// crash tests (src/test6.c) work: it wraps the default VFS and keeps every
// write in memory until the file is synced. Crash() then throws away all
// that was written but not yet synced (what a power cut does to the OS
// page cache) and fails every later I/O, so the process's connections can
// only close; the files on disk are exactly what a machine rebooting after
// the cut would find. SetFault() injects a full disk (writes and syncs fail
// with SQLITE_FULL), write I/O errors (EIO on write and sync:
// SQLITE_IOERR_WRITE / _FSYNC) or read I/O errors (EIO on read:
// SQLITE_IOERR_READ) until it is cleared, with nothing lost that was
// synced.
//
//   CrashVfs& vfs = CrashVfs::Install();         // registers "crash"
//   options.vfs = CrashVfs::kName;               // SqliteStoreOptions
//   ... writers ...; vfs.Crash(); ... close the store ...; vfs.Reset();
//   ... reopen with the default VFS and check ...
//
// Modelled: unsynced writes (and the sizes they implied) are lost; the
// WAL-index (-shm) is shared memory and is deleted at the crash, as a
// reboot leaves it useless. Not modelled: torn sectors (SQLite assumes
// sector-atomic writes unless told otherwise) and truncations, which reach
// the file at once.
//
// Test-only. Thread-safe: one mutex serializes every file operation.
#ifndef STORAGE_TESTING_CRASH_VFS_H_
#define STORAGE_TESTING_CRASH_VFS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sessions::testutil {

class CrashVfs {
 public:
  static constexpr const char kName[] = "crash";

  // Registers the VFS (once per process) and returns it.
  static CrashVfs& Install();

  // From now on every write, sync, truncate or delete through this VFS
  // fails (SQLITE_IOERR) and the writes not yet synced are gone.
  void Crash();
  // Crashes at the next sync of a file with unsynced writes, instead of
  // syncing it: the moment a commit has written its WAL frames and waits
  // for them to be durable (its writers not yet answered).
  void CrashAtNextSync();
  bool has_crashed() const;
  // After a Crash() and once every connection through it has closed:
  // deletes the -shm files the crashed connections left and accepts I/O
  // again.
  void Reset();
  enum class Fault {
    kNone,
    kDiskFull,    // writes and syncs fail with SQLITE_FULL; reads work
    kWriteError,  // writes and syncs fail with EIO; reads work
    kReadError,   // reads fail with EIO; writes are kept as usual
  };
  // Injects `fault` into every database file until SetFault(kNone).
  void SetFault(Fault fault);

  // Counters (for tests to check the VFS was really used).
  int64_t syncs() const;
  int64_t lost_writes() const;  // writes discarded by Crash()

  // The VFS's file methods, public for the C callbacks only.
  struct PendingWrite {
    int64_t offset;
    std::string bytes;
  };
  struct FileState {
    std::vector<PendingWrite> pending;  // in write order
  };
  absl::Mutex& mu() ABSL_LOCK_RETURNED(mu_) { return mu_; }
  FileState& StateOf(const std::string& path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool crashed() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return crashed_; }
  Fault fault() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return fault_; }
  void CountSync() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { ++syncs_; }
  // Whether this sync is where CrashAtNextSync() cuts (then it has cut).
  bool CrashInsteadOfSync() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NoteShm(const std::string& path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

 private:
  CrashVfs() = default;
  void CrashLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> shm_paths_ ABSL_GUARDED_BY(mu_);
  bool crashed_ ABSL_GUARDED_BY(mu_) = false;
  Fault fault_ ABSL_GUARDED_BY(mu_) = Fault::kNone;
  bool crash_at_next_sync_ ABSL_GUARDED_BY(mu_) = false;
  int64_t syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t lost_writes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sessions::testutil

#endif  // STORAGE_TESTING_CRASH_VFS_H_
