// griffin_model_options.huge_pages (docs/memory.md "Huge pages"): the file is read into a
// private copy on 2 MB boundaries, advised for transparent huge pages. The model must give the
// mapped model's logits bit for bit (by path and by fd), report how much of the copy the kernel
// put in huge pages, and that count must agree with /proc/self/smaps read here independently.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "format/private_copy.h"
#include "griffin/griffin.h"
#include "tests/support/fixture_models.h"
#include "tests/support/proc_smaps.h"
#include "tests/support/small_models.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// Logits after a short prompt and two decoded tokens.
std::vector<float> run(griffin_model* model) {
  griffin_session* session = nullptr;
  REQUIRE(griffin_session_create(model, nullptr, nullptr, 0, &session) == GRIFFIN_OK);
  const int32_t prompt[] = {2, 100, 200, 300, 17};
  REQUIRE(griffin_session_prefill(session, prompt, 5, nullptr, 0) == GRIFFIN_OK);
  const float* logits = nullptr;
  REQUIRE(griffin_session_decode(session, 400, &logits) == GRIFFIN_OK);
  REQUIRE(griffin_session_decode(session, 5, &logits) == GRIFFIN_OK);
  size_t n = 0;
  REQUIRE(griffin_session_logits(session, &logits, &n) == GRIFFIN_OK);
  std::vector<float> out(logits, logits + n);
  griffin_session_destroy(session);
  return out;
}

}  // namespace

TEST_CASE("huge_pages gives the mapped model's logits, by path and by fd", "[memory][huge]") {
  TempDir dir;
  const std::string path = write_small_int8_model(dir, "huge.griffin");
  const uint64_t file_bytes = read_file(path).size();
  REQUIRE(file_bytes > 3 * kHugePage);

  griffin_model_options options = griffin_model_default_options();
  options.num_threads = 1;
  griffin_model* mapped = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &options, &mapped) == GRIFFIN_OK);
  const std::vector<float> expected = run(mapped);
  CHECK(model_info(mapped).weights_huge_page_bytes == 0);
  griffin_model_close(mapped);

  options.huge_pages = true;
  griffin_model* by_path = nullptr;
  REQUIRE(griffin_model_open(path.c_str(), &options, &by_path) == GRIFFIN_OK);
  const int fd = open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  griffin_model* by_fd = nullptr;
  REQUIRE(griffin_model_open_fd(fd, 0, 0, &options, &by_fd) == GRIFFIN_OK);
  close(fd);  // the copy no longer needs it

  for (griffin_model* model : {by_path, by_fd}) {
    const std::vector<float> logits = run(model);
    REQUIRE(logits.size() == expected.size());
    CHECK(std::memcmp(logits.data(), expected.data(), logits.size() * sizeof(float)) == 0);
    const uint64_t huge = model_info(model).weights_huge_page_bytes;
    INFO("huge page bytes " << huge << " of " << file_bytes);
    CHECK(huge <= file_bytes);
    // Whole 2 MB pages, except that the count stops at the file's end.
    CHECK((huge % kHugePage == 0 || huge == file_bytes));
    if (huge == 0) WARN("the kernel granted no huge pages (THP off or memory fragmented)");
  }
  griffin_model_close(by_path);
  griffin_model_close(by_fd);

  // A file that vanished is still reported as such.
  griffin_model* missing = nullptr;
  CHECK(griffin_model_open("/nonexistent/model.griffin", &options, &missing) ==
        GRIFFIN_ERR_NOT_FOUND);
  CHECK(missing == nullptr);
}

TEST_CASE("a huge-page copy is aligned, read-only data equal to the file", "[memory][huge]") {
  TempDir dir;
  const std::string path = write_small_int8_model(dir, "huge.griffin");
  const std::string bytes = read_file(path);
  const int fd = open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  auto copy = PrivateCopy::read(fd, 64, bytes.size() - 64, 64, PrivateCopy::Pages::kHuge, "test");
  REQUIRE(copy.ok());
  const PrivateCopy& c = *copy.value();
  CHECK(reinterpret_cast<uintptr_t>(c.data()) % kHugePage == 0);
  REQUIRE(c.size() == bytes.size() - 64);
  CHECK(std::memcmp(c.data(), bytes.data() + 64, c.size()) == 0);
  // The count agrees with this test's own reading of smaps (at most the copy's size).
  const uint64_t seen = smaps_bytes(c.data(), "AnonHugePages");
  CHECK(c.huge_page_bytes() == std::min<uint64_t>(seen, c.size()));

  // Asking for more than the file holds fails with the reason, and leaves nothing behind.
  auto too_long = PrivateCopy::read(fd, 0, bytes.size() + 1, 64, PrivateCopy::Pages::kHuge, "f");
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.status().code() == StatusCode::kIoError);
  CHECK_THAT(too_long.status().message(), Catch::Contains("unexpected end of file"));
  close(fd);
}

TEST_CASE("anon_huge_page_bytes reads one mapping's count from smaps", "[memory][huge]") {
  const size_t bytes = 4 * kHugePage;
  void* raw =
      mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(raw != MAP_FAILED);
  uint8_t* region = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw) + kHugePage - 1) /
                                               kHugePage * kHugePage);

  SECTION("a region kept in 4 KB pages has none") {
    REQUIRE(madvise(region, bytes, MADV_NOHUGEPAGE) == 0);
    std::memset(region, 1, bytes);
    CHECK(anon_huge_page_bytes(region, bytes) ==
          std::min<uint64_t>(smaps_bytes(region, "AnonHugePages"), bytes));
    // Where the kernel took the advice (qemu-user, for one, accepts and ignores it), it says the
    // region may not have huge pages, and it has none.
    if (smaps_value(region, "THPeligible") == 0) CHECK(anon_huge_page_bytes(region, bytes) == 0);
  }
  SECTION("an advised region has what smaps says, at most the size asked about") {
    madvise(region, bytes, MADV_HUGEPAGE);
    std::memset(region, 1, bytes);
    const uint64_t seen = smaps_bytes(region, "AnonHugePages");
    CHECK(anon_huge_page_bytes(region, bytes) == std::min<uint64_t>(seen, bytes));
    CHECK(anon_huge_page_bytes(region, kHugePage / 2) <= kHugePage / 2);
    if (seen == 0) WARN("the kernel granted no huge pages (THP off or memory fragmented)");
  }
  munmap(raw, bytes + kHugePage);
  // An address no mapping holds.
  CHECK(anon_huge_page_bytes(raw, 4096) == 0);
}
