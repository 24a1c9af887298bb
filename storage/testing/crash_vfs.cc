#include "storage/testing/crash_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace sessions::testutil {
namespace {

sqlite3_vfs* g_base = nullptr;  // the default VFS this one wraps
CrashVfs* g_crash = nullptr;
sqlite3_vfs g_vfs;

// SQLite allocates szOsFile bytes per open file: this header, then the
// wrapped VFS's own file object.
struct CrashFile {
  sqlite3_file base;           // first: SQLite sees this
  sqlite3_file* real;          // the default VFS's file, right after this struct
  CrashVfs::FileState* state;  // nullptr: not tracked (temporary files)
};

sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<CrashFile*>(file)->real; }
CrashVfs::FileState* StateOf(sqlite3_file* file) {
  return reinterpret_cast<CrashFile*>(file)->state;
}

int64_t RealSize(sqlite3_file* real) {
  sqlite3_int64 size = 0;
  return real->pMethods->xFileSize(real, &size) == SQLITE_OK ? size : 0;
}

int64_t LogicalSize(sqlite3_file* file) {
  int64_t size = RealSize(Real(file));
  for (const CrashVfs::PendingWrite& write : StateOf(file)->pending) {
    size = std::max<int64_t>(size, write.offset + static_cast<int64_t>(write.bytes.size()));
  }
  return size;
}

int Close(sqlite3_file* file) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xClose(real);
}

int Read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  sqlite3_file* real = Real(file);
  if (StateOf(file) == nullptr) return real->pMethods->xRead(real, buffer, amount, offset);
  absl::MutexLock lock(&g_crash->mu());
  if (g_crash->fault() == CrashVfs::Fault::kReadError) return SQLITE_IOERR_READ;
  const int rc = real->pMethods->xRead(real, buffer, amount, offset);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
  // What the OS page cache would answer: later writes over earlier bytes.
  char* out = static_cast<char*>(buffer);
  for (const CrashVfs::PendingWrite& write : StateOf(file)->pending) {
    const int64_t from = std::max<int64_t>(offset, write.offset);
    const int64_t to =
        std::min<int64_t>(offset + amount, write.offset + static_cast<int64_t>(write.bytes.size()));
    if (from < to) {
      std::memcpy(out + (from - offset), write.bytes.data() + (from - write.offset),
                  static_cast<size_t>(to - from));
    }
  }
  return offset + amount <= LogicalSize(file) ? SQLITE_OK : SQLITE_IOERR_SHORT_READ;
}

int Write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  sqlite3_file* real = Real(file);
  absl::MutexLock lock(&g_crash->mu());
  if (g_crash->crashed()) return SQLITE_IOERR_WRITE;
  if (StateOf(file) == nullptr) return real->pMethods->xWrite(real, buffer, amount, offset);
  if (g_crash->fault() == CrashVfs::Fault::kDiskFull) return SQLITE_FULL;
  if (g_crash->fault() == CrashVfs::Fault::kWriteError) return SQLITE_IOERR_WRITE;
  StateOf(file)->pending.push_back(
      {offset, std::string(static_cast<const char*>(buffer), static_cast<size_t>(amount))});
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  sqlite3_file* real = Real(file);
  absl::MutexLock lock(&g_crash->mu());
  if (g_crash->crashed()) return SQLITE_IOERR_TRUNCATE;
  if (CrashVfs::FileState* state = StateOf(file)) {
    for (CrashVfs::PendingWrite& write : state->pending) {
      if (write.offset >= size) {
        write.bytes.clear();
      } else if (write.offset + static_cast<int64_t>(write.bytes.size()) > size) {
        write.bytes.resize(static_cast<size_t>(size - write.offset));
      }
    }
  }
  return real->pMethods->xTruncate(real, size);
}

int Sync(sqlite3_file* file, int flags) {
  sqlite3_file* real = Real(file);
  absl::MutexLock lock(&g_crash->mu());
  if (g_crash->crashed()) return SQLITE_IOERR_FSYNC;
  CrashVfs::FileState* state = StateOf(file);
  if (state == nullptr) return real->pMethods->xSync(real, flags);
  if (g_crash->fault() == CrashVfs::Fault::kDiskFull) return SQLITE_FULL;
  if (g_crash->fault() == CrashVfs::Fault::kWriteError) return SQLITE_IOERR_FSYNC;
  if (!state->pending.empty() && g_crash->CrashInsteadOfSync()) return SQLITE_IOERR_FSYNC;
  for (const CrashVfs::PendingWrite& write : state->pending) {
    if (write.bytes.empty()) continue;
    const int rc = real->pMethods->xWrite(real, write.bytes.data(),
                                          static_cast<int>(write.bytes.size()), write.offset);
    if (rc != SQLITE_OK) return rc;
  }
  state->pending.clear();
  g_crash->CountSync();
  return real->pMethods->xSync(real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  sqlite3_file* real = Real(file);
  if (StateOf(file) == nullptr) return real->pMethods->xFileSize(real, size);
  absl::MutexLock lock(&g_crash->mu());
  *size = LogicalSize(file);
  return SQLITE_OK;
}

int Lock(sqlite3_file* file, int level) { return Real(file)->pMethods->xLock(Real(file), level); }
int Unlock(sqlite3_file* file, int level) {
  return Real(file)->pMethods->xUnlock(Real(file), level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Real(file)->pMethods->xCheckReservedLock(Real(file), out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  return Real(file)->pMethods->xFileControl(Real(file), op, arg);
}
int SectorSize(sqlite3_file* file) { return Real(file)->pMethods->xSectorSize(Real(file)); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Real(file)->pMethods->xDeviceCharacteristics(Real(file));
}
int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return Real(file)->pMethods->xShmMap(Real(file), region, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Real(file)->pMethods->xShmLock(Real(file), offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) { Real(file)->pMethods->xShmBarrier(Real(file)); }
int ShmUnmap(sqlite3_file* file, int delete_flag) {
  return Real(file)->pMethods->xShmUnmap(Real(file), delete_flag);
}
// No memory-mapped reads: they would bypass the pending writes.
int Fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}
int Unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods kIoMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* crash_file = reinterpret_cast<CrashFile*>(file);
  crash_file->base.pMethods = nullptr;
  crash_file->real = reinterpret_cast<sqlite3_file*>(crash_file + 1);
  crash_file->state = nullptr;
  const int rc = g_base->xOpen(g_base, name, crash_file->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (name != nullptr &&
      (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)) != 0) {
    absl::MutexLock lock(&g_crash->mu());
    crash_file->state = &g_crash->StateOf(name);
    if ((flags & SQLITE_OPEN_MAIN_DB) != 0) g_crash->NoteShm(std::string(name) + "-shm");
  }
  crash_file->base.pMethods = &kIoMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  {
    absl::MutexLock lock(&g_crash->mu());
    if (g_crash->crashed()) return SQLITE_IOERR_DELETE;
    g_crash->StateOf(name).pending.clear();
  }
  return g_base->xDelete(g_base, name, sync_dir);
}

int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_base->xFullPathname(g_base, name, size, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_base->xDlOpen(g_base, name); }
void DlError(sqlite3_vfs*, int size, char* out) { g_base->xDlError(g_base, size, out); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_base->xDlSym(g_base, handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { g_base->xDlClose(g_base, handle); }
int Randomness(sqlite3_vfs*, int size, char* out) { return g_base->xRandomness(g_base, size, out); }
int Sleep(sqlite3_vfs*, int micros) { return g_base->xSleep(g_base, micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_base->xCurrentTime(g_base, out); }
int GetLastError(sqlite3_vfs*, int size, char* out) {
  return g_base->xGetLastError(g_base, size, out);
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_base->xCurrentTimeInt64(g_base, out);
}

}  // namespace

CrashVfs& CrashVfs::Install() {
  static CrashVfs* const vfs = [] {
    auto* crash = new CrashVfs();
    g_crash = crash;
    g_base = sqlite3_vfs_find(nullptr);
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(CrashFile)) + g_base->szOsFile;
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = kName;
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.xAccess = Access;
    g_vfs.xFullPathname = FullPathname;
    g_vfs.xDlOpen = DlOpen;
    g_vfs.xDlError = DlError;
    g_vfs.xDlSym = DlSym;
    g_vfs.xDlClose = DlClose;
    g_vfs.xRandomness = Randomness;
    g_vfs.xSleep = Sleep;
    g_vfs.xCurrentTime = CurrentTime;
    g_vfs.xGetLastError = GetLastError;
    g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
    return crash;
  }();
  return *vfs;
}

CrashVfs::FileState& CrashVfs::StateOf(const std::string& path) { return files_[path]; }

void CrashVfs::NoteShm(const std::string& path) {
  if (std::find(shm_paths_.begin(), shm_paths_.end(), path) == shm_paths_.end()) {
    shm_paths_.push_back(path);
  }
}

void CrashVfs::Crash() {
  absl::MutexLock lock(&mu_);
  CrashLocked();
}

void CrashVfs::CrashAtNextSync() {
  absl::MutexLock lock(&mu_);
  crash_at_next_sync_ = true;
}

bool CrashVfs::has_crashed() const {
  absl::MutexLock lock(&mu_);
  return crashed_;
}

bool CrashVfs::CrashInsteadOfSync() {
  if (!crash_at_next_sync_) return false;
  CrashLocked();
  return true;
}

void CrashVfs::CrashLocked() {
  crash_at_next_sync_ = false;
  crashed_ = true;
  for (auto& [path, state] : files_) {
    lost_writes_ += static_cast<int64_t>(state.pending.size());
    state.pending.clear();
  }
}

void CrashVfs::Reset() {
  absl::MutexLock lock(&mu_);
  for (const std::string& path : shm_paths_) unlink(path.c_str());
  shm_paths_.clear();
  files_.clear();
  crashed_ = false;
  fault_ = Fault::kNone;
  crash_at_next_sync_ = false;
}

void CrashVfs::SetFault(Fault fault) {
  absl::MutexLock lock(&mu_);
  fault_ = fault;
}

int64_t CrashVfs::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

int64_t CrashVfs::lost_writes() const {
  absl::MutexLock lock(&mu_);
  return lost_writes_;
}

}  // namespace sessions::testutil
