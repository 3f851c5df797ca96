// Stop sequences over streamed text (see stop_sequences.h). The held text never contains a
// whole sequence (push would have stopped), so a new match must end in the appended text, and
// what is held is at most the longest sequence minus one byte.
#include "runtime/src/text/stop_sequences.h"

#include <cstring>

#include "runtime/src/text/utf8_stream.h"

namespace griffin {

Status StopSequences::validate(const char* const* sequences, size_t count) {
  GRF_CHECK(count == 0 || sequences != nullptr, kInvalidArgument,
            "%zu stop sequences given but the array is NULL", count);
  for (size_t i = 0; i < count; ++i) {
    GRF_CHECK(sequences[i] != nullptr, kInvalidArgument, "stop sequence %zu is NULL", i);
    const std::string_view text(sequences[i]);
    GRF_CHECK(!text.empty(), kInvalidArgument, "stop sequence %zu is empty", i);
    GRF_CHECK(text.size() <= kMaxSequenceBytes, kInvalidArgument,
              "stop sequence %zu is %zu bytes; at most %zu are supported", i, text.size(),
              kMaxSequenceBytes);
    // Valid UTF-8 passes through a UTF-8 stream unchanged and leaves nothing held.
    Utf8Stream stream;
    char out[3 * kMaxSequenceBytes];
    const size_t written = stream.push(text, out, sizeof out);
    GRF_CHECK(written == text.size() && stream.pending() == 0 &&
                  std::memcmp(out, text.data(), written) == 0,
              kInvalidArgument, "stop sequence %zu is not valid UTF-8", i);
  }
  return Status::ok_status();
}

void StopSequences::reset(const char* const* sequences, size_t count) {
  sequences_ = sequences;
  count_ = count;
  held_ = 0;
  released_ = 0;
}

bool StopSequences::push(std::string_view text, std::string_view* release) {
  // Drop what the last call released; keep the undecided tail at the front.
  std::memmove(buffer_, buffer_ + released_, held_);
  released_ = 0;
  const size_t room = sizeof buffer_ - held_;
  const size_t take = text.size() < room ? text.size() : room;  // callers stay within limits
  std::memcpy(buffer_ + held_, text.data(), take);
  const std::string_view all(buffer_, held_ + take);
  size_t match = std::string_view::npos;
  for (size_t i = 0; i < count_; ++i) {
    const size_t at = all.find(sequences_[i]);
    if (at < match) match = at;
  }
  if (match != std::string_view::npos) {
    *release = all.substr(0, match);
    held_ = 0;
    return true;
  }
  held_ = all.size();
  const size_t keep = longest_partial_match();
  released_ = all.size() - keep;
  held_ = keep;
  *release = all.substr(0, released_);
  return false;
}

std::string_view StopSequences::finish() {
  const std::string_view rest(buffer_ + released_, held_);
  released_ += held_;
  held_ = 0;
  return rest;
}

size_t StopSequences::longest_partial_match() const {
  const std::string_view all(buffer_, held_);
  size_t best = 0;
  for (size_t i = 0; i < count_; ++i) {
    const std::string_view sequence(sequences_[i]);
    size_t longest = sequence.size() - 1 < all.size() ? sequence.size() - 1 : all.size();
    for (size_t k = longest; k > best; --k) {
      if (all.substr(all.size() - k) == sequence.substr(0, k)) {
        best = k;
        break;
      }
    }
  }
  return best;
}

}  // namespace griffin
