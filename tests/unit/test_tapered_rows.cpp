// How Linear::run cuts output rows into pool tasks (runtime/src/tapered-rows.h): the tasks cover
// every row once, in order; each thread's share is cut into the same number of pieces, which
// shrink towards the share's end, where another thread takes them first; boundaries sit on
// 32-row blocks; and one thread gets one task.
#include <catch2/catch.hpp>

#include <cstddef>
#include <vector>

#include "runtime/src/tapered-rows.h"

using griffin::TaperedRows;

namespace {

// Checks the split of `rows` over `threads` and returns the rows of each task.
std::vector<size_t> check_split(size_t rows, size_t threads) {
  INFO("rows " << rows << ", threads " << threads);
  const TaperedRows split(rows, threads);
  std::vector<size_t> sizes;
  size_t next = 0;
  for (size_t task = 0; task < split.tasks(); ++task) {
    REQUIRE(split.begin(task) == next);
    REQUIRE(split.end(task) >= split.begin(task));
    next = split.end(task);
    if (next != rows) REQUIRE(next % TaperedRows::kAlignRows == 0);
    sizes.push_back(split.end(task) - split.begin(task));
  }
  REQUIRE(next == rows);
  REQUIRE(split.tasks() % split.pieces() == 0);
  REQUIRE(split.tasks() / split.pieces() <= threads);
  return sizes;
}

}  // namespace

TEST_CASE("Output rows split into tasks that cover each row once", "[tapered_rows]") {
  for (size_t threads : {1, 2, 3, 4, 8}) {
    for (size_t rows : {0, 1, 15, 16, 17, 31, 64, 100, 255, 256, 257, 1000, 2560, 7680, 10240,
                        256000}) {
      check_split(rows, threads);
    }
  }
}

TEST_CASE("Each thread's share is cut into pieces that halve towards its end", "[tapered_rows]") {
  SECTION("2B's 2,560 rows on two threads: 640, 320, 160, 64, 32 and 64 rows each") {
    const std::vector<size_t> sizes = check_split(2560, 2);
    const std::vector<size_t> share = {640, 320, 160, 64, 32, 64};
    std::vector<size_t> expected = share;
    expected.insert(expected.end(), share.begin(), share.end());
    CHECK(sizes == expected);
  }
  SECTION("the logits' 256,000 rows on two threads: the last pieces are small") {
    const TaperedRows split(256000, 2);
    const std::vector<size_t> sizes = check_split(256000, 2);
    REQUIRE(split.pieces() == 12);  // 128,000 halved 11 times is 62.5 rows, 12 times 31.25
    CHECK(sizes[0] == 64000);
    for (size_t thread = 0; thread < 2; ++thread) {
      const size_t last = (thread + 1) * split.pieces() - 1;
      CHECK(sizes[last] <= 2 * TaperedRows::kMinRows + TaperedRows::kAlignRows);
      CHECK(sizes[last - 1] <= 2 * TaperedRows::kMinRows + TaperedRows::kAlignRows);
      for (size_t piece = thread * split.pieces() + 1; piece < last; ++piece) {
        CHECK(sizes[piece] <= sizes[piece - 1]);
      }
    }
  }
  SECTION("one thread runs the whole matrix as one task") {
    CHECK(check_split(7680, 1) == std::vector<size_t>{7680});
  }
  SECTION("a short last share keeps the piece count; its pieces may be empty") {
    const TaperedRows split(1000, 3);  // shares of 352, 352 and 296 rows
    const std::vector<size_t> sizes = check_split(1000, 3);
    REQUIRE(split.tasks() == 3 * split.pieces());
    size_t last_share = 0;
    for (size_t piece = 2 * split.pieces(); piece < split.tasks(); ++piece) {
      last_share += sizes[piece];
    }
    CHECK(last_share == 296);
  }
}
