// Streaming .griffin writer (see griffin_writer.h).
#include "format/griffin_writer.h"

namespace griffin {

GriffinFileWriter::GriffinFileWriter(std::unique_ptr<AtomicOutputFile> file, FileHeader header,
                                     uint64_t data_offset, uint64_t data_bytes)
    : file_(std::move(file)), header_(std::move(header)), data_offset_(data_offset),
      data_bytes_(data_bytes) {}

Result<std::unique_ptr<GriffinFileWriter>> GriffinFileWriter::create(const std::string& path,
                                                                     FileHeader header) {
  const uint64_t data_bytes = assign_tensor_offsets(header.tensors);
  const std::vector<uint8_t> encoded = encode_header(header);
  GRF_ASSIGN_OR_RETURN(auto file, AtomicOutputFile::create(path));
  GRF_RETURN_IF_ERROR(file->write(encoded.data(), encoded.size()));
  const uint64_t data_offset = align_up(encoded.size(), kDataAlignment);
  GRF_RETURN_IF_ERROR(file->write_zeros(data_offset - encoded.size()));
  return std::unique_ptr<GriffinFileWriter>(
      new GriffinFileWriter(std::move(file), std::move(header), data_offset, data_bytes));
}

Status GriffinFileWriter::write_tensor_bytes(const void* data, size_t bytes) {
  GRF_CHECK(current_tensor_ < header_.tensors.size(), kInternal,
            "more tensor bytes than the header declares");
  const TensorRecord& tensor = header_.tensors[current_tensor_];
  GRF_CHECK(current_written_ + bytes <= tensor.size, kInternal,
            "tensor %s: writing past its %llu bytes", tensor.name.c_str(),
            (unsigned long long)tensor.size);
  GRF_RETURN_IF_ERROR(file_->write(data, bytes));
  current_written_ += bytes;
  return Status::ok_status();
}

Status GriffinFileWriter::end_tensor() {
  GRF_CHECK(current_tensor_ < header_.tensors.size(), kInternal, "end_tensor past the last one");
  const TensorRecord& tensor = header_.tensors[current_tensor_];
  GRF_CHECK(current_written_ == tensor.size, kInternal, "tensor %s: wrote %llu of %llu bytes",
            tensor.name.c_str(), (unsigned long long)current_written_,
            (unsigned long long)tensor.size);
  const uint64_t end = tensor.offset + tensor.size;
  GRF_RETURN_IF_ERROR(file_->write_zeros(align_up(end, kDataAlignment) - end));
  ++current_tensor_;
  current_written_ = 0;
  return Status::ok_status();
}

Status GriffinFileWriter::finish() {
  GRF_CHECK(current_tensor_ == header_.tensors.size(), kInternal,
            "finish after %zu of %zu tensors", current_tensor_, header_.tensors.size());
  GRF_CHECK(file_->bytes_written() == total_file_bytes(), kInternal,
            "wrote %llu bytes, planned %llu", (unsigned long long)file_->bytes_written(),
            (unsigned long long)total_file_bytes());
  return file_->commit();
}

}  // namespace griffin
