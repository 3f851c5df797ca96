// Terminal progress bar and plain progress lines (see progress.h).
#include "converter/progress.h"

#include <unistd.h>

namespace griffin {

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000.0 && unit < 4) {
    value /= 1000.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

Progress::Progress(Mode mode, std::FILE* out) : mode_(mode), out_(out) {
  if (mode_ == Mode::kAuto) mode_ = isatty(fileno(out_)) ? Mode::kBar : Mode::kLines;
}

void Progress::begin(size_t tensor_count, uint64_t total_bytes) {
  tensor_count_ = tensor_count;
  total_bytes_ = total_bytes;
  done_bytes_ = 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void Progress::tensor_begin(size_t index, const std::string& name, const std::string& detail) {
  index_ = index;
  name_ = name;
  detail_ = detail;
  if (mode_ == Mode::kLines) {
    std::fprintf(out_, "[%*zu/%zu] %s %s\n", static_cast<int>(std::to_string(tensor_count_).size()),
                 index + 1, tensor_count_, name.c_str(), detail.c_str());
    std::fflush(out_);
  }
  if (mode_ == Mode::kBar) draw_bar(false);
}

void Progress::advance(uint64_t bytes) {
  done_bytes_ += bytes;
  if (mode_ == Mode::kBar) draw_bar(false);
}

void Progress::tensor_end() {}

void Progress::finish() {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (mode_ == Mode::kBar) {
    draw_bar(true);
    std::fprintf(out_, "\n");
  }
  if (mode_ != Mode::kQuiet) {
    std::fprintf(out_, "wrote %zu tensors, %s in %.1f s\n", tensor_count_,
                 human_bytes(done_bytes_).c_str(), seconds);
  }
}

void Progress::draw_bar(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const double fraction =
      total_bytes_ ? static_cast<double>(done_bytes_) / static_cast<double>(total_bytes_) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  // \033[K clears the rest of the line so a shorter name leaves no trailing characters.
  std::fprintf(out_, "\r[%s] %3.0f%% %s/%s %zu/%zu %.40s\033[K", bar, fraction * 100,
               human_bytes(done_bytes_).c_str(), human_bytes(total_bytes_).c_str(), index_ + 1,
               tensor_count_, name_.c_str());
  std::fflush(out_);
}

}  // namespace griffin
