// Process set-up shared by the binaries that run a Server (sessions_server
// and bench/bench_server, which must behave alike): the stop signals, taken
// with sigwait by main(), and Abseil's Mutex lock-order checks.
#ifndef SERVER_SERVER_PROCESS_H_
#define SERVER_SERVER_PROCESS_H_

namespace sessions {

// Call first in main(), before any thread starts. Blocks SIGTERM, SIGINT
// and SIGHUP (every thread started later inherits the mask, so only
// WaitForStopSignal() sees them), ignores SIGPIPE, and turns off Abseil's Mutex lock-order
// checks: Debian's Abseil runs them on every Mutex operation (measured ~2 %
// of the gRPC threads under write load); tests keep them on.
void SetUpServerProcess();

// Waits for SIGTERM, SIGINT or SIGHUP and returns its number.
int WaitForStopSignal();

}  // namespace sessions

#endif  // SERVER_SERVER_PROCESS_H_
