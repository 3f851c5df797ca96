// Utf8Stream::flush: at the end of a text, the bytes of an unfinished character come out as
// U+FFFD, one per held byte; a short buffer changes nothing; the stream is then empty.
#include <catch2/catch.hpp>

#include <string>

#include "runtime/src/text/utf8_stream.h"

using namespace griffin;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

std::string push(Utf8Stream& stream, const std::string& bytes) {
  char out[64];
  const size_t written = stream.push(bytes, out, sizeof out);
  REQUIRE(written <= sizeof out);
  return std::string(out, written);
}

}  // namespace

TEST_CASE("flush turns each held byte into one U+FFFD", "[text][utf8]") {
  // The first 1, 2 and 3 bytes of U+1F600 (F0 9F 98 80) are held by push.
  const std::string grinning = "\xF0\x9F\x98\x80";
  for (size_t held = 1; held <= 3; ++held) {
    INFO(held << " held bytes");
    Utf8Stream stream;
    CHECK(push(stream, "a" + grinning.substr(0, held)) == "a");
    REQUIRE(stream.pending() == held);
    char out[16];
    const size_t written = stream.flush(out, sizeof out);
    REQUIRE(written == 3 * held);
    std::string expected;
    for (size_t k = 0; k < held; ++k) expected += kFffd;
    CHECK(std::string(out, written) == expected);
    CHECK(stream.pending() == 0);
    // Nothing is held any more: a second flush writes nothing, and new text starts clean.
    CHECK(stream.flush(out, sizeof out) == 0);
    CHECK(push(stream, "b") == "b");
  }
}

TEST_CASE("flush with a short buffer leaves the stream as it was", "[text][utf8]") {
  Utf8Stream stream;
  CHECK(push(stream, "\xE2\x82") == "");
  char out[5];
  CHECK(stream.flush(out, sizeof out) == 6);
  CHECK(stream.pending() == 2);
  // The held bytes still complete the character when the last byte arrives.
  CHECK(push(stream, "\xAC") == "\xE2\x82\xAC");
}

TEST_CASE("flush of an empty stream writes nothing", "[text][utf8]") {
  Utf8Stream stream;
  CHECK(stream.flush(nullptr, 0) == 0);
}
