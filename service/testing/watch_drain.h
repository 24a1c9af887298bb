// Test helper: what a watch has ready, as short strings to compare.
#ifndef SERVICE_TESTING_WATCH_DRAIN_H_
#define SERVICE_TESTING_WATCH_DRAIN_H_

#include <string>
#include <vector>

#include "service/watch.h"

namespace sessions::testutil {

// Pops `watch` until it is pending or ended: one string per message,
// "TYPE[@revision][:session ids][:-removed id]", then "END:CODE" if it ended
// (e.g. {"SNAPSHOT@10:s1:s2", "SYNCED@10", "REMOVE@12:-s2"}).
std::vector<std::string> DrainWatch(Watch& watch, bool with_revisions = false);

}  // namespace sessions::testutil

#endif  // SERVICE_TESTING_WATCH_DRAIN_H_
