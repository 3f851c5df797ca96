// griffin_model_options.sleep_between_steps: after a step, the thread pool's workers sleep in the
// kernel instead of spinning (parallel-for.h), the pool still works when the next step wakes them,
// and the numbers are the same bits as without it.
#include <catch2/catch.hpp>

#include <pthreadpool.h>

#include <dirent.h>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/src/batch_decode.h"
#include "runtime/src/model.h"
#include "runtime/src/parallel-for.h"
#include "runtime/src/session.h"
#include "tests/support/fixture_models.h"

using namespace griffin;
using namespace griffin::test;

namespace {

std::set<long> thread_ids() {
  std::set<long> ids;
  DIR* dir = opendir("/proc/self/task");
  REQUIRE(dir != nullptr);
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ids.insert(std::stol(entry->d_name));
  }
  closedir(dir);
  return ids;
}

// Nanoseconds thread `tid` has run on a CPU (/proc/self/task/TID/schedstat), or -1 where the
// kernel does not report it.
int64_t run_ns(long tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/schedstat");
  int64_t ns = -1;
  if (!(stat >> ns)) return -1;
  return ns;
}

// Sums 0..n-1 on the pool, each tile into its own slot.
uint64_t pool_sum(pthreadpool_t pool, size_t n) {
  constexpr size_t kTile = 4096;
  std::vector<uint64_t> sums((n + kTile - 1) / kTile, 0);
  struct Task {
    uint64_t* sums;
  } task{sums.data()};
  parallel_for_tiles(
      pool,
      [](void* context, size_t start, size_t count) {
        uint64_t sum = 0;
        for (size_t i = start; i < start + count; ++i) sum += i;
        static_cast<Task*>(context)->sums[start / kTile] = sum;
      },
      &task, n, kTile);
  uint64_t total = 0;
  for (uint64_t s : sums) total += s;
  return total;
}

}  // namespace

TEST_CASE("let_workers_sleep leaves the pool's worker asleep, and the pool still working",
          "[threads]") {
  const std::set<long> before = thread_ids();
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  std::vector<long> workers;
  for (long id : thread_ids()) {
    if (before.count(id) == 0) workers.push_back(id);
  }
  REQUIRE(workers.size() == 1);  // two threads: the caller and one worker

  const size_t n = size_t{1} << 22;
  const uint64_t expected = uint64_t{n} * (n - 1) / 2;
  CHECK(pool_sum(pool, n) == expected);
  let_workers_sleep(pool);
  // A worker in the kernel's wait runs for nothing; one left spinning runs the whole time
  // (pthreadpool spins for up to a million pause instructions after a call: ~27 ms on a Zen 3).
  const int64_t start_ns = run_ns(workers[0]);
  if (start_ns < 0) {
    WARN("no /proc/self/task/TID/schedstat here: the worker's run time is not checked");
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int64_t ran_ns = run_ns(workers[0]) - start_ns;
    INFO("the worker ran " << ran_ns / 1000 << " us in the 100 ms after let_workers_sleep");
    CHECK(ran_ns < 5'000'000);
  }
  // The next call wakes it, and every tile is still done.
  CHECK(pool_sum(pool, n) == expected);
  CHECK(pool_sum(pool, n / 2) == uint64_t{n / 2} * (n / 2 - 1) / 2);

  let_workers_sleep(nullptr);  // no pool: nothing to do
  pthreadpool_destroy(pool);
}

TEST_CASE("sleep_between_steps gives the same bits in prefill, decode and batches",
          "[threads][batch]") {
  TempDir dir;
  const std::string path = convert_fixture(dir, "griffin", DType::kInt8);
  ModelOptions plain_options;
  plain_options.num_threads = 2;
  plain_options.max_batch = 3;
  ModelOptions sleeping_options = plain_options;
  sleeping_options.sleep_between_steps = true;
  sleeping_options.sleep_after_steps_of = std::chrono::nanoseconds(0);  // after every step
  auto plain = Model::open(path, plain_options);
  auto sleeping = Model::open(path, sleeping_options);
  REQUIRE(plain.ok());
  REQUIRE(sleeping.ok());
  CHECK(plain.value()->pool_to_rest() == nullptr);
  CHECK(sleeping.value()->pool_to_rest() == sleeping.value()->threadpool());

  const std::vector<int32_t> prompt = {2, 72, 50, 9, 31, 64, 17, 5, 40};
  const size_t vocab = static_cast<size_t>(plain.value()->config().vocab_size);
  // Per model: a prefill, two decodes, then three forks advanced by one batch step.
  auto run = [&](const Model& model) {
    std::vector<float> logits;
    auto session = Session::create(model, SessionOptions(), nullptr, 0);
    REQUIRE(session.ok());
    Session& s = *session.value();
    REQUIRE(s.prefill(prompt.data(), prompt.size(), nullptr, 0).ok());
    logits.insert(logits.end(), s.logits(), s.logits() + vocab);
    for (int32_t token : {11, 23}) {
      REQUIRE(s.decode(token).ok());
      logits.insert(logits.end(), s.logits(), s.logits() + vocab);
    }
    std::vector<std::unique_ptr<Session>> forks;
    std::vector<Session*> batch;
    for (int i = 0; i < 3; ++i) {
      auto fork = s.fork();
      REQUIRE(fork.ok());
      forks.push_back(std::move(fork).value());
      batch.push_back(forks.back().get());
    }
    const int32_t tokens[3] = {7, 8, 9};
    REQUIRE(model.batch_decoder()->decode(batch.data(), tokens, 3).ok());
    for (Session* fork : batch) logits.insert(logits.end(), fork->logits(), fork->logits() + vocab);
    return logits;
  };
  const std::vector<float> expected = run(*plain.value());
  const std::vector<float> got = run(*sleeping.value());
  REQUIRE(got.size() == expected.size());
  REQUIRE(got.size() == 6 * vocab);
  size_t differing = 0;
  for (size_t i = 0; i < got.size(); ++i) differing += got[i] != expected[i];
  CHECK(differing == 0);
}
