// An output file that appears under its final name only when it is complete: bytes go to a
// temporary file in the same directory, and commit() renames it over the target. Destroying
// an uncommitted AtomicOutputFile removes the temporary file, so no error path leaves a
// partial file behind (and an existing file of the same name is untouched until commit()).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "format/status.h"

namespace griffin {

class AtomicOutputFile {
 public:
  static Result<std::unique_ptr<AtomicOutputFile>> create(const std::string& path);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  Status write(const void* data, size_t bytes);
  Status write_zeros(uint64_t bytes);
  uint64_t bytes_written() const { return bytes_written_; }

  // Flushes, syncs and renames onto the final path.
  Status commit();
  const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicOutputFile(std::string path, std::string temp_path, std::FILE* file);

  std::string path_;
  std::string temp_path_;
  std::FILE* file_;
  std::unique_ptr<char[]> buffer_;
  uint64_t bytes_written_ = 0;
  bool committed_ = false;
};

}  // namespace griffin
