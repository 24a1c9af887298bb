#include "server/server_process.h"

#include <pthread.h>

#include <csignal>

#include "absl/synchronization/mutex.h"

namespace sessions {
namespace {

sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // A closed terminal or ssh session: drain too, rather than die mid-write.
  sigaddset(&signals, SIGHUP);
  return signals;
}

}  // namespace

void SetUpServerProcess() {
  const sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer or a pipe (stdout into `head`) closing must fail that one write
  // (EPIPE), never kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

int WaitForStopSignal() {
  const sigset_t signals = StopSignals();
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number;
}

}  // namespace sessions
