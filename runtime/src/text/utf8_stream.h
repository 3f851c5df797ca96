// Streaming UTF-8: bytes arrive token by token, possibly splitting a character across tokens
// (byte-fallback pieces); only complete characters are released. Fixed-size state, no
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace griffin {

class Utf8Stream {
 public:
  // The most bytes an unfinished character holds back.
  static constexpr size_t kMaxPending = 3;

  // Appends `bytes` and writes the complete characters now available to `out` (at most
  // `capacity` bytes). Returns the number of bytes that would be written; if that exceeds
  // `capacity` nothing is written and the stream is left unchanged (so the caller can retry
  // with a larger buffer). Invalid sequences come out as U+FFFD (EF BF BD), one per bad byte.
  size_t push(std::string_view bytes, char* out, size_t capacity);
  // Releases the held bytes of an unfinished character as U+FFFD, one per byte (as push does
  // for invalid bytes), for the end of a text. Returns the bytes that would be written; if that
  // exceeds `capacity` nothing is written and the stream is left unchanged.
  size_t flush(char* out, size_t capacity);
  // Bytes held back because their character is incomplete (0..kMaxPending).
  size_t pending() const { return pending_size_; }
  void reset() { pending_size_ = 0; }

 private:
  uint8_t pending_[4] = {};
  size_t pending_size_ = 0;
};

}  // namespace griffin
