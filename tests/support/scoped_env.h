// An environment variable set for one scope: the old value (or its absence) comes back when the
// scope ends, also when a REQUIRE fails inside it. For settings the runtime reads from the
// environment, such as GRIFFIN_MAX_ISA when a model opens.
#pragma once

#include <cstdlib>
#include <string>

namespace griffin::test {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      had_value_ = true;
      old_value_ = old;
    }
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_value_) {
      setenv(name_.c_str(), old_value_.c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  bool had_value_ = false;
  std::string old_value_;
};

}  // namespace griffin::test
