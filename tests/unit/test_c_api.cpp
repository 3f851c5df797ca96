// The C API under bad input: NULL pointers, out-of-range token ids, positions past
// max_context, corrupt and truncated files, too-small buffers. Every case returns a status and
// a message; nothing crashes and a failed call leaves the session as it was.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>

#include "converter/convert.h"
#include "converter/synthetic.h"
#include "format/file_header.h"
#include "griffin/griffin.h"
#include "tests/support/fixture_models.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

std::string last_error() { return griffin_last_error(); }

}  // namespace

TEST_CASE("NULL arguments are refused with a message", "[api]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "griffin"));
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  griffin_model* no_model = nullptr;
  CHECK(griffin_model_open(nullptr, nullptr, &no_model) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(last_error(), Catch::Contains("NULL"));
  CHECK(griffin_model_open("x", nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_model_get_info(nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_create(nullptr, nullptr, nullptr, 0, &session) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_prefill(nullptr, nullptr, 0, nullptr, 0) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_prefill(session, nullptr, 3, nullptr, 0) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_decode(nullptr, 2, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_sample(session, nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_logits(session, nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_position(session, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_token_text(session, 2, nullptr, 0, nullptr) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_tokenize(model, nullptr, 4, true, nullptr, 0, nullptr) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_detokenize(nullptr, nullptr, 0, nullptr, 0, nullptr) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_session_reset(nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  griffin_session_destroy(nullptr);  // no-ops
  griffin_model_close(nullptr);
  CHECK(std::string(griffin_session_last_error(nullptr)).empty());
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("Token ids outside the vocabulary are refused", "[api]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "griffin"));
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  REQUIRE(info.vocab_size == 80);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  const int32_t good[3] = {2, 5, 7};
  REQUIRE(griffin_session_prefill(session, good, 3, nullptr, 0) == GRIFFIN_OK);
  const float* before = nullptr;
  REQUIRE(griffin_session_logits(session, &before, nullptr) == GRIFFIN_OK);
  const std::vector<float> saved(before, before + 80);

  CHECK(griffin_session_decode(session, 80, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(std::string(griffin_session_last_error(session)), Catch::Contains("token id 80"));
  CHECK(griffin_session_decode(session, -1, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  const int32_t bad[3] = {2, 3, 1000};
  CHECK(griffin_session_prefill(session, bad, 3, nullptr, 0) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(last_error(), Catch::Contains("1000"));
  CHECK(griffin_session_prefill(session, good, 0, nullptr, 0) == GRIFFIN_ERR_INVALID_ARGUMENT);

  size_t position = 0;
  REQUIRE(griffin_session_position(session, &position) == GRIFFIN_OK);
  CHECK(position == 3);  // the refused calls consumed nothing
  const float* after = nullptr;
  REQUIRE(griffin_session_logits(session, &after, nullptr) == GRIFFIN_OK);
  CHECK(std::vector<float>(after, after + 80) == saved);
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("A global-attention model stops at max_context", "[api]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "mqa"));
  griffin_session_options options = griffin_session_default_options();
  options.max_context = 6;
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, &options, nullptr, 0, &session) == GRIFFIN_OK);
  const int32_t tokens[7] = {2, 3, 4, 5, 6, 7, 8};
  CHECK(griffin_session_prefill(session, tokens, 7, nullptr, 0) == GRIFFIN_ERR_OUT_OF_RANGE);
  CHECK_THAT(last_error(), Catch::Contains("max_context 6"));
  REQUIRE(griffin_session_prefill(session, tokens, 5, nullptr, 0) == GRIFFIN_OK);
  REQUIRE(griffin_session_decode(session, 9, nullptr) == GRIFFIN_OK);
  CHECK(griffin_session_decode(session, 9, nullptr) == GRIFFIN_ERR_OUT_OF_RANGE);
  size_t position = 0;
  REQUIRE(griffin_session_position(session, &position) == GRIFFIN_OK);
  CHECK(position == 6);
  REQUIRE(griffin_session_reset(session) == GRIFFIN_OK);
  CHECK(griffin_session_prefill(session, tokens, 6, nullptr, 0) == GRIFFIN_OK);
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("Local attention and recurrence run far past the window", "[api]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "griffin"));  // window 5
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  const float* logits = nullptr;
  for (int step = 0; step < 500; ++step) {
    REQUIRE(griffin_session_decode(session, 3 + step % 70, &logits) == GRIFFIN_OK);
  }
  for (int i = 0; i < 80; ++i) REQUIRE(std::isfinite(logits[i]));
  griffin_session_destroy(session);
  griffin_model_close(model);
}

TEST_CASE("Corrupt model files are refused at open", "[api]") {
  TempDir dir;
  const std::string good = read_file(convert_fixture(dir, "griffin"));
  const std::string path = dir.file("bad.griffin");
  griffin_model* model = nullptr;
  SECTION("fails verification") {
    std::string bytes = good;
    bytes[8] = 'X';
    write_file(path, bytes);
    CHECK(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_ERR_INVALID_MODEL);
    CHECK_THAT(last_error(), Catch::Contains("not a .griffin file"));
  }
  SECTION("a tensor runs past the end of the file") {
    write_file(path, good.substr(0, good.size() - 70));
    CHECK(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_ERR_INVALID_MODEL);
    CHECK_THAT(last_error(), Catch::Contains("past the end"));
  }
  SECTION("the config disagrees with the tensor shapes") {
    // Rewrite the header with one more layer than the tensors provide.
    uint32_t header_size;
    std::memcpy(&header_size, good.data(), 4);
    auto header = decode_header(reinterpret_cast<const uint8_t*>(good.data()), good.size());
    REQUIRE(header.ok());
    FileHeader edited = header.value();
    edited.config.num_heads = 4;  // shapes were made for 2 heads
    edited.config.head_dim = 4;
    const std::vector<uint8_t> encoded = encode_header(edited);
    std::string bytes(encoded.begin(), encoded.end());
    bytes.resize(align_up(bytes.size(), kDataAlignment), '\0');
    bytes += good.substr(data_section_offset(header_size));
    write_file(path, bytes);
    CHECK(griffin_model_open(path.c_str(), nullptr, &model) == GRIFFIN_ERR_INVALID_MODEL);
    CHECK_THAT(last_error(), Catch::Contains("the config implies"));
  }
  SECTION("missing") {
    CHECK(griffin_model_open(dir.file("none.griffin").c_str(), nullptr, &model) ==
          GRIFFIN_ERR_NOT_FOUND);
  }
  CHECK(model == nullptr);
}

TEST_CASE("Buffers that are too small are refused with both sizes", "[api]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "griffin"));
  griffin_session* session = nullptr;
  const size_t small = 4096;
  void* buffer = std::aligned_alloc(64, small);
  CHECK(griffin_session_create(model, nullptr, buffer, small, &session) ==
        GRIFFIN_ERR_OUT_OF_MEMORY);
  CHECK_THAT(last_error(), Catch::Contains("4096 bytes is too small"));
  CHECK(session == nullptr);
  std::free(buffer);

  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  const int32_t tokens[4] = {2, 3, 4, 5};
  std::vector<float> logits(3 * 80);
  CHECK(griffin_session_prefill(session, tokens, 4, logits.data(), logits.size()) ==
        GRIFFIN_ERR_OUT_OF_RANGE);
  const float* none = nullptr;
  griffin_session_reset(session);
  CHECK(griffin_session_logits(session, &none, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  int32_t token = 0;
  CHECK(griffin_session_sample(session, nullptr, &token) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(std::string(griffin_session_last_error(session)), Catch::Contains("no logits"));
  griffin_session_destroy(session);

  griffin_session_options options = griffin_session_default_options();
  options.struct_size = 3;
  CHECK(griffin_session_create(model, &options, nullptr, 0, &session) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  options = griffin_session_default_options();
  options.prefill_chunk = -1;
  CHECK(griffin_session_create(model, &options, nullptr, 0, &session) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  griffin_model_close(model);
}

TEST_CASE("Models without a tokenizer say so", "[api]") {
  TempDir dir;
  griffin_model* model = open_model(convert_fixture(dir, "hawk"));
  int32_t tokens[8];
  size_t count = 0;
  CHECK(griffin_tokenize(model, "hi", 2, true, tokens, 8, &count) == GRIFFIN_ERR_UNSUPPORTED);
  CHECK_THAT(last_error(), Catch::Contains("no tokenizer"));
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  CHECK_FALSE(info.has_tokenizer);
  CHECK(info.num_recurrent_layers == 3);
  griffin_block_type type;
  REQUIRE(griffin_model_block_type(model, 2, &type) == GRIFFIN_OK);
  CHECK(type == GRIFFIN_BLOCK_RECURRENT);
  CHECK(griffin_model_block_type(model, 3, &type) == GRIFFIN_ERR_INVALID_ARGUMENT);
  griffin_model_close(model);
}

TEST_CASE("Status codes have fixed values and names", "[api]") {
  CHECK(GRIFFIN_OK == 0);
  CHECK(GRIFFIN_ERR_INVALID_MODEL == 4);
  CHECK(GRIFFIN_ERR_INTERNAL == 8);
  CHECK(std::string(griffin_status_string(GRIFFIN_ERR_OUT_OF_RANGE)) == "out of range");
  CHECK(std::string(griffin_version()) == "0.1.0");
}

TEST_CASE("Ids past the tokenizer's pieces have no text", "[api][tokenizer]") {
  TempDir dir;
  REQUIRE(write_synthetic_checkpoint(preset_config("griffin-tiny").value(), dir.file("hf"), {}).ok());
  write_file(dir.file("hf/tokenizer.model"),
             read_file(std::string(GRIFFIN_TEST_DATA_DIR) + "/tiny_tokenizer.model"));
  const std::string path = dir.file("tiny.griffin");
  REQUIRE(convert_checkpoint(dir.file("hf"), path, {}).ok());
  griffin_model* model = open_model(path);
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  CHECK(info.vocab_size == 512);
  CHECK(info.tokenizer_pieces == 200);
  const std::string text = "the program";
  int32_t tokens[32];
  size_t count = 0;
  REQUIRE(griffin_tokenize(model, text.data(), text.size(), true, tokens, 32, &count) == GRIFFIN_OK);
  REQUIRE(count >= 2);
  CHECK(tokens[0] == 2);
  // Padded ids vanish from the text; the rest decodes back to the input.
  std::vector<int32_t> with_padding(tokens, tokens + count);
  with_padding.insert(with_padding.begin() + 1, 300);
  char decoded[64];
  size_t length = 0;
  REQUIRE(griffin_detokenize(model, with_padding.data(), with_padding.size(), decoded,
                             sizeof decoded, &length) == GRIFFIN_OK);
  CHECK(std::string(decoded) == text);
  const int32_t outside = 512;
  CHECK(griffin_detokenize(model, &outside, 1, decoded, sizeof decoded, &length) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  REQUIRE(griffin_session_token_text(session, 300, decoded, sizeof decoded, &length) == GRIFFIN_OK);
  CHECK(length == 0);
  CHECK(griffin_session_token_text(session, 512, decoded, sizeof decoded, &length) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  // Streaming: the first piece's leading space is dropped, later ones keep theirs.
  std::string streamed;
  for (size_t i = 0; i < count; ++i) {
    REQUIRE(griffin_session_token_text(session, tokens[i], decoded, sizeof decoded, &length) ==
            GRIFFIN_OK);
    streamed += std::string(decoded, length);
  }
  CHECK(streamed == text);
  griffin_session_destroy(session);
  griffin_model_close(model);
}
