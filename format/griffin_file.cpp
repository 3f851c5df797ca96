// Opening and verifying .griffin files (see griffin_file.h).
#include "format/griffin_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "format/hash.h"
#include "format/quant.h"

namespace griffin {

GriffinFile::~GriffinFile() {
  if (mapping_ != nullptr) munmap(const_cast<uint8_t*>(mapping_), file_bytes_);
}

Result<std::unique_ptr<GriffinFile>> GriffinFile::open(const std::string& path) {
  std::unique_ptr<GriffinFile> file(new GriffinFile());
  file->path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  GRF_CHECK(fd >= 0, kNotFound, "%s: cannot open: %s", path.c_str(), std::strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return make_status(StatusCode::kInvalidArgument, "%s: not a regular file", path.c_str());
  }
  file->file_bytes_ = static_cast<uint64_t>(info.st_size);
  if (file->file_bytes_ < 12) {
    close(fd);
    return make_status(StatusCode::kInvalidFile,
                       "%s: %llu bytes is too small to be a .griffin file", path.c_str(),
                       (unsigned long long)file->file_bytes_);
  }
  // Read-only shared mapping: weights stay clean page-cache pages, shared between processes.
  void* mapping = mmap(nullptr, file->file_bytes_, PROT_READ, MAP_SHARED, fd, 0);
  const int map_error = errno;
  close(fd);
  GRF_CHECK(mapping != MAP_FAILED, kIoError, "%s: cannot map %llu bytes: %s", path.c_str(),
            (unsigned long long)file->file_bytes_, std::strerror(map_error));
  file->mapping_ = static_cast<const uint8_t*>(mapping);

  auto header = decode_header(file->mapping_, file->file_bytes_);
  if (!header.ok()) return header.status().with_context(path);
  file->header_ = std::move(header).value();
  uint32_t header_size;
  std::memcpy(&header_size, file->mapping_, 4);
  file->data_offset_ = data_section_offset(header_size);
  // decode_header verified that the FlatBuffer (and so the header) lies inside the file.
  file->identity_ = fnv1a64(file->mapping_, 4 + static_cast<size_t>(header_size));
  Status config_status = validate_config(file->header_.config);
  if (!config_status.ok()) return config_status.with_context(path + ": config");
  Status tensor_status = file->check_tensors();
  if (!tensor_status.ok()) return tensor_status.with_context(path);
  return file;
}

Status GriffinFile::check_tensors() {
  const std::vector<TensorRecord>& records = header_.tensors;
  for (size_t i = 0; i < records.size(); ++i) {
    GRF_CHECK(index_.emplace(records[i].name, i).second, kInvalidFile, "tensor %s appears twice",
              records[i].name.c_str());
  }
  const std::vector<TensorSpec> expected = expected_tensors(header_.config);
  const uint64_t data_bytes = file_bytes_ > data_offset_ ? file_bytes_ - data_offset_ : 0;
  for (const TensorSpec& spec : expected) {
    auto found = index_.find(spec.name);
    GRF_CHECK(found != index_.end(), kInvalidFile, "tensor %s is missing", spec.name.c_str());
    const TensorRecord& record = records[found->second];
    GRF_CHECK(record.shape == spec.shape, kInvalidFile,
              "tensor %s has shape %s, the config implies %s", spec.name.c_str(),
              shape_string(record.shape).c_str(), shape_string(spec.shape).c_str());
    GRF_CHECK(!is_quantized(record.dtype) || spec.shape.size() == 2, kInvalidFile,
              "tensor %s: %s is only for matrices", spec.name.c_str(), dtype_name(record.dtype));
    const uint64_t expected_size = tensor_bytes(spec.shape, record.dtype);
    GRF_CHECK(record.size == expected_size, kInvalidFile,
              "tensor %s: %llu bytes recorded, %s %s needs %llu", spec.name.c_str(),
              (unsigned long long)record.size, shape_string(spec.shape).c_str(),
              dtype_name(record.dtype), (unsigned long long)expected_size);
    GRF_CHECK(record.offset % kDataAlignment == 0, kInvalidFile,
              "tensor %s: offset %llu is not %llu-byte aligned", spec.name.c_str(),
              (unsigned long long)record.offset, (unsigned long long)kDataAlignment);
    // Written as a subtraction so that huge offsets cannot wrap around.
    GRF_CHECK(record.offset <= data_bytes && record.size <= data_bytes - record.offset,
              kInvalidFile,
              "tensor %s: bytes [%llu, %llu) of the data section run past the end of the file "
              "(%llu data bytes; truncated file?)",
              spec.name.c_str(), (unsigned long long)record.offset,
              (unsigned long long)(record.offset + record.size), (unsigned long long)data_bytes);
    by_name_.emplace(spec.name, tensors_.size());
    tensors_.push_back(TensorView{&record, spec.role, mapping_ + data_offset_ + record.offset,
                                  data_offset_ + record.offset});
  }
  if (records.size() != expected.size()) {
    for (const TensorRecord& record : records) {
      bool known = false;
      for (const TensorSpec& spec : expected) known = known || spec.name == record.name;
      GRF_CHECK(known, kInvalidFile, "unexpected tensor %s", record.name.c_str());
    }
  }
  const TokenizerInfo& tok = header_.tokenizer;
  for (int32_t id : {tok.bos_id, tok.eos_id, tok.pad_id}) {
    GRF_CHECK(id >= 0 && id < header_.config.vocab_size, kInvalidFile,
              "special token id %d outside the vocabulary of %lld", id,
              (long long)header_.config.vocab_size);
  }
  return Status::ok_status();
}

const TensorView* GriffinFile::find(const std::string& name) const {
  auto found = by_name_.find(name);
  return found == by_name_.end() ? nullptr : &tensors_[found->second];
}

int64_t GriffinFile::parameter_count() const {
  int64_t total = 0;
  for (const TensorView& view : tensors_) total += element_count(view.record->shape);
  return total;
}

}  // namespace griffin
