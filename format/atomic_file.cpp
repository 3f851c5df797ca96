// Temporary-file-then-rename output (see atomic_file.h).
#include "format/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace griffin {

namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(std::string path, std::string temp_path, std::FILE* file)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), file_(file),
      buffer_(new char[kBufferBytes]) {
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferBytes);
}

Result<std::unique_ptr<AtomicOutputFile>> AtomicOutputFile::create(const std::string& path) {
  GRF_CHECK(!path.empty() && path.back() != '/', kInvalidArgument,
            "output path '%s' is not a file name", path.c_str());
  std::string temp = directory_of(path) + "/." + base_name_of(path) + ".partial-XXXXXX";
  const int fd = mkstemp(temp.data());
  GRF_CHECK(fd >= 0, kIoError, "cannot create a file in %s: %s", directory_of(path).c_str(),
            std::strerror(errno));
  std::FILE* file = fdopen(fd, "wb");
  if (file == nullptr) {
    const int error = errno;
    close(fd);
    unlink(temp.c_str());
    return make_status(StatusCode::kIoError, "cannot open %s: %s", temp.c_str(),
                       std::strerror(error));
  }
  // The final file gets ordinary permissions (mkstemp makes it 0600).
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  return std::unique_ptr<AtomicOutputFile>(new AtomicOutputFile(path, temp, file));
}

AtomicOutputFile::~AtomicOutputFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) unlink(temp_path_.c_str());
}

Status AtomicOutputFile::write(const void* data, size_t bytes) {
  GRF_CHECK(file_ != nullptr, kInternal, "write after commit to %s", path_.c_str());
  GRF_CHECK(std::fwrite(data, 1, bytes, file_) == bytes, kIoError, "writing %s: %s",
            path_.c_str(), std::strerror(errno));
  bytes_written_ += bytes;
  return Status::ok_status();
}

Status AtomicOutputFile::write_zeros(uint64_t bytes) {
  static const char kZeros[4096] = {};
  while (bytes > 0) {
    const size_t chunk = bytes < sizeof kZeros ? static_cast<size_t>(bytes) : sizeof kZeros;
    GRF_RETURN_IF_ERROR(write(kZeros, chunk));
    bytes -= chunk;
  }
  return Status::ok_status();
}

Status AtomicOutputFile::commit() {
  GRF_CHECK(file_ != nullptr, kInternal, "commit twice to %s", path_.c_str());
  const bool flushed = std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
  const int flush_error = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  GRF_CHECK(flushed && closed, kIoError, "writing %s: %s", path_.c_str(),
            std::strerror(flushed ? errno : flush_error));
  GRF_CHECK(std::rename(temp_path_.c_str(), path_.c_str()) == 0, kIoError,
            "cannot rename %s to %s: %s", temp_path_.c_str(), path_.c_str(),
            std::strerror(errno));
  committed_ = true;
  // Make the rename itself durable; failure here does not undo a complete file.
  const int dir = open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return Status::ok_status();
}

}  // namespace griffin
