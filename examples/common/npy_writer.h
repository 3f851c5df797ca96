// Streams a float32 matrix into a NumPy .npy file (format 1.0, '<f4', C order), atomically: rows
// go to a temporary file next to the target, which is renamed over it only by commit(). A writer
// destroyed without commit() removes the temporary file, so an error never leaves a partial file.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace griffin_tools {

class NpyWriter {
 public:
  // Creates the temporary file and writes the header for shape (rows, cols). Throws ToolError.
  NpyWriter(const std::string& path, size_t rows, size_t cols);
  ~NpyWriter();
  NpyWriter(const NpyWriter&) = delete;
  NpyWriter& operator=(const NpyWriter&) = delete;

  // Appends `count` rows of cols floats each.
  void append_rows(const float* data, size_t count);
  // Checks that every row arrived, flushes, syncs and renames into place.
  void commit();

 private:
  void write_bytes(const void* data, size_t bytes);

  std::string path_, temp_path_;
  std::FILE* file_ = nullptr;
  size_t rows_, cols_, rows_written_ = 0;
  bool committed_ = false;
};

}  // namespace griffin_tools
