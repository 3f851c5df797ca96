// The header of a .griffin file as plain C++ values, and its FlatBuffers encoding (docs/file-format.md).
//
// Byte layout of a .griffin file (docs/file-format.md):
//   [0, 4)            uint32 little-endian: header size N (the FlatBuffers size prefix)
//   [4, 4 + N)        FlatBuffer `griffin.fb.Model`, file identifier "GRFN" at bytes 8..11
//   [S, end)          data section, S = align_up(4 + N, data_alignment = 64); tensor t occupies
//                     [S + t.offset, S + t.offset + t.size), every offset a multiple of 64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/dtype.h"
#include "format/model_config.h"
#include "format/status.h"

namespace griffin {

constexpr uint32_t kFormatVersion = 1;
constexpr uint64_t kDataAlignment = 64;
constexpr char kFileIdentifier[] = "GRFN";

struct TensorRecord {
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::kF32;
  uint64_t offset = 0;  // from the start of the data section
  uint64_t size = 0;    // bytes
};

struct TokenizerInfo {
  std::string_view sentencepiece_model;  // serialized ModelProto; empty = ids only. Borrowed.
  int32_t bos_id = 2;
  int32_t eos_id = 1;
  int32_t pad_id = 0;
  std::string start_of_turn = "<start_of_turn>";
  std::string end_of_turn = "<end_of_turn>";
};

struct FileMetadata {
  std::string source;
  std::string converter_version;
  std::string dtype_recipe;
  std::string created_by;
};

struct FileHeader {
  uint32_t format_version = kFormatVersion;
  ModelConfig config;
  std::vector<TensorRecord> tensors;
  TokenizerInfo tokenizer;
  FileMetadata metadata;
};

uint64_t align_up(uint64_t value, uint64_t alignment);

// Assigns every tensor's offset (packed in order, each aligned) and returns the data section's
// total size in bytes. Sizes must already be set.
uint64_t assign_tensor_offsets(std::vector<TensorRecord>& tensors);

// The size prefix plus the FlatBuffer, ready to be written at offset 0.
std::vector<uint8_t> encode_header(const FileHeader& header);

// Verifies the size-prefixed FlatBuffer at `data` (file_size bytes available) and decodes it.
// String views in the result point into `data`. Checks structure only; semantic checks
// (tensors against the config, byte ranges) are done by GriffinFile.
Result<FileHeader> decode_header(const uint8_t* data, uint64_t file_size);

// Offset of the data section for a header of `header_bytes` (the size prefix's value).
uint64_t data_section_offset(uint32_t header_bytes);

}  // namespace griffin
