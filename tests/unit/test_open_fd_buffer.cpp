// Loading for apps: griffin_model_open_fd (a model inside a larger file, at mapped and at
// unaligned offsets) and griffin_model_open_buffer (caller memory, not copied) give logits
// bit-identical to griffin_model_open of the same bytes and the same model identity; truncated,
// corrupt and out-of-range inputs are refused with a status and a message.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "format/griffin_file.h"
#include "griffin/griffin.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

const std::string kModelPath =
    std::string(GRIFFIN_TEST_DATA_DIR) + "/../../examples/models/kjv-griffin/kjv-griffin.griffin";

// Deterministic bytes that are not a model.
std::string junk(size_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  for (char& c : bytes) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return bytes;
}

griffin_model_options one_thread() {
  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  return options;
}

// The logits after a fixed prompt, all positions: the fingerprint of a loaded model.
std::vector<float> prompt_logits(griffin_model* model) {
  griffin_model_info info = {};
  info.struct_size = sizeof info;
  REQUIRE(griffin_model_get_info(model, &info) == GRIFFIN_OK);
  const std::string text = "And God said, Let there be light: and there was light.";
  int32_t tokens[64];
  size_t count = 0;
  REQUIRE(griffin_tokenize(model, text.data(), text.size(), true, tokens, 64, &count) ==
          GRIFFIN_OK);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  std::vector<float> logits(count * static_cast<size_t>(info.vocab_size));
  REQUIRE(griffin_session_prefill(session, tokens, count, logits.data(), logits.size()) ==
          GRIFFIN_OK);
  griffin_session_destroy(session);
  return logits;
}

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

}  // namespace

TEST_CASE("open_fd at mapped and unaligned offsets equals open by path", "[api][open]") {
  const std::string model_bytes = read_file(kModelPath);
  griffin_model* by_path = nullptr;
  const griffin_model_options options = one_thread();
  REQUIRE(griffin_model_open(kModelPath.c_str(), &options, &by_path) == GRIFFIN_OK);
  const std::vector<float> expected = prompt_logits(by_path);
  griffin_model_close(by_path);

  TempDir dir;
  // 4288 = 67 x 64: not page-aligned, so mapped from the page below; 4097 and 12345 are odd,
  // so read into an aligned copy. Junk follows the model too.
  for (size_t offset : {size_t{4288}, size_t{4097}, size_t{12345}}) {
    INFO("offset " << offset);
    const std::string path = dir.file("container" + std::to_string(offset));
    write_file(path, junk(offset, 1) + model_bytes + junk(777, 2));
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    griffin_model* model = nullptr;
    REQUIRE(griffin_model_open_fd(fd, offset, model_bytes.size(), &options, &model) == GRIFFIN_OK);
    ::close(fd);  // the model no longer needs it
    CHECK(prompt_logits(model) == expected);
    griffin_model_close(model);
  }
  SECTION("length 0 reads to the end of the file") {
    const std::string path = dir.file("tail");
    write_file(path, junk(640, 3) + model_bytes);
    const int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    griffin_model* model = nullptr;
    REQUIRE(griffin_model_open_fd(fd, 640, 0, &options, &model) == GRIFFIN_OK);
    ::close(fd);
    CHECK(prompt_logits(model) == expected);
    griffin_model_close(model);
  }
}

TEST_CASE("open_buffer uses the caller's memory and equals open by path", "[api][open]") {
  const std::string model_bytes = read_file(kModelPath);
  griffin_model* by_path = nullptr;
  const griffin_model_options options = one_thread();
  REQUIRE(griffin_model_open(kModelPath.c_str(), &options, &by_path) == GRIFFIN_OK);
  const std::vector<float> expected = prompt_logits(by_path);
  griffin_model_close(by_path);

  std::unique_ptr<void, AlignedFree> buffer(std::aligned_alloc(64, model_bytes.size() + 64));
  REQUIRE(buffer != nullptr);
  std::memcpy(buffer.get(), model_bytes.data(), model_bytes.size());
  griffin_model* model = nullptr;
  REQUIRE(griffin_model_open_buffer(buffer.get(), model_bytes.size(), &options, &model) ==
          GRIFFIN_OK);
  CHECK(prompt_logits(model) == expected);
  griffin_model_close(model);

  // The tensors are read in place: every view points into the buffer.
  auto file = GriffinFile::open_buffer(buffer.get(), model_bytes.size());
  REQUIRE(file.ok());
  const uint8_t* begin = static_cast<const uint8_t*>(buffer.get());
  for (const TensorView& view : file.value()->tensors()) {
    const uint8_t* data = static_cast<const uint8_t*>(view.data);
    REQUIRE(data >= begin);
    REQUIRE(data + view.record->size <= begin + model_bytes.size());
  }
}

TEST_CASE("every way of opening computes the same model identity", "[api][open]") {
  const std::string model_bytes = read_file(kModelPath);
  TempDir dir;
  const std::string path = dir.file("container");
  write_file(path, junk(101, 4) + model_bytes);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  auto by_path = GriffinFile::open(kModelPath);
  auto by_fd = GriffinFile::open_fd(fd, 101, model_bytes.size());
  ::close(fd);
  std::unique_ptr<void, AlignedFree> buffer(std::aligned_alloc(64, model_bytes.size() + 64));
  std::memcpy(buffer.get(), model_bytes.data(), model_bytes.size());
  auto by_buffer = GriffinFile::open_buffer(buffer.get(), model_bytes.size());
  REQUIRE(by_path.ok());
  REQUIRE(by_fd.ok());
  REQUIRE(by_buffer.ok());
  CHECK(by_path.value()->identity() != 0);
  CHECK(by_fd.value()->identity() == by_path.value()->identity());
  CHECK(by_buffer.value()->identity() == by_path.value()->identity());
}

TEST_CASE("open_fd refuses bad descriptors, ranges and contents", "[api][open]") {
  const std::string model_bytes = read_file(kModelPath);
  TempDir dir;
  const size_t offset = 4096;
  const std::string path = dir.file("container");
  write_file(path, junk(offset, 5) + model_bytes);
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  griffin_model* model = nullptr;
  auto open_fd = [&](int which, uint64_t at, uint64_t length) {
    return griffin_model_open_fd(which, at, length, nullptr, &model);
  };
  SECTION("truncated: the model's last tensors are missing") {
    CHECK(open_fd(fd, offset, model_bytes.size() - 1000) == GRIFFIN_ERR_INVALID_MODEL);
    CHECK_THAT(griffin_last_error(), Catch::Contains("fd ") && Catch::Contains("truncated"));
    CHECK(open_fd(fd, offset, 11) == GRIFFIN_ERR_INVALID_MODEL);
  }
  SECTION("the range runs past the end of the file") {
    CHECK(open_fd(fd, offset, model_bytes.size() + 1) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK_THAT(griffin_last_error(), Catch::Contains("past the end of the file"));
    CHECK(open_fd(fd, offset + model_bytes.size() + 1, 0) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK(open_fd(fd, offset, UINT64_MAX) == GRIFFIN_ERR_INVALID_ARGUMENT);
  }
  SECTION("the offset does not point at a model") {
    CHECK(open_fd(fd, 64, model_bytes.size()) == GRIFFIN_ERR_INVALID_MODEL);
    CHECK(open_fd(fd, offset + 1, model_bytes.size() - 1) == GRIFFIN_ERR_INVALID_MODEL);
  }
  SECTION("corrupt header bytes") {
    std::string corrupt = model_bytes;
    corrupt[9] ^= 0x5A;  // the file identifier
    const std::string bad_path = dir.file("corrupt");
    write_file(bad_path, junk(offset, 6) + corrupt);
    const int bad = ::open(bad_path.c_str(), O_RDONLY);
    REQUIRE(bad >= 0);
    CHECK(open_fd(bad, offset, corrupt.size()) == GRIFFIN_ERR_INVALID_MODEL);
    ::close(bad);
  }
  SECTION("bad descriptors") {
    CHECK(open_fd(-1, 0, 0) == GRIFFIN_ERR_INVALID_ARGUMENT);
    const int directory = ::open(dir.path().c_str(), O_RDONLY);
    REQUIRE(directory >= 0);
    CHECK(open_fd(directory, 0, 0) == GRIFFIN_ERR_INVALID_ARGUMENT);
    CHECK_THAT(griffin_last_error(), Catch::Contains("not a regular file"));
    ::close(directory);
    CHECK(griffin_model_open_fd(fd, offset, 0, nullptr, nullptr) == GRIFFIN_ERR_INVALID_ARGUMENT);
  }
  CHECK(model == nullptr);
  ::close(fd);
}

TEST_CASE("open_buffer refuses NULL, misaligned, truncated and corrupt memory", "[api][open]") {
  const std::string model_bytes = read_file(kModelPath);
  std::unique_ptr<void, AlignedFree> buffer(std::aligned_alloc(64, model_bytes.size() + 128));
  REQUIRE(buffer != nullptr);
  uint8_t* bytes = static_cast<uint8_t*>(buffer.get());
  std::memcpy(bytes, model_bytes.data(), model_bytes.size());
  griffin_model* model = nullptr;
  CHECK(griffin_model_open_buffer(nullptr, 100, nullptr, &model) == GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_model_open_buffer(bytes, model_bytes.size(), nullptr, nullptr) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK(griffin_model_open_buffer(bytes, 5, nullptr, &model) == GRIFFIN_ERR_INVALID_MODEL);
  CHECK(griffin_model_open_buffer(bytes, model_bytes.size() - 1000, nullptr, &model) ==
        GRIFFIN_ERR_INVALID_MODEL);
  CHECK_THAT(griffin_last_error(), Catch::Contains("buffer") && Catch::Contains("truncated"));
  // Misaligned: the same bytes one byte further on.
  std::memmove(bytes + 1, bytes, model_bytes.size());
  CHECK(griffin_model_open_buffer(bytes + 1, model_bytes.size(), nullptr, &model) ==
        GRIFFIN_ERR_INVALID_ARGUMENT);
  CHECK_THAT(griffin_last_error(), Catch::Contains("aligned"));
  std::memcpy(bytes, model_bytes.data(), model_bytes.size());
  bytes[9] ^= 0x5A;
  CHECK(griffin_model_open_buffer(bytes, model_bytes.size(), nullptr, &model) ==
        GRIFFIN_ERR_INVALID_MODEL);
  CHECK(model == nullptr);
}
