// Streaming safetensors writer (see safetensors_writer.h).
#include "converter/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include "format/quant.h"
#include "format/tensor_specs.h"

namespace griffin {

const char* safetensors_dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "F32";
    case DType::kF16: return "F16";
    case DType::kBF16: return "BF16";
    case DType::kInt8:
    case DType::kInt4: break;  // not a safetensors type: create() refuses it
  }
  return "?";
}

Result<std::unique_ptr<SafetensorsWriter>> SafetensorsWriter::create(
    const std::string& path, std::vector<TensorRecord> records) {
  // nlohmann::ordered_json keeps the table order, which is also the byte order.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  header["__metadata__"] = {{"format", "pt"}};
  uint64_t cursor = 0;
  for (TensorRecord& record : records) {
    GRF_CHECK(!is_quantized(record.dtype), kInvalidArgument,
              "tensor %s: safetensors files hold float tensors only", record.name.c_str());
    record.size = static_cast<uint64_t>(element_count(record.shape)) * dtype_size(record.dtype);
    record.offset = cursor;
    header[record.name] = {{"dtype", safetensors_dtype_name(record.dtype)},
                           {"shape", record.shape},
                           {"data_offsets", {cursor, cursor + record.size}}};
    cursor += record.size;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned
  GRF_ASSIGN_OR_RETURN(auto file, AtomicOutputFile::create(path));
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(text.size() >> (8 * i));
  GRF_RETURN_IF_ERROR(file->write(length, 8));
  GRF_RETURN_IF_ERROR(file->write(text.data(), text.size()));
  return std::unique_ptr<SafetensorsWriter>(new SafetensorsWriter(std::move(file), std::move(records)));
}

Status SafetensorsWriter::write_tensor_bytes(const void* data, size_t bytes) {
  GRF_CHECK(current_ < records_.size() && written_ + bytes <= records_[current_].size, kInternal,
            "safetensors writer: more bytes than declared");
  written_ += bytes;
  return file_->write(data, bytes);
}

Status SafetensorsWriter::end_tensor() {
  GRF_CHECK(current_ < records_.size() && written_ == records_[current_].size, kInternal,
            "safetensors writer: tensor ended early");
  ++current_;
  written_ = 0;
  return Status::ok_status();
}

Status SafetensorsWriter::finish() {
  GRF_CHECK(current_ == records_.size(), kInternal, "safetensors writer: tensors missing");
  return file_->commit();
}

}  // namespace griffin
