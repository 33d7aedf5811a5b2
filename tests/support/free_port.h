#pragma once

#include <string>

namespace kubeheal::test_support {

// A TCP port free on `host` (an IPv4 address) right now, for a server started next that cannot
// report the port it bound itself (the race with another process taking it is tiny). Aborts
// the test binary with a message naming the host if no port can be had.
int FreePort(const std::string& host = "127.0.0.1");

}  // namespace kubeheal::test_support
