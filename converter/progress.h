// Progress of a long write: a redrawn bar when stderr is a terminal, otherwise one plain line
// per tensor (logs and CI stay readable). Silent when disabled.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace griffin {

class Progress {
 public:
  enum class Mode { kAuto, kBar, kLines, kQuiet };
  explicit Progress(Mode mode = Mode::kAuto, std::FILE* out = stderr);

  void begin(size_t tensor_count, uint64_t total_bytes);
  void tensor_begin(size_t index, const std::string& name, const std::string& detail);
  void advance(uint64_t bytes);  // bytes of output written
  void tensor_end();
  void finish();

 private:
  void draw_bar(bool force);

  Mode mode_;
  std::FILE* out_;
  size_t tensor_count_ = 0;
  uint64_t total_bytes_ = 0;
  uint64_t done_bytes_ = 0;
  size_t index_ = 0;
  std::string name_;
  std::string detail_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

std::string human_bytes(uint64_t bytes);  // "13.1 MB", decimal units

}  // namespace griffin
