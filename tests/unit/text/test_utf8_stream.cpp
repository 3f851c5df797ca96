// Utf8Stream tests: characters split across pushes come out whole and only once complete,
// invalid bytes become U+FFFD one per bad byte, a short output buffer changes nothing, and
// reset() forgets held-back bytes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/src/text/utf8_stream.h"

using namespace griffin;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";
const std::string kEuro = "\xE2\x82\xAC";          // U+20AC, 3 bytes
const std::string kGrinning = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes

// Pushes `bytes` with a buffer large enough for anything one push can release.
std::string push(Utf8Stream& stream, const std::string& bytes) {
  std::vector<char> out(3 * (bytes.size() + 4));
  const size_t written = stream.push(bytes, out.data(), out.size());
  REQUIRE(written <= out.size());
  return std::string(out.data(), written);
}

}  // namespace

TEST_CASE("ASCII passes straight through", "[text][utf8]") {
  Utf8Stream stream;
  CHECK(push(stream, "Hello, world!\n") == "Hello, world!\n");
  CHECK(push(stream, "") == "");
  CHECK(stream.pending() == 0);
}

TEST_CASE("a multi-byte character comes out whole, only once complete", "[text][utf8]") {
  for (const std::string& character : {std::string("\xC3\xA9"), kEuro, kGrinning}) {
    INFO(character.size() << "-byte character");
    // Every split into two pushes.
    for (size_t cut = 1; cut < character.size(); ++cut) {
      Utf8Stream stream;
      CHECK(push(stream, character.substr(0, cut)) == "");
      CHECK(stream.pending() == cut);
      CHECK(push(stream, character.substr(cut)) == character);
      CHECK(stream.pending() == 0);
    }
    // One byte per push.
    Utf8Stream stream;
    for (size_t i = 0; i + 1 < character.size(); ++i) {
      CHECK(push(stream, character.substr(i, 1)) == "");
    }
    CHECK(push(stream, character.substr(character.size() - 1)) == character);
  }
}

TEST_CASE("split characters inside text keep the text around them", "[text][utf8]") {
  const std::string text = "a" + kEuro + "b" + kGrinning + "c";
  // Every split into three pushes gives back the text, and nothing but whole characters.
  for (size_t first = 0; first <= text.size(); ++first) {
    for (size_t second = first; second <= text.size(); ++second) {
      Utf8Stream stream;
      const std::string a = push(stream, text.substr(0, first));
      const std::string b = push(stream, text.substr(first, second - first));
      const std::string c = push(stream, text.substr(second));
      INFO("cuts at " << first << " and " << second);
      CHECK(a + b + c == text);
      CHECK(stream.pending() == 0);
      CHECK(text.compare(0, a.size(), a) == 0);
      // Each output ends on a character boundary: the next byte of the text is not a
      // continuation byte.
      for (size_t end : {a.size(), a.size() + b.size()}) {
        if (end < text.size()) CHECK((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80);
      }
    }
  }
}

TEST_CASE("invalid bytes become U+FFFD, one per bad byte", "[text][utf8]") {
  struct Case {
    const char* what;
    std::string input;
    std::string output;
  };
  const Case cases[] = {
      {"0xFF never occurs in UTF-8",
       "a\xFF"
       "b",
       "a" + kFffd + "b"},
      {"a lone continuation byte",
       "\x80"
       "x",
       kFffd + "x"},
      {"overlong lead C0 then ASCII",
       "\xC0"
       "A",
       kFffd + "A"},
      {"overlong lead C1 then a continuation", "\xC1\x81", kFffd + kFffd},
      {"overlong 3-byte form of U+0000", "\xE0\x80\x80", kFffd + kFffd + kFffd},
      {"a surrogate, U+D800", "\xED\xA0\x80", kFffd + kFffd + kFffd},
      {"past U+10FFFF", "\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},
      {"F5 cannot start a character",
       "\xF5"
       "z",
       kFffd + "z"},
      {"a 3-byte character cut short by ASCII",
       "\xE2\x82"
       "A",
       kFffd + kFffd + "A"},
      {"a lead byte followed by another lead byte", "\xE2" + kEuro, kFffd + kEuro},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Utf8Stream stream;
    CHECK(push(stream, c.input) == c.output);
    CHECK(stream.pending() == 0);
  }

  SECTION("a held-back prefix that turns out bad") {
    Utf8Stream stream;
    CHECK(push(stream, "\xF0\x9F") == "");
    CHECK(stream.pending() == 2);
    CHECK(push(stream, "!") == kFffd + kFffd + "!");
    CHECK(stream.pending() == 0);
  }
  SECTION("a bad second byte is caught before the character could complete") {
    Utf8Stream stream;
    CHECK(push(stream, "\xE0\x80") == kFffd + kFffd);
    CHECK(stream.pending() == 0);
  }
}

TEST_CASE("a short buffer gets the needed size and leaves everything unchanged", "[text][utf8]") {
  Utf8Stream stream;
  CHECK(push(stream, "\xE2") == "");
  REQUIRE(stream.pending() == 1);

  // Completing the euro and adding "!" needs 4 bytes.
  const std::string rest = "\x82\xAC!";
  char out[8];
  std::fill(std::begin(out), std::end(out), '#');
  CHECK(stream.push(rest, out, 3) == 4);
  CHECK(std::string(out, 8) == "########");
  CHECK(stream.pending() == 1);
  CHECK(stream.push(rest, nullptr, 0) == 4);
  CHECK(stream.pending() == 1);

  // The retry with room sees the same stream.
  CHECK(stream.push(rest, out, 4) == 4);
  CHECK(std::string(out, 4) == kEuro + "!");
  CHECK(stream.pending() == 0);

  // Replacement characters count towards the size too: 0xFF needs 3 bytes.
  CHECK(stream.push("\xFF", out, 2) == 3);
  CHECK(stream.push("\xFF", out, 3) == 3);
  CHECK(std::string(out, 3) == kFffd);
}

TEST_CASE("reset drops held-back bytes", "[text][utf8]") {
  Utf8Stream stream;
  CHECK(push(stream, "ok\xF0\x9F\x98") == "ok");
  CHECK(stream.pending() == 3);
  stream.reset();
  CHECK(stream.pending() == 0);
  // Without the reset, "A" would have turned the 3 held bytes into U+FFFDs.
  CHECK(push(stream, "A") == "A");
  CHECK(push(stream, kGrinning) == kGrinning);
}
