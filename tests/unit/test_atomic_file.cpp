// Output files appear only when complete.
#include <catch2/catch.hpp>

#include "format/atomic_file.h"
#include "tests/support/test_files.h"

using namespace griffin;
using namespace griffin::test;

TEST_CASE("An uncommitted output file leaves nothing behind", "[format][atomic]") {
  TempDir dir;
  {
    auto file = AtomicOutputFile::create(dir.file("out.griffin"));
    REQUIRE(file.ok());
    REQUIRE(file.value()->write("abc", 3).ok());
    CHECK(dir.list().size() == 1);  // the temporary file
  }
  CHECK(dir.list().empty());
}

TEST_CASE("commit() replaces the target only at the end", "[format][atomic]") {
  TempDir dir;
  const std::string path = dir.file("out.griffin");
  write_file(path, "old");
  {
    auto file = AtomicOutputFile::create(path);
    REQUIRE(file.ok());
    REQUIRE(file.value()->write("new contents", 12).ok());
    CHECK(read_file(path) == "old");
    REQUIRE(file.value()->commit().ok());
  }
  CHECK(read_file(path) == "new contents");
  CHECK(dir.list() == std::vector<std::string>{"out.griffin"});
}

TEST_CASE("An output file in a missing directory is an I/O error", "[format][atomic]") {
  auto file = AtomicOutputFile::create("/nonexistent-dir/out.griffin");
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().code() == StatusCode::kIoError);
  CHECK_THAT(file.status().message(), Catch::Contains("/nonexistent-dir"));
}
