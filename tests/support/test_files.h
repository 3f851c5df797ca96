// Test helpers for files: a scratch directory removed at the end of a test, whole-file reads
// and writes, and a hand-rolled safetensors encoder that shares no code with the converter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace griffin::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Names of the entries in the directory (no "." or ".."), sorted.
  std::vector<std::string> list() const;

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);

// One tensor for encode_safetensors: raw little-endian bytes in `dtype` ("F32", "BF16", ...).
struct RawTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

// A safetensors file built by hand: u64 header length, JSON header, data.
std::string encode_safetensors(const std::vector<RawTensor>& tensors);

// Little-endian bytes of float32 values, and of 16-bit patterns.
std::string f32_bytes(const std::vector<float>& values);
std::string u16_bytes(const std::vector<uint16_t>& values);

// Runs a shell command, returning its exit status and combined stdout+stderr.
int run_command(const std::string& command, std::string* output);

}  // namespace griffin::test
