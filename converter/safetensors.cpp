// Safetensors header parsing and chunked tensor reads (see safetensors.h).
#include "converter/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "format/tensor_specs.h"

namespace griffin {

namespace {

// Safetensors caps its header at 100 MB; a larger length means a corrupt or foreign file.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

Status read_exact(int fd, uint64_t offset, void* out, size_t bytes, const std::string& path) {
  char* cursor = static_cast<char*>(out);
  while (bytes > 0) {
    const ssize_t got = pread(fd, cursor, bytes, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    GRF_CHECK(got >= 0, kIoError, "%s: read failed: %s", path.c_str(), std::strerror(errno));
    GRF_CHECK(got > 0, kInvalidFile, "%s: unexpected end of file at byte %llu", path.c_str(),
              (unsigned long long)offset);
    cursor += got;
    offset += static_cast<uint64_t>(got);
    bytes -= static_cast<size_t>(got);
  }
  return Status::ok_status();
}

size_t source_dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" ||
      dtype == "F8_E5M2")
    return 1;
  return 0;
}

Result<SafetensorsEntry> parse_entry(const std::string& name, const nlohmann::json& value,
                                     uint64_t data_start, uint64_t file_size) {
  GRF_CHECK(value.is_object() && value.contains("dtype") && value["dtype"].is_string() &&
                value.contains("shape") && value["shape"].is_array() &&
                value.contains("data_offsets") && value["data_offsets"].is_array() &&
                value["data_offsets"].size() == 2,
            kInvalidFile, "tensor %s: header entry needs dtype, shape and two data_offsets",
            name.c_str());
  SafetensorsEntry entry;
  entry.name = name;
  entry.source_dtype = value["dtype"].get<std::string>();
  const size_t element_bytes = source_dtype_size(entry.source_dtype);
  GRF_CHECK(element_bytes > 0, kInvalidFile, "tensor %s: unknown safetensors dtype '%s'",
            name.c_str(), entry.source_dtype.c_str());
  const std::optional<DType> dtype = entry.source_dtype == "F32"    ? DType::kF32
                                     : entry.source_dtype == "F16"  ? DType::kF16
                                     : entry.source_dtype == "BF16" ? std::optional(DType::kBF16)
                                                                    : std::nullopt;
  entry.supported = dtype.has_value();
  entry.dtype = dtype.value_or(DType::kF32);
  uint64_t elements = 1;
  for (const nlohmann::json& dim : value["shape"]) {
    GRF_CHECK(dim.is_number_unsigned() && dim.get<uint64_t>() < (uint64_t{1} << 40),
              kInvalidFile, "tensor %s: shape has a bad dimension", name.c_str());
    const uint64_t size = dim.get<uint64_t>();
    entry.shape.push_back(static_cast<int64_t>(size));
    GRF_CHECK(size == 0 || elements <= (uint64_t{1} << 50) / size, kInvalidFile,
              "tensor %s: shape %s is absurdly large", name.c_str(),
              shape_string(entry.shape).c_str());
    elements *= size;
  }
  const nlohmann::json& offsets = value["data_offsets"];
  GRF_CHECK(offsets[0].is_number_unsigned() && offsets[1].is_number_unsigned(), kInvalidFile,
            "tensor %s: data_offsets must be non-negative integers", name.c_str());
  const uint64_t begin = offsets[0].get<uint64_t>();
  const uint64_t end = offsets[1].get<uint64_t>();
  GRF_CHECK(begin <= end, kInvalidFile, "tensor %s: data_offsets [%llu, %llu) are reversed",
            name.c_str(), (unsigned long long)begin, (unsigned long long)end);
  GRF_CHECK(end - begin == elements * element_bytes, kInvalidFile,
            "tensor %s: %llu bytes for shape %s of %s (%llu expected)", name.c_str(),
            (unsigned long long)(end - begin), shape_string(entry.shape).c_str(),
            entry.source_dtype.c_str(), (unsigned long long)(elements * element_bytes));
  GRF_CHECK(end <= file_size - data_start, kInvalidFile,
            "tensor %s: bytes [%llu, %llu) run past the end of the file (%llu data bytes; "
            "truncated?)",
            name.c_str(), (unsigned long long)begin, (unsigned long long)end,
            (unsigned long long)(file_size - data_start));
  entry.begin = data_start + begin;
  entry.end = data_start + end;
  return entry;
}

}  // namespace

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  GRF_CHECK(fd >= 0, kNotFound, "%s: cannot open: %s", path.c_str(), std::strerror(errno));
  std::unique_ptr<SafetensorsFile> file(new SafetensorsFile(path, fd));
  struct stat info;
  GRF_CHECK(fstat(fd, &info) == 0, kIoError, "%s: %s", path.c_str(), std::strerror(errno));
  const uint64_t file_size = static_cast<uint64_t>(info.st_size);
  GRF_CHECK(file_size >= 8, kInvalidFile,
            "%s: truncated safetensors file (%llu bytes, no header length)", path.c_str(),
            (unsigned long long)file_size);
  uint8_t length_bytes[8];
  GRF_RETURN_IF_ERROR(read_exact(fd, 0, length_bytes, 8, path));
  uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = header_bytes << 8 | length_bytes[i];
  GRF_CHECK(header_bytes <= kMaxHeaderBytes, kInvalidFile,
            "%s: header length %llu is not plausible (corrupt or not a safetensors file)",
            path.c_str(), (unsigned long long)header_bytes);
  GRF_CHECK(8 + header_bytes <= file_size, kInvalidFile,
            "%s: truncated safetensors header (%llu bytes declared, %llu in the file)",
            path.c_str(), (unsigned long long)header_bytes,
            (unsigned long long)(file_size - 8));
  std::string text(header_bytes, '\0');
  GRF_RETURN_IF_ERROR(read_exact(fd, 8, text.data(), text.size(), path));
  nlohmann::json header = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  GRF_CHECK(!header.is_discarded() && header.is_object(), kInvalidFile,
            "%s: malformed safetensors header (not a JSON object)", path.c_str());
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") continue;
    auto entry = parse_entry(name, value, 8 + header_bytes, file_size);
    if (!entry.ok()) return entry.status().with_context(path);
    file->entries_.emplace(name, std::move(entry).value());
  }
  return file;
}

SafetensorsFile::~SafetensorsFile() { close(fd_); }

const SafetensorsEntry* SafetensorsFile::find(const std::string& name) const {
  auto found = entries_.find(name);
  return found == entries_.end() ? nullptr : &found->second;
}

Status SafetensorsFile::read(const SafetensorsEntry& entry, uint64_t offset, void* out,
                             size_t bytes) const {
  GRF_CHECK(offset <= entry.end - entry.begin && bytes <= entry.end - entry.begin - offset,
            kInternal, "%s: read outside tensor %s", path_.c_str(), entry.name.c_str());
  return read_exact(fd_, entry.begin + offset, out, bytes, path_).with_context(entry.name);
}

}  // namespace griffin
