#include "server/server_process.h"

#include <signal.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace sessions {
namespace {

// Each stop signal is taken by WaitForStopSignal (main() then drains)
// instead of killing the process; SIGPIPE is ignored. A signal whose
// default action ran would end this test binary, failing it.
TEST(ServerProcessTest, StopSignalsAreWaitedForAndSigpipeIsIgnored) {
  SetUpServerProcess();  // before any thread: this test starts none
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
    ASSERT_EQ(kill(getpid(), signal_number), 0);
    EXPECT_EQ(WaitForStopSignal(), signal_number);
  }
  ASSERT_EQ(kill(getpid(), SIGPIPE), 0);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  EXPECT_EQ(write(fds[1], "x", 1), -1);  // EPIPE, not death
  close(fds[1]);
}

}  // namespace
}  // namespace sessions
