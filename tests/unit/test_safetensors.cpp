// Safetensors parsing: each dtype, chunked reads, and every kind of malformed file.
#include <catch2/catch.hpp>

#include "converter/safetensors.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

TEST_CASE("Safetensors files of each dtype are parsed and read", "[converter][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  write_file(path, encode_safetensors({
                       {"a", "F32", {2, 3}, f32_bytes({1, 2, 3, 4, 5, 6})},
                       {"b", "BF16", {2}, u16_bytes({0x3f80, 0xc040})},    // 1.0, -3.0
                       {"c", "F16", {1, 2}, u16_bytes({0x3c00, 0xb800})},  // 1.0, -0.5
                   }));
  auto file = SafetensorsFile::open(path);
  REQUIRE(file.ok());
  REQUIRE(file.value()->entries().size() == 3);
  const SafetensorsEntry* a = file.value()->find("a");
  REQUIRE(a);
  CHECK(a->dtype == DType::kF32);
  CHECK(a->shape == std::vector<int64_t>{2, 3});
  float tail[2];
  REQUIRE(file.value()->read(*a, 16, tail, 8).ok());  // elements 4 and 5
  CHECK(tail[0] == 5.0f);
  CHECK(tail[1] == 6.0f);
  const SafetensorsEntry* b = file.value()->find("b");
  REQUIRE(b);
  CHECK(b->dtype == DType::kBF16);
  uint16_t bits[2];
  REQUIRE(file.value()->read(*b, 0, bits, 4).ok());
  CHECK(f32_from_bf16(bits[1]) == -3.0f);
  const SafetensorsEntry* c = file.value()->find("c");
  REQUIRE(c);
  CHECK(c->dtype == DType::kF16);
  REQUIRE(file.value()->read(*c, 2, bits, 2).ok());
  CHECK(f32_from_f16(bits[0]) == -0.5f);
}

TEST_CASE("Unsupported dtypes are listed and refused when used", "[converter][safetensors]") {
  TempDir dir;
  write_file(dir.file("m.safetensors"),
             encode_safetensors({{"steps", "I64", {1}, std::string(8, '\0')}}));
  auto file = SafetensorsFile::open(dir.file("m.safetensors"));
  REQUIRE(file.ok());
  CHECK_FALSE(file.value()->find("steps")->supported);
  CHECK(file.value()->find("steps")->source_dtype == "I64");
}

TEST_CASE("Malformed safetensors files give clear errors", "[converter][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  const std::string good = encode_safetensors({{"w", "F32", {4}, f32_bytes({1, 2, 3, 4})}});
  auto expect_error = [&](const std::string& bytes, const std::string& fragment) {
    write_file(path, bytes);
    auto file = SafetensorsFile::open(path);
    REQUIRE_FALSE(file.ok());
    CHECK(file.status().code() == StatusCode::kInvalidFile);
    CHECK_THAT(file.status().message(), Catch::Contains(fragment));
    CHECK_THAT(file.status().message(), Catch::Contains("bad.safetensors"));
  };
  SECTION("shorter than the length field") { expect_error("abc", "truncated safetensors file"); }
  SECTION("header cut short") { expect_error(good.substr(0, 20), "truncated safetensors header"); }
  SECTION("data cut short") { expect_error(good.substr(0, good.size() - 1), "run past the end"); }
  SECTION("absurd header length") {
    std::string bytes = good;
    bytes[7] = '\x7f';
    expect_error(bytes, "not plausible");
  }
  SECTION("header is not JSON") {
    std::string bytes = good;
    bytes[8] = '#';
    expect_error(bytes, "malformed safetensors header");
  }
  SECTION("byte count disagrees with the shape") {
    expect_error(encode_safetensors({{"w", "F32", {5}, f32_bytes({1, 2, 3, 4})}}), "tensor w");
  }
  SECTION("entry without data_offsets") {
    const std::string text = R"({"w":{"dtype":"F32","shape":[1]}})";
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(text.size());
    expect_error(bytes + text + std::string(4, '\0'), "data_offsets");
  }
  SECTION("unknown dtype") {
    expect_error(encode_safetensors({{"w", "F7", {1}, "x"}}), "unknown safetensors dtype");
  }
}

TEST_CASE("A missing safetensors file is reported as not found", "[converter][safetensors]") {
  auto file = SafetensorsFile::open("/nonexistent/model.safetensors");
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().code() == StatusCode::kNotFound);
}
