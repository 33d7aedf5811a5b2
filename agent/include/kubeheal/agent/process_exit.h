#pragma once

namespace kubeheal::agent {

// How the crash fault ends the process; tests replace it.
class ProcessExit {
 public:
  virtual ~ProcessExit() = default;
  virtual void exitNow(int code) = 0;
};

}  // namespace kubeheal::agent
