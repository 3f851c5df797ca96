// Opening and verifying .griffin files (see griffin_file.h).
#include "format/griffin_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "format/hash.h"
#include "format/quant.h"

namespace griffin {

GriffinFile::~GriffinFile() {
  if (map_base_ != nullptr) munmap(map_base_, map_bytes_);
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
  file->map_base_ = mapping;
  file->map_bytes_ = file->file_bytes_;
  GRF_RETURN_IF_ERROR(file->verify());
  return file;
}

Status GriffinFile::verify() {
  auto header = decode_header(mapping_, file_bytes_);
  if (!header.ok()) return header.status().with_context(path_);
  header_ = std::move(header).value();
  uint32_t header_size;
  std::memcpy(&header_size, mapping_, 4);
  data_offset_ = data_section_offset(header_size);
  // decode_header verified that the FlatBuffer (and so the header) lies inside the file.
  identity_ = fnv1a64(mapping_, 4 + static_cast<size_t>(header_size));
  Status config_status = validate_config(header_.config);
  if (!config_status.ok()) return config_status.with_context(path_ + ": config");
  Status tensor_status = check_tensors();
  if (!tensor_status.ok()) return tensor_status.with_context(path_);
  return Status::ok_status();
}

Result<std::unique_ptr<GriffinFile>> GriffinFile::open_fd(int fd, uint64_t offset, uint64_t length,
                                                          Memory memory) {
  GRF_CHECK(fd >= 0, kInvalidArgument, "file descriptor %d is not open", fd);
  struct stat info;
  GRF_CHECK(fstat(fd, &info) == 0, kInvalidArgument, "fd %d: cannot stat: %s", fd,
            std::strerror(errno));
  GRF_CHECK(S_ISREG(info.st_mode), kInvalidArgument, "fd %d: not a regular file", fd);
  const uint64_t end = static_cast<uint64_t>(info.st_size);
  GRF_CHECK(offset <= end, kInvalidArgument,
            "fd %d: offset %llu is past the end of the file (%llu bytes)", fd,
            (unsigned long long)offset, (unsigned long long)end);
  if (length == 0) length = end - offset;
  // Written as a subtraction so that a huge length cannot wrap around.
  GRF_CHECK(length <= end - offset, kInvalidArgument,
            "fd %d: %llu bytes at offset %llu run past the end of the file (%llu bytes)", fd,
            (unsigned long long)length, (unsigned long long)offset, (unsigned long long)end);
  GRF_CHECK(length <= SIZE_MAX / 2, kUnsupported, "fd %d: %llu bytes cannot be mapped here", fd,
            (unsigned long long)length);

  std::unique_ptr<GriffinFile> file(new GriffinFile());
  char description[64];
  std::snprintf(description, sizeof description, "fd %d at offset %llu", fd,
                (unsigned long long)offset);
  file->path_ = description;
  file->file_bytes_ = length;
  GRF_CHECK(length >= 12, kInvalidFile, "%s: %llu bytes is too small to be a .griffin file",
            description, (unsigned long long)length);
  if (offset % kDataAlignment == 0 && memory == Memory::kMapped) {
    // mmap wants a page-aligned file offset: map from the page boundary below and point inside.
    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    const uint64_t lead = offset % page;
    const size_t bytes = static_cast<size_t>(lead + length);
    void* mapping =
        mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(offset - lead));
    GRF_CHECK(mapping != MAP_FAILED, kIoError, "%s: cannot map %zu bytes: %s", description, bytes,
              std::strerror(errno));
    file->map_base_ = mapping;
    file->map_bytes_ = bytes;
    file->mapping_ = static_cast<const uint8_t*>(mapping) + lead;
  } else {
    // A mapping would put every tensor off its alignment (or the caller asked for a copy), so
    // read an aligned copy.
    const PrivateCopy::Pages pages =
        memory == Memory::kHugePageCopy ? PrivateCopy::Pages::kHuge : PrivateCopy::Pages::kDefault;
    auto copy = PrivateCopy::read(fd, offset, static_cast<size_t>(length), kDataAlignment, pages,
                                  description);
    if (!copy.ok()) return copy.status();
    file->copy_ = std::move(copy).value();
    file->mapping_ = file->copy_->data();
  }
  GRF_RETURN_IF_ERROR(file->verify());
  return file;
}

Result<std::unique_ptr<GriffinFile>> GriffinFile::open_buffer(const void* data, size_t size) {
  GRF_CHECK(data != nullptr, kInvalidArgument, "model buffer is NULL");
  GRF_CHECK(reinterpret_cast<uintptr_t>(data) % kDataAlignment == 0, kInvalidArgument,
            "model buffer at %p is not %llu-byte aligned (the tensors inside would not be)", data,
            (unsigned long long)kDataAlignment);
  std::unique_ptr<GriffinFile> file(new GriffinFile());
  char description[64];
  std::snprintf(description, sizeof description, "buffer of %zu bytes", size);
  file->path_ = description;
  file->file_bytes_ = size;
  GRF_CHECK(size >= 12, kInvalidFile, "%s: too small to be a .griffin file", description);
  file->mapping_ = static_cast<const uint8_t*>(data);
  GRF_RETURN_IF_ERROR(file->verify());
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
