// Streaming UTF-8 (see utf8_stream.h): validates against Unicode's table of well-formed byte
// sequences (The Unicode Standard, Table 3-7) and holds back only a valid but unfinished prefix.
// Each push runs the decoder twice, once to measure and once to write, so a short buffer
// leaves the stream untouched.
#include "runtime/src/text/utf8_stream.h"

#include <cstring>

namespace griffin {

namespace {

constexpr char kReplacement[3] = {'\xEF', '\xBF', '\xBD'};  // U+FFFD

// The length of the sequence `lead` starts and the range its second byte must fall in; the
// narrow ranges exclude overlong forms (E0, F0), surrogates (ED) and code points past
// U+10FFFF (F4). Length 0: `lead` cannot start a character (a continuation byte, C0, C1, F5+).
struct LeadByte {
  int length;
  uint8_t second_min;
  uint8_t second_max;
};

LeadByte classify(uint8_t lead) {
  if (lead < 0x80) return {1, 0, 0};
  if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
  if (lead == 0xE0) return {3, 0xA0, 0xBF};
  if (lead == 0xED) return {3, 0x80, 0x9F};
  if (lead >= 0xE1 && lead <= 0xEF) return {3, 0x80, 0xBF};
  if (lead == 0xF0) return {4, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
  if (lead == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

// The pending bytes followed by the new ones, read as one sequence without copying.
class JoinedBytes {
 public:
  JoinedBytes(const uint8_t* head, size_t head_size, std::string_view tail)
      : head_(head), head_size_(head_size), tail_(tail) {}
  size_t size() const { return head_size_ + tail_.size(); }
  uint8_t operator[](size_t i) const {
    return i < head_size_ ? head_[i] : static_cast<uint8_t>(tail_[i - head_size_]);
  }

 private:
  const uint8_t* head_;
  size_t head_size_;
  std::string_view tail_;
};

// Decodes `input`, writing complete characters to `out` unless it is null. Returns the bytes
// produced and sets *unfinished to where the trailing incomplete character starts (or size()).
size_t decode(const JoinedBytes& input, char* out, size_t* unfinished) {
  size_t written = 0;
  auto emit = [&](const char* bytes, size_t count) {
    if (out != nullptr) std::memcpy(out + written, bytes, count);
    written += count;
  };
  size_t i = 0;
  while (i < input.size()) {
    const LeadByte lead = classify(input[i]);
    // How many bytes from i form a valid (possibly unfinished) prefix of one character.
    size_t valid = lead.length == 0 ? 0 : 1;
    while (valid > 0 && valid < static_cast<size_t>(lead.length) && i + valid < input.size()) {
      const uint8_t byte = input[i + valid];
      const bool ok = valid == 1 ? byte >= lead.second_min && byte <= lead.second_max
                                 : byte >= 0x80 && byte <= 0xBF;
      if (!ok) break;
      ++valid;
    }
    if (lead.length > 0 && valid == static_cast<size_t>(lead.length)) {  // a whole character
      char bytes[4];
      for (size_t k = 0; k < valid; ++k) bytes[k] = static_cast<char>(input[i + k]);
      emit(bytes, valid);
      i += valid;
    } else if (valid > 0 && i + valid == input.size()) {  // fine so far: wait for more bytes
      break;
    } else {
      // The lead byte is bad, or a byte after it is. Replace only the lead and resynchronise
      // on the next byte, so each bad byte becomes one U+FFFD and no valid byte is swallowed.
      emit(kReplacement, sizeof(kReplacement));
      i += 1;
    }
  }
  *unfinished = i;
  return written;
}

}  // namespace

size_t Utf8Stream::push(std::string_view bytes, char* out, size_t capacity) {
  const JoinedBytes input(pending_, pending_size_, bytes);
  size_t unfinished = 0;
  const size_t needed = decode(input, nullptr, &unfinished);
  if (needed > capacity) return needed;
  decode(input, out, &unfinished);
  // At most 3 bytes are left (a 4-byte character missing its last byte); they may come from
  // pending_ itself, so gather them before overwriting it.
  uint8_t rest[4];
  const size_t rest_size = input.size() - unfinished;
  for (size_t k = 0; k < rest_size; ++k) rest[k] = input[unfinished + k];
  std::memcpy(pending_, rest, rest_size);
  pending_size_ = rest_size;
  return needed;
}

size_t Utf8Stream::flush(char* out, size_t capacity) {
  const size_t needed = pending_size_ * sizeof(kReplacement);
  if (needed > capacity) return needed;
  for (size_t k = 0; k < pending_size_; ++k) {
    std::memcpy(out + k * sizeof(kReplacement), kReplacement, sizeof(kReplacement));
  }
  pending_size_ = 0;
  return needed;
}

}  // namespace griffin
