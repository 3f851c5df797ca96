// Tokenizer tests on the tiny SentencePiece models in tests/data (see tests/data/README.md):
// round trips, the byte view of each token, piece lookup, load errors, and byte-fallback tokens
// streamed through Utf8Stream.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "runtime/src/text/tokenizer.h"
#include "runtime/src/text/utf8_stream.h"
#include "tests/support/test_files.h"

using namespace griffin;

namespace {

// Ids of the tiny models (spm_train flags in tests/data/README.md).
constexpr int32_t kPad = 0;
constexpr int32_t kEos = 1;
constexpr int32_t kBos = 2;
constexpr int32_t kUnk = 3;

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& name) {
  const std::string bytes = test::read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/" + name);
  auto loaded = Tokenizer::load(bytes);
  INFO(loaded.status().message());
  REQUIRE(loaded.ok());
  return std::move(loaded).value();
}

std::vector<int32_t> encode(const Tokenizer& tokenizer, const std::string& text) {
  std::vector<int32_t> ids;
  const Status status = tokenizer.encode(text, false, kBos, &ids);
  INFO(status.message());
  REQUIRE(status.ok());
  return ids;
}

std::string decode(const Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
  std::string text;
  const Status status = tokenizer.decode(ids.data(), ids.size(), &text);
  INFO(status.message());
  REQUIRE(status.ok());
  return text;
}

std::string concatenated_bytes(const Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
  std::string bytes;
  for (int32_t id : ids) bytes += tokenizer.token_bytes(id);
  return bytes;
}

}  // namespace

TEST_CASE("encode then decode gives the text back", "[text][tokenizer]") {
  auto tokenizer = load_tokenizer("tiny_tokenizer.model");
  CHECK(tokenizer->piece_count() == 200);
  for (const std::string text :
       {"Hello world.", "This program is free software: you can redistribute it.",
        "GNU General Public License, version 3 (29 June 2007)", "x"}) {
    INFO(text);
    const std::vector<int32_t> ids = encode(*tokenizer, text);
    CHECK(!ids.empty());
    CHECK(decode(*tokenizer, ids) == text);
  }
}

TEST_CASE("encode puts bos first only when asked", "[text][tokenizer]") {
  auto tokenizer = load_tokenizer("tiny_tokenizer.model");
  const std::vector<int32_t> plain = encode(*tokenizer, "Hello world.");
  std::vector<int32_t> with_bos;
  REQUIRE(tokenizer->encode("Hello world.", true, kBos, &with_bos).ok());
  REQUIRE(with_bos.size() == plain.size() + 1);
  CHECK(with_bos[0] == kBos);
  CHECK(std::vector<int32_t>(with_bos.begin() + 1, with_bos.end()) == plain);
  // bos is a control token, so it decodes to nothing.
  CHECK(decode(*tokenizer, with_bos) == "Hello world.");

  std::vector<int32_t> ids;
  const Status bad = tokenizer->encode("x", true, 200, &ids);
  CHECK(bad.code() == StatusCode::kInvalidArgument);
  CHECK(bad.message().find("200") != std::string::npos);
}

TEST_CASE("token_bytes: word starts are spaces, control tokens are empty", "[text][tokenizer]") {
  auto tokenizer = load_tokenizer("tiny_tokenizer.model");
  // "▁the" is one of the model's pieces (spm_export_vocab lists it).
  const int32_t the = tokenizer->piece_to_id("\xE2\x96\x81the");
  REQUIRE(the >= 0);
  CHECK(tokenizer->token_bytes(the) == " the");
  const int32_t er = tokenizer->piece_to_id("er");
  REQUIRE(er >= 0);
  CHECK(tokenizer->token_bytes(er) == "er");

  CHECK(tokenizer->token_bytes(kPad).empty());
  CHECK(tokenizer->token_bytes(kEos).empty());
  CHECK(tokenizer->token_bytes(kBos).empty());
  CHECK(tokenizer->token_bytes(kUnk) == " \xE2\x81\x87 ");  // what SentencePiece prints
  // User-defined symbols are ordinary text.
  CHECK(tokenizer->token_bytes(tokenizer->piece_to_id("<start_of_turn>")) == "<start_of_turn>");
  // Out of range: nothing, rather than a crash.
  CHECK(tokenizer->token_bytes(-1).empty());
  CHECK(tokenizer->token_bytes(200).empty());
}

TEST_CASE("piece_to_id finds pieces and answers -1 for unknown ones", "[text][tokenizer]") {
  auto tokenizer = load_tokenizer("tiny_tokenizer.model");
  const int32_t start = tokenizer->piece_to_id("<start_of_turn>");
  CHECK(start >= 0);
  CHECK(start < tokenizer->piece_count());
  CHECK(tokenizer->piece_to_id("<end_of_turn>") >= 0);
  CHECK(tokenizer->piece_to_id("<end_of_turn>") != start);
  CHECK(tokenizer->piece_to_id("definitely-not-a-piece") == -1);
  CHECK(tokenizer->piece_to_id("") == -1);
  // The unknown piece itself is a real piece.
  CHECK(tokenizer->piece_to_id("<unk>") == kUnk);
  CHECK(tokenizer->piece_to_id("<s>") == kBos);
}

TEST_CASE("token bytes concatenate to the text with SentencePiece's leading space",
          "[text][tokenizer]") {
  auto tokenizer = load_tokenizer("tiny_tokenizer.model");
  // SentencePiece adds a dummy-prefix "▁", which decode drops and token_bytes keeps.
  for (const std::string text : {"Hello world.", "the GNU General Public License"}) {
    const std::vector<int32_t> ids = encode(*tokenizer, text);
    CHECK(concatenated_bytes(*tokenizer, ids) == " " + text);
  }
  // The model also collapses runs of whitespace and trims the ends (spm_train's default
  // --remove_extra_whitespaces, independent of the identity normalization rule), so such text
  // does not round-trip; token_bytes agrees with decode either way.
  const std::vector<int32_t> spaced = encode(*tokenizer, "  Two  spaces ");
  CHECK(decode(*tokenizer, spaced) == "Two spaces");
  CHECK(concatenated_bytes(*tokenizer, spaced) == " Two spaces");
  // Without byte fallback a character outside the vocabulary is the unknown token.
  const std::vector<int32_t> snowman = encode(*tokenizer, "Hello \xE2\x98\x83 world");
  CHECK(std::count(snowman.begin(), snowman.end(), kUnk) == 1);
  CHECK(decode(*tokenizer, snowman) == "Hello  \xE2\x81\x87  world");
  CHECK(concatenated_bytes(*tokenizer, snowman) == " Hello  \xE2\x81\x87  world");
}

TEST_CASE("decode rejects ids outside the vocabulary by name", "[text][tokenizer]") {
  auto tokenizer = load_tokenizer("tiny_tokenizer.model");
  std::string text = "unchanged";
  const int32_t ids[] = {kBos, 200, 5};
  const Status status = tokenizer->decode(ids, 3, &text);
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.message().find("200") != std::string::npos);
  const int32_t negative[] = {-7};
  const Status negative_status = tokenizer->decode(negative, 1, &text);
  CHECK(negative_status.code() == StatusCode::kInvalidArgument);
  CHECK(negative_status.message().find("-7") != std::string::npos);
  CHECK(tokenizer->decode(nullptr, 0, &text).ok());
  CHECK(text.empty());
}

TEST_CASE("a corrupt model fails to load with SentencePiece's reason", "[text][tokenizer]") {
  const std::string good =
      test::read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/tiny_tokenizer.model");
  for (const std::string& bad :
       {std::string("this is not a protobuf"), good.substr(0, 100), std::string()}) {
    auto loaded = Tokenizer::load(bad);
    INFO(bad.size() << " bytes: " << loaded.status().message());
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.status().code() == StatusCode::kInvalidFile);
    CHECK(loaded.status().message().find("SentencePiece") != std::string::npos);
  }
}

TEST_CASE("byte-fallback tokens are raw bytes and stream into whole characters",
          "[text][tokenizer][utf8]") {
  auto tokenizer = load_tokenizer("tiny_tokenizer_bytefallback.model");
  const int32_t e2 = tokenizer->piece_to_id("<0xE2>");
  REQUIRE(e2 >= 0);
  CHECK(tokenizer->token_bytes(e2) == "\xE2");
  CHECK(tokenizer->token_bytes(tokenizer->piece_to_id("<0x00>")) == std::string(1, '\0'));
  CHECK(tokenizer->token_bytes(tokenizer->piece_to_id("<0x41>")) == "A");

  // The model was trained on ASCII only, so each of these characters becomes 2-4 byte tokens.
  const std::string text = "na\xC3\xAFve \xE2\x98\x83 \xF0\x9F\x98\x80 ok";  // naïve ☃ 😀 ok
  const std::vector<int32_t> ids = encode(*tokenizer, text);
  CHECK(std::count(ids.begin(), ids.end(), e2) == 1);
  CHECK(std::count(ids.begin(), ids.end(), kUnk) == 0);
  CHECK(decode(*tokenizer, ids) == text);
  CHECK(concatenated_bytes(*tokenizer, ids) == " " + text);

  // Streaming token by token: no push releases part of a character, and the whole comes back.
  Utf8Stream stream;
  std::string streamed;
  size_t held_back = 0;
  for (int32_t id : ids) {
    char out[16];
    const size_t written = stream.push(tokenizer->token_bytes(id), out, sizeof(out));
    REQUIRE(written <= sizeof(out));
    const std::string chunk(out, written);
    CHECK(chunk.find("\xEF\xBF\xBD") == std::string::npos);
    if (written > 0) {
      // A chunk starts on a character boundary and the next text byte starts a character.
      const std::string expected = " " + text;
      REQUIRE(expected.compare(streamed.size(), chunk.size(), chunk) == 0);
      const size_t end = streamed.size() + chunk.size();
      if (end < expected.size()) {
        CHECK((static_cast<unsigned char>(expected[end]) & 0xC0) != 0x80);
      }
    }
    if (stream.pending() > 0) ++held_back;
    streamed += chunk;
  }
  CHECK(streamed == " " + text);
  CHECK(stream.pending() == 0);
  // 2 + 3 + 4 byte characters: 1 + 2 + 3 pushes end with bytes held back.
  CHECK(held_back == 6);
}
