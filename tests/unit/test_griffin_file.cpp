// Opening .griffin files: verification, semantic checks, corrupt and truncated files, and
// tensor offsets past 4 GiB (64-bit arithmetic end to end).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "converter/synthetic.h"
#include "format/griffin_file.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

std::string write_tiny(const TempDir& dir, DType dtype = DType::kF32) {
  const std::string path = dir.file("tiny.griffin");
  SyntheticOptions options;
  options.weight_dtype = dtype;
  REQUIRE(write_synthetic_griffin(preset_config("griffin-tiny").value(), path, options).ok());
  return path;
}

FileHeader tiny_header(DType dtype = DType::kF32) {
  FileHeader header;
  header.config = preset_config("griffin-tiny").value();
  for (const TensorSpec& spec : expected_tensors(header.config)) {
    TensorRecord record{spec.name, spec.shape, dtype, 0, 0};
    record.size = static_cast<uint64_t>(element_count(spec.shape)) * dtype_size(dtype);
    header.tensors.push_back(record);
  }
  return header;
}

// Writes `header` and enough zero bytes for its tensors as they are placed.
void write_with_data(const std::string& path, const FileHeader& header) {
  const std::vector<uint8_t> bytes = encode_header(header);
  uint64_t end = 0;
  for (const TensorRecord& t : header.tensors) end = std::max(end, t.offset + t.size);
  std::string file(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  file.resize(align_up(file.size(), kDataAlignment) + end, '\0');
  write_file(path, file);
}

std::string open_error(const std::string& path) {
  auto file = GriffinFile::open(path);
  REQUIRE_FALSE(file.ok());
  return file.status().message();
}

}  // namespace

TEST_CASE("A synthetic file opens with every tensor in place", "[format][file]") {
  TempDir dir;
  const std::string path = write_tiny(dir, DType::kBF16);
  auto file = GriffinFile::open(path);
  REQUIRE(file.ok());
  const GriffinFile& f = *file.value();
  CHECK(f.config() == preset_config("griffin-tiny").value());
  CHECK(f.data_offset() % 64 == 0);
  for (const TensorView& view : f.tensors()) {
    CHECK(view.file_offset % 64 == 0);
    CHECK(reinterpret_cast<uintptr_t>(view.data) % 64 == 0);
  }
  const TensorView* embed = f.find("model.embed_tokens.weight");
  REQUIRE(embed);
  CHECK(embed->record->dtype == DType::kBF16);
  CHECK(f.find("model.final_norm.weight")->record->dtype == DType::kF32);
  CHECK(f.find("model.layers.0.temporal_block.conv_1d.weight")->record->dtype == DType::kF32);
}

TEST_CASE("Files that are not .griffin files are refused", "[format][file]") {
  TempDir dir;
  SECTION("empty") {
    write_file(dir.file("x.griffin"), "");
    CHECK_THAT(open_error(dir.file("x.griffin")), Catch::Contains("too small"));
  }
  SECTION("wrong identifier") {
    std::string bytes = read_file(write_tiny(dir));
    std::memcpy(&bytes[8], "GGUF", 4);
    write_file(dir.file("x.griffin"), bytes);
    CHECK_THAT(open_error(dir.file("x.griffin")), Catch::Contains("not a .griffin file"));
  }
  SECTION("missing") {
    auto file = GriffinFile::open(dir.file("absent.griffin"));
    REQUIRE_FALSE(file.ok());
    CHECK(file.status().code() == StatusCode::kNotFound);
  }
}

TEST_CASE("Truncated files are refused with what is missing named", "[format][file]") {
  TempDir dir;
  const std::string bytes = read_file(write_tiny(dir));
  SECTION("inside the header") {
    write_file(dir.file("t.griffin"), bytes.substr(0, 100));
    CHECK_THAT(open_error(dir.file("t.griffin")), Catch::Contains("truncated"));
  }
  SECTION("inside the data") {
    write_file(dir.file("t.griffin"), bytes.substr(0, bytes.size() - 100));
    CHECK_THAT(open_error(dir.file("t.griffin")), Catch::Contains("model.final_norm.weight"));
    CHECK_THAT(open_error(dir.file("t.griffin")), Catch::Contains("past the end"));
  }
}

TEST_CASE("Headers that disagree with the config are refused", "[format][file]") {
  TempDir dir;
  const std::string path = dir.file("h.griffin");
  FileHeader header = tiny_header();
  SECTION("a tensor is missing") {
    header.tensors.erase(header.tensors.begin() + 3);
    assign_tensor_offsets(header.tensors);
    write_with_data(path, header);
    CHECK_THAT(open_error(path), Catch::Contains("is missing"));
  }
  SECTION("an extra tensor") {
    header.tensors.push_back({"lm_head.weight", {512, 64}, DType::kF32, 0, 512 * 64 * 4});
    assign_tensor_offsets(header.tensors);
    write_with_data(path, header);
    CHECK_THAT(open_error(path), Catch::Contains("unexpected tensor lm_head.weight"));
  }
  SECTION("a wrong shape") {
    header.tensors[1].shape = {64, 63};
    assign_tensor_offsets(header.tensors);
    write_with_data(path, header);
    CHECK_THAT(open_error(path), Catch::Contains(header.tensors[1].name));
    CHECK_THAT(open_error(path), Catch::Contains("[64, 63]"));
  }
  SECTION("a size that does not fit the shape") {
    assign_tensor_offsets(header.tensors);
    header.tensors[0].size -= 4;
    write_with_data(path, header);
    CHECK_THAT(open_error(path), Catch::Contains("bytes recorded"));
  }
  SECTION("a misaligned offset") {
    assign_tensor_offsets(header.tensors);
    header.tensors[2].offset += 4;
    write_with_data(path, header);
    CHECK_THAT(open_error(path), Catch::Contains("aligned"));
  }
  SECTION("an offset near 2^64 cannot wrap around") {
    const uint64_t data_bytes = assign_tensor_offsets(header.tensors);
    header.tensors[2].offset = ~uint64_t{63};
    const std::vector<uint8_t> encoded = encode_header(header);
    std::string bytes(encoded.begin(), encoded.end());
    bytes.resize(align_up(bytes.size(), kDataAlignment) + data_bytes, '\0');
    write_file(path, bytes);
    CHECK_THAT(open_error(path), Catch::Contains("past the end"));
  }
  SECTION("a future format version") {
    header.format_version = 99;
    assign_tensor_offsets(header.tensors);
    write_with_data(path, header);
    auto file = GriffinFile::open(path);
    REQUIRE_FALSE(file.ok());
    CHECK(file.status().code() == StatusCode::kUnsupported);
  }
  SECTION("an invalid config") {
    header.config.num_kv_heads = 3;
    assign_tensor_offsets(header.tensors);
    write_with_data(path, header);
    CHECK_THAT(open_error(path), Catch::Contains("num_kv_heads"));
  }
}

TEST_CASE("Corrupted header bytes never crash the loader", "[format][file][fuzz]") {
  TempDir dir;
  const std::string bytes = read_file(write_tiny(dir));
  uint32_t header_size;
  std::memcpy(&header_size, bytes.data(), 4);
  const std::string path = dir.file("fuzz.griffin");
  uint64_t state = 12345;
  int refused = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string mutated = bytes;
    for (int flip = 0; flip < 4; ++flip) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const size_t position = 4 + (state >> 33) % header_size;
      mutated[position] = static_cast<char>(mutated[position] ^ (1 + (state >> 20) % 255));
    }
    write_file(path, mutated);
    auto file = GriffinFile::open(path);
    if (!file.ok()) {
      ++refused;
      CHECK_FALSE(file.status().message().empty());
    }
  }
  // Most random corruptions must be caught (some flips land in padding or float fields).
  CHECK(refused > 100);
}

TEST_CASE("A shape vector at a 4- but not 8-aligned offset is refused", "[format][file][fuzz]") {
  // fuzz_model_buffer found this header: FlatBuffers' verifier accepts the [long] shape vector
  // (it checks the 4-byte length field's alignment only), and reading it was a misaligned load.
  const std::string bytes = read_file(std::string(GRIFFIN_FUZZ_CORPUS_DIR) +
                                      "/model_buffer/crash-misaligned-shape-vector");
  TempDir dir;
  const std::string path = dir.file("misaligned.griffin");
  write_file(path, bytes);
  auto file = GriffinFile::open(path);
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().code() == StatusCode::kInvalidFile);
  CHECK_THAT(file.status().message(), Catch::Contains("shape vector is not 8-byte aligned"));
}

TEST_CASE("Tensor offsets past 4 GiB are 64-bit end to end", "[format][file][large]") {
  SECTION("offset planning") {
    std::vector<TensorRecord> tensors(3);
    tensors[0].size = 3ull << 30;
    tensors[1].size = (3ull << 30) + 1;
    tensors[2].size = 64;
    const uint64_t total = assign_tensor_offsets(tensors);
    CHECK(tensors[1].offset == 3ull << 30);
    CHECK(tensors[2].offset == (6ull << 30) + 64);
    CHECK(total == (6ull << 30) + 128);
  }
  SECTION("a sparse file with its last tensors beyond 4 GiB") {
    TempDir dir;
    const std::string path = dir.file("big.griffin");
    FileHeader header = tiny_header();
    uint64_t data_bytes = assign_tensor_offsets(header.tensors);
    // Move the final norm 5 GiB into the data section: the file becomes > 5 GiB, mostly holes.
    TensorRecord& last = header.tensors.back();
    last.offset = 5ull << 30;
    data_bytes = last.offset + last.size;
    const std::vector<uint8_t> encoded = encode_header(header);
    const uint64_t data_offset = align_up(encoded.size(), kDataAlignment);
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(pwrite(fd, encoded.data(), encoded.size(), 0) == (ssize_t)encoded.size());
    std::vector<float> marker(64);
    for (size_t i = 0; i < marker.size(); ++i) marker[i] = 0.25f * static_cast<float>(i);
    REQUIRE(pwrite(fd, marker.data(), last.size, (off_t)(data_offset + last.offset)) ==
            (ssize_t)last.size);
    REQUIRE(ftruncate(fd, (off_t)(data_offset + data_bytes)) == 0);
    close(fd);

    auto file = GriffinFile::open(path);
    REQUIRE(file.ok());
    const TensorView* norm = file.value()->find("model.final_norm.weight");
    REQUIRE(norm);
    CHECK(norm->file_offset == data_offset + (5ull << 30));
    CHECK(file.value()->file_bytes() > (5ull << 30));
    const float* values = static_cast<const float*>(norm->data);
    CHECK(values[0] == 0.0f);
    CHECK(values[63] == 0.25f * 63);

    // One byte short: the tensor beyond 4 GiB now runs past the end.
    REQUIRE(truncate(path.c_str(), (off_t)(data_offset + data_bytes - 1)) == 0);
    CHECK_THAT(open_error(path), Catch::Contains("model.final_norm.weight"));
  }
}
