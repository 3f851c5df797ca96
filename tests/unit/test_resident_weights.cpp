// griffin_model_options.prefault and lock_weights (docs/memory.md "Weights that stay
// resident"): prefault leaves every weight page resident (mincore) and mapped into the process
// (the mapping's Rss in /proc/self/smaps) right after open, where a plain open of an evicted
// file maps almost none; lock_weights pins the pages (smaps "Locked"), and when
// RLIMIT_MEMLOCK forbids it the open fails with a message that names the limit.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "converter/synthetic.h"
#include "griffin/griffin.h"
#include "runtime/src/model.h"
#include "tests/support/proc_smaps.h"
#include "tests/support/small_models.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

// Drops the file's clean pages from the page cache (a no-op on tmpfs: reported, not failed).
void evict(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
}

struct Range {
  const uint8_t* begin;
  size_t bytes;
};

// The pages of every tensor of the model.
Range weights_of(const Model& model) {
  const uint8_t* first = nullptr;
  const uint8_t* last = nullptr;
  for (const TensorView& view : model.file().tensors()) {
    const uint8_t* begin = static_cast<const uint8_t*>(view.data);
    if (first == nullptr || begin < first) first = begin;
    if (last == nullptr || begin + view.record->size > last) last = begin + view.record->size;
  }
  return {first, static_cast<size_t>(last - first)};
}

// Fraction of the range's pages resident in memory.
double resident_fraction(Range range) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(range.begin) / page * page;
  const size_t bytes = reinterpret_cast<uintptr_t>(range.begin) + range.bytes - begin;
  std::vector<unsigned char> pages((bytes + page - 1) / page);
  REQUIRE(mincore(reinterpret_cast<void*>(begin), bytes, pages.data()) == 0);
  size_t resident = 0;
  for (unsigned char p : pages) resident += p & 1;
  return static_cast<double>(resident) / static_cast<double>(pages.size());
}

// Drops CAP_IPC_LOCK from this process's effective set (mlock then obeys RLIMIT_MEMLOCK even
// for root). For the forked child only.
bool drop_ipc_lock() {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
  return syscall(SYS_capset, &header, data) == 0;
}

}  // namespace

TEST_CASE("prefault maps every weight page at open", "[memory][resident]") {
  TempDir dir;
  const std::string path = write_small_int8_model(dir, "resident.griffin");

  evict(path);
  ModelOptions plain;
  auto lazy = Model::open(path, plain);
  REQUIRE(lazy.ok());
  const Range lazy_range = weights_of(*lazy.value());
  REQUIRE(lazy_range.bytes > 4'000'000);
  const double lazy_resident = resident_fraction(lazy_range);
  const uint64_t lazy_rss = smaps_bytes(lazy_range.begin, "Rss");
  INFO("without prefault: " << lazy_resident << " of the pages resident, Rss " << lazy_rss);
  if (lazy_resident > 0.5) {
    WARN("the page cache kept the file (tmpfs?): the control without prefault proves little");
  }
  // Only the header and the small f32 tensors were read at load, not the int8 matrices.
  CHECK(lazy_rss < lazy_range.bytes / 2);
  lazy.value().reset();

  evict(path);
  ModelOptions options;
  options.prefault = true;
  auto model = Model::open(path, options);
  REQUIRE(model.ok());
  const Range range = weights_of(*model.value());
  CHECK(resident_fraction(range) == 1.0);
  CHECK(smaps_bytes(range.begin, "Rss") >= range.bytes);
  CHECK(model.value()->locked_bytes() == 0);

  // Through the C API: the option is read and the model decodes as usual.
  griffin_model_options c_options = griffin_model_default_options();
  c_options.prefault = true;
  griffin_model* handle = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &c_options, &handle) == GRIFFIN_OK);
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(handle, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  const float* logits = nullptr;
  CHECK(griffin_session_decode(session, 3, &logits) == GRIFFIN_OK);
  griffin_session_destroy(session);
  griffin_model_close(handle);
}

TEST_CASE("lock_weights pins the weights, or fails naming RLIMIT_MEMLOCK", "[memory][resident]") {
  TempDir dir;
  const std::string path = write_small_int8_model(dir, "resident.griffin");
  ModelOptions options;
  options.lock_weights = true;

  SECTION("within the limit the pages are locked until the model closes") {
    struct rlimit limit;
    REQUIRE(getrlimit(RLIMIT_MEMLOCK, &limit) == 0);
    auto model = Model::open(path, options);
    if (!model.ok()) {
      // A small default limit (often 8 MiB) may already forbid it: the message must say so.
      CHECK_THAT(model.status().message(), Catch::Contains("RLIMIT_MEMLOCK"));
      WARN("lock_weights refused here: " << model.status().message());
      return;
    }
    const Range range = weights_of(*model.value());
    CHECK(model.value()->locked_bytes() >= range.bytes);
    CHECK(resident_fraction(range) == 1.0);
    CHECK(smaps_bytes(range.begin, "Locked") >= range.bytes);
  }

  SECTION("a limit below the weights' size refuses the open with a clear error") {
    // In a child: it drops CAP_IPC_LOCK (root ignores the limit otherwise) and lowers the soft
    // limit to 64 KiB, which this process never gets back.
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(pipe_fds[0]);
      struct rlimit limit;
      getrlimit(RLIMIT_MEMLOCK, &limit);
      limit.rlim_cur = 64 * 1024;
      drop_ipc_lock();
      std::string report = "setup failed";
      if (setrlimit(RLIMIT_MEMLOCK, &limit) == 0) {
        griffin_model_options c_options = griffin_model_default_options();
        c_options.lock_weights = true;
        griffin_model* handle = nullptr;
        const griffin_status status = griffin_model_open(path.c_str(), &c_options, &handle);
        report = std::to_string(static_cast<int>(status)) + " " +
                 (handle == nullptr ? "null " : "handle ") + griffin_last_error();
        griffin_model_close(handle);
      }
      const ssize_t written = write(pipe_fds[1], report.data(), report.size());
      _exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);
    }
    close(pipe_fds[1]);
    std::string report;
    char buffer[512];
    ssize_t got;
    while ((got = read(pipe_fds[0], buffer, sizeof buffer)) > 0) report.append(buffer, got);
    close(pipe_fds[0]);
    int wait_status = 0;
    REQUIRE(waitpid(child, &wait_status, 0) == child);
    INFO("child: " << report);
    REQUIRE(WIFEXITED(wait_status));
    CHECK(report.rfind(std::to_string(GRIFFIN_ERR_OUT_OF_MEMORY) + " null ", 0) == 0);
    CHECK_THAT(report, Catch::Contains("RLIMIT_MEMLOCK allows 65536 bytes"));
    CHECK_THAT(report, Catch::Contains("lock_weights"));
  }
}
