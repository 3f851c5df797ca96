// NpyWriter (see npy_writer.h). The .npy 1.0 layout: the magic "\x93NUMPY", version bytes 1 0, a
// little-endian uint16 header length, then a Python dict literal padded with spaces and ended by
// '\n' so that the data starts at a multiple of 64 bytes, then the raw array in C order.
#include "examples/common/npy_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "examples/common/tool_common.h"

namespace griffin_tools {

namespace {

bool host_is_little_endian() {
  const uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

std::string npy_header(size_t rows, size_t cols) {
  // Floats are written in host byte order, so the descriptor names the host's.
  const char* descr = host_is_little_endian() ? "<f4" : ">f4";
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  const size_t prefix = 10;  // magic (6) + version (2) + header length (2)
  const size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>(dict.size() >> 8);
  return header + dict;
}

}  // namespace

NpyWriter::NpyWriter(const std::string& path, size_t rows, size_t cols)
    : path_(path), rows_(rows), cols_(cols) {
  // mkstemp in the target's directory, so that rename() never crosses file systems.
  std::vector<char> name(path.begin(), path.end());
  const char suffix[] = ".tmp-XXXXXX";
  name.insert(name.end(), suffix, suffix + sizeof suffix);  // includes the NUL
  const int fd = mkstemp(name.data());
  if (fd < 0)
    throw ToolError("cannot create a temporary file for " + path + ": " + std::strerror(errno));
  temp_path_ = name.data();
  // mkstemp creates the file 0600; give it the mode a plain open() would (0666 less umask).
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  file_ = fdopen(fd, "wb");
  if (file_ == nullptr) {
    const int error = errno;
    close(fd);
    unlink(temp_path_.c_str());
    throw ToolError("cannot open " + temp_path_ + ": " + std::strerror(error));
  }
  const std::string header = npy_header(rows, cols);
  write_bytes(header.data(), header.size());
}

NpyWriter::~NpyWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) unlink(temp_path_.c_str());
}

void NpyWriter::write_bytes(const void* data, size_t bytes) {
  if (bytes != 0 && std::fwrite(data, 1, bytes, file_) != bytes) {
    throw ToolError("cannot write " + temp_path_ + ": " + std::strerror(errno));
  }
}

void NpyWriter::append_rows(const float* data, size_t count) {
  if (rows_written_ + count > rows_) {
    throw ToolError("npy writer: " + std::to_string(rows_written_ + count) +
                    " rows written to an array of " + std::to_string(rows_));
  }
  write_bytes(data, count * cols_ * sizeof(float));
  rows_written_ += count;
}

void NpyWriter::commit() {
  if (rows_written_ != rows_) {
    throw ToolError("npy writer: " + std::to_string(rows_written_) + " of " +
                    std::to_string(rows_) + " rows written");
  }
  const bool flushed = std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
  const int error = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) {
    throw ToolError("cannot write " + temp_path_ + ": " + std::strerror(flushed ? errno : error));
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw ToolError("cannot rename " + temp_path_ + " to " + path_ + ": " + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace griffin_tools
