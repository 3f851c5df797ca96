// Fuzz target: the tokenizer, the detokenizer and the UTF-8 streamer on arbitrary bytes. The
// first byte picks the tokenizer (plain or byte-fallback); the rest is encoded as text, read as
// token ids (including out-of-range ones) to decode, and streamed through Utf8Stream in pieces
// whose sizes come from the input.
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/src/text/tokenizer.h"
#include "runtime/src/text/utf8_stream.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

std::unique_ptr<griffin::Tokenizer> load(const char* name) {
  std::ifstream in(std::string(GRIFFIN_FUZZ_DATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto tokenizer = griffin::Tokenizer::load(bytes.str());
  return tokenizer.ok() ? std::move(tokenizer).value() : nullptr;
}

}  // namespace

GRIFFIN_FUZZ_TARGET(text) {
  static const std::unique_ptr<griffin::Tokenizer> plain = load("tiny_tokenizer.model");
  static const std::unique_ptr<griffin::Tokenizer> byte_fallback =
      load("tiny_tokenizer_bytefallback.model");
  if (size == 0 || plain == nullptr || byte_fallback == nullptr) return 0;
  const griffin::Tokenizer& tokenizer = (data[0] & 1) ? *byte_fallback : *plain;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::vector<int32_t> ids;
  if (tokenizer.encode(text, (data[0] & 2) != 0, 1, &ids).ok()) {
    std::string decoded;
    (void)tokenizer.decode(ids.data(), ids.size(), &decoded);
  }

  // The same bytes as token ids, valid or not.
  std::vector<int32_t> raw(text.size() / sizeof(int32_t));
  if (!raw.empty()) std::memcpy(raw.data(), text.data(), raw.size() * sizeof(int32_t));
  std::string decoded;
  (void)tokenizer.decode(raw.data(), raw.size(), &decoded);

  // Each id's bytes through the streamer, as generation does; a small buffer forces retries.
  griffin::Utf8Stream stream;
  char out[16];
  std::vector<char> big;
  const auto push = [&](std::string_view bytes) {
    const size_t needed = stream.push(bytes, out, sizeof(out));
    if (needed > sizeof(out)) {
      big.resize(needed);
      (void)stream.push(bytes, big.data(), big.size());
    }
  };
  for (int32_t id : raw) push(tokenizer.token_bytes(id));
  for (int32_t id : ids) push(tokenizer.token_bytes(id));
  // And the raw text in pieces of 1 to 8 bytes.
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::min<size_t>(1 + (static_cast<uint8_t>(text[i]) & 7), text.size() - i);
    push(text.substr(i, n));
    i += n;
  }
  if (stream.flush(out, sizeof(out)) > sizeof(out)) {
    big.resize(16);
    (void)stream.flush(big.data(), big.size());
  }
  (void)tokenizer.piece_to_id(text);
  return 0;
}
