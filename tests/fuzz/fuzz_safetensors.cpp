// Fuzz target: the converter's safetensors reader (header length, JSON header, byte ranges) on
// arbitrary file contents; every entry it accepts is read back.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "converter/safetensors.h"
#include "tests/fuzz/fuzz_target.h"

GRIFFIN_FUZZ_TARGET(safetensors) {
  // The reader takes a path (it preads tensors in pieces), so the input goes through a file.
  char path[] = "/tmp/griffin-fuzz-safetensors-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return 0;
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  close(fd);

  auto file = griffin::SafetensorsFile::open(path);
  if (file.ok()) {
    std::vector<uint8_t> buffer;
    for (const auto& [name, entry] : file.value()->entries()) {
      const uint64_t bytes = entry.end - entry.begin;
      buffer.resize(bytes < 4096 ? bytes : 4096);
      (void)file.value()->read(entry, 0, buffer.data(), buffer.size());
      (void)file.value()->find(name);
    }
  }
  unlink(path);
  return 0;
}
