// Stop sequences over streamed text: text arrives piece by piece and comes out as soon as it
// can no longer be the start of a stop sequence; a stop sequence is found even when it spans
// pieces, and neither it nor anything after it is released. Fixed-size buffer, no allocation.
#pragma once

#include <cstddef>
#include <string_view>

#include "format/status.h"

namespace griffin {

class StopSequences {
 public:
  static constexpr size_t kMaxSequenceBytes = 256;  // longest stop sequence accepted
  static constexpr size_t kMaxPushBytes = 512;      // longest text one push may add

  // Each sequence must be 1..kMaxSequenceBytes bytes of valid UTF-8 (so that a cut before it
  // never splits a character of valid text). The message names the offending index.
  static Status validate(const char* const* sequences, size_t count);

  // Starts over with `sequences` (borrowed: must outlive the use of this object).
  void reset(const char* const* sequences, size_t count);

  // Appends `text` (at most kMaxPushBytes) and sets `*release` to the text that may be emitted
  // now, valid until the next call. Returns true when a stop sequence has appeared: `*release`
  // is then the text before it, and the rest is dropped.
  bool push(std::string_view text, std::string_view* release);
  // The end of the text: everything still held (a partial match that never completed).
  std::string_view finish();
  // Bytes held back because they may start a stop sequence.
  size_t held() const { return held_; }

 private:
  // The longest suffix of the held text that is a proper prefix of some sequence.
  size_t longest_partial_match() const;

  const char* const* sequences_ = nullptr;
  size_t count_ = 0;
  char buffer_[kMaxSequenceBytes + kMaxPushBytes];
  size_t held_ = 0;      // bytes at the start of buffer_ still undecided
  size_t released_ = 0;  // bytes before them handed out by the last call
};

}  // namespace griffin
