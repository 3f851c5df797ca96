// The measurements behind griffin-bench --roofline (roofline.h).
#include "examples/bench/roofline.h"

#include <fcntl.h>
#include <pthreadpool.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "examples/bench/peak_loops.h"
#include "examples/common/tool_common.h"

namespace griffin_tools {

namespace {

struct PoolDeleter {
  void operator()(pthreadpool_t pool) const { pthreadpool_destroy(pool); }
};
using PoolPtr = std::unique_ptr<std::remove_pointer_t<pthreadpool_t>, PoolDeleter>;

// `threads` 0: one per processor (pthreadpool's default, as the runtime's).
PoolPtr make_pool(int threads) {
  PoolPtr pool(pthreadpool_create(static_cast<size_t>(std::max(threads, 0))));
  if (!pool) throw ToolError("--roofline: could not create a thread pool");
  return pool;
}

// 16-byte lanes (GCC vector extension): SSE2 on x86-64, NEON on aarch64, no ISA flags needed.
using Words = uint64_t __attribute__((vector_size(16)));

struct Stream {
  const Words* words = nullptr;
  size_t words_per_thread = 0;
  std::vector<uint64_t>* checksums = nullptr;
};

// splitmix64: a distinct pseudo-random word for every position.
uint64_t random_word(uint64_t index) {
  uint64_t z = index * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void fill_slice(void* context, size_t thread) {
  const Stream* s = static_cast<const Stream*>(context);
  uint64_t* out =
      reinterpret_cast<uint64_t*>(const_cast<Words*>(s->words)) + thread * s->words_per_thread * 2;
  const uint64_t first = thread * s->words_per_thread * 2;
  for (size_t i = 0; i < s->words_per_thread * 2; ++i) out[i] = random_word(first + i);
}

// Reads one thread's slice with eight independent accumulators (loads, not arithmetic, bound it).
void read_slice(void* context, size_t thread) {
  const Stream* s = static_cast<const Stream*>(context);
  const Words* w = s->words + thread * s->words_per_thread;
  Words acc[8] = {};
  for (size_t i = 0; i + 8 <= s->words_per_thread; i += 8) {
    for (size_t j = 0; j < 8; ++j) acc[j] ^= w[i + j];
  }
  uint64_t sum = 0;
  for (const Words& lanes : acc) sum ^= lanes[0] ^ lanes[1];
  (*s->checksums)[thread] = sum;
}

size_t last_level_cache_bytes() {
#if defined(_SC_LEVEL3_CACHE_SIZE)
  const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (l3 > 0) return static_cast<size_t>(l3);
#endif
  return 0;
}

struct PeakJob {
  PeakLoop loop;
  uint64_t iterations;
  std::vector<uint64_t>* macs;
};

void run_peak(void* context, size_t thread) {
  const PeakJob* job = static_cast<const PeakJob*>(context);
  (*job->macs)[thread] = job->loop(job->iterations).macs;
}

}  // namespace

std::string family_isa(const std::string& kernels, const std::string& family) {
  const size_t at = kernels.find(family + " ");
  if (at == std::string::npos) return "scalar";
  const size_t begin = at + family.size() + 1;
  // The label ends at the list's next comma; a shape after the ISA ("avx512vnni_eight_tokens")
  // runs the same instructions, so it is left out.
  const size_t end = kernels.find_first_of(",_ ", begin);
  return kernels.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

PeakSequence f32_fma_sequence(const std::string& isa) {
#if defined(__x86_64__)
  if (isa == "avx2" || isa == "avx512vnni") return {"vfmadd213ps ymm (avx2)", peak_f32_avx2};
  if (isa == "avx512f") return {"vfmadd213ps zmm (avx512f)", peak_f32_avx512};
#endif
#if defined(__aarch64__)
  if (isa == "neon" || isa == "neondot") return {"fmla .4s (neon)", peak_f32_neon};
#endif
  (void)isa;
  return {"f32 multiply-add (scalar)", peak_f32_scalar};
}

PeakSequence int8_dot_sequence(const std::string& isa) {
#if defined(__x86_64__)
  if (isa == "avx2") return {"vpmaddubsw+vpmaddwd+vpaddd ymm (avx2)", peak_int8_avx2};
  if (isa == "avx512vnni") return {"vpdpbusd zmm (avx512vnni)", peak_int8_vnni};
#endif
#if defined(__aarch64__)
  if (isa == "neon") return {"smull+smlal+sadalp (neon)", peak_int8_neon};
  if (isa == "neondot") return {"sdot .4s (neondot)", peak_int8_neondot};
#endif
  (void)isa;
  return {"int32 multiply-add of int8 (scalar)", peak_int8_scalar};
}

PeakSequence int4_dot_sequence(const std::string& isa) {
#if defined(__x86_64__)
  if (isa == "avx2") return {"8 x (vpmaddubsw+vpaddw), vpmaddwd+vpaddd ymm (avx2)", peak_int4_avx2};
#endif
  return int8_dot_sequence(isa);
}

PeakSequence int16_dot_sequence(const std::string& isa) {
#if defined(__x86_64__)
  if (isa == "avx2" || isa == "avx512f") return {"vpmaddwd+vpaddd ymm (avx2)", peak_int16_avx2};
  if (isa == "avx512vnni") return {"vpdpwssd zmm (avx512vnni)", peak_int16_vnni};
#endif
  (void)isa;
  return {};
}

namespace {

// The buffer the read-bandwidth passes stream, filled (and so first touched) by the thread that
// will read each slice, and the pool that reads it.
class ReadBuffer {
 public:
  // `threads` 0: one per processor, as make_pool.
  ReadBuffer(int threads, bool huge_pages) : pool_(make_pool(threads)) {
    threads_ = pthreadpool_get_threads_count(pool_.get());
    const size_t bytes = std::max<size_t>(size_t{512} << 20, 8 * last_level_cache_bytes());
    const size_t words_per_thread = bytes / sizeof(Words) / threads_ / 8 * 8;
    total_words_ = words_per_thread * threads_;
    buffer_.reset(new (std::align_val_t{64}) Words[total_words_]);
    if (huge_pages) {
      // The whole 2 MB pages inside the buffer, before anything touches them.
      const uintptr_t huge = uintptr_t{2} << 20;
      const uintptr_t begin = (reinterpret_cast<uintptr_t>(buffer_.get()) + huge - 1) / huge * huge;
      const uintptr_t end = reinterpret_cast<uintptr_t>(buffer_.get() + total_words_) / huge * huge;
      if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
    }
    checksums_.resize(threads_);
    stream_ = Stream{buffer_.get(), words_per_thread, &checksums_};
    pthreadpool_parallelize_1d(pool_.get(), fill_slice, &stream_, threads_, 0);
  }

  // One pass over the whole buffer, in GB/s.
  double pass() { return read(stream_); }

  // One pass of the same threads over `bytes` of other memory (16-byte aligned), in GB/s; the
  // last few bytes, short of a whole 8 words a thread, are left out.
  double pass_over(const void* data, size_t bytes) {
    Stream stream{static_cast<const Words*>(data), bytes / sizeof(Words) / threads_ / 8 * 8,
                  &checksums_};
    return stream.words_per_thread > 0 ? read(stream) : 0.0;
  }

 private:
  // Freed with the aligned delete[] that matches the aligned new[] (a plain delete[] is
  // undefined; ASan reports new-delete-type-mismatch).
  struct AlignedDelete {
    void operator()(Words* p) const { ::operator delete[](p, std::align_val_t{64}); }
  };
  double read(Stream& stream) {
    const Clock::time_point start = Clock::now();
    pthreadpool_parallelize_1d(pool_.get(), read_slice, &stream, threads_, 0);
    const double seconds = seconds_between(start, Clock::now());
    const double bytes = static_cast<double>(stream.words_per_thread * threads_ * sizeof(Words));
    return seconds > 0 ? bytes / seconds / 1e9 : 0.0;
  }

  PoolPtr pool_;
  size_t threads_ = 1;
  size_t total_words_ = 0;
  std::unique_ptr<Words[], AlignedDelete> buffer_;
  std::vector<uint64_t> checksums_;
  Stream stream_;
};

// Sends `bytes` on the probe's socket; false when the other side is gone (MSG_NOSIGNAL: no
// SIGPIPE, which would end the bench without its error message).
bool send_all(int socket, const void* data, size_t bytes) {
  return send(socket, data, bytes, MSG_NOSIGNAL) == static_cast<ssize_t>(bytes);
}

// The model file mapped shared and read-only, its pages populated: the page cache's (or tmpfs's)
// pages, the same the model reads unless it copied its weights (--huge-pages). Empty when the
// file cannot be mapped: the probe then answers 0 for it.
class FileMapping {
 public:
  explicit FileMapping(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
      void* at = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                      MAP_SHARED | MAP_POPULATE, fd, 0);
      if (at != MAP_FAILED) {
        data_ = at;
        bytes_ = static_cast<size_t>(st.st_size);
      }
    }
    close(fd);
  }
  ~FileMapping() {
    if (data_ != nullptr) munmap(data_, bytes_);
  }
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;
  const void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// The probe's child: fills its buffer and maps the model file, says so ('r'), then answers each
// request byte until the socket closes or says 'q': 'm' with the best of two passes over its
// buffer, 'f' with one pass over the model file (a double each).
[[noreturn]] void serve_probe(int threads, bool huge_pages, const std::string& model_path,
                              int socket) {
  int code = 0;
  try {
    ReadBuffer buffer(threads, huge_pages);
    const FileMapping model(model_path);
    const char ready = 'r';
    if (!send_all(socket, &ready, 1)) _exit(1);
    char request = 0;
    while (read(socket, &request, 1) == 1 && (request == 'm' || request == 'f')) {
      double gbs = 0.0;
      if (request == 'm') {
        const double first = buffer.pass();
        gbs = std::max(first, buffer.pass());
      } else if (model.data() != nullptr) {
        gbs = buffer.pass_over(model.data(), model.bytes());
      }
      if (!send_all(socket, &gbs, sizeof gbs)) _exit(1);
    }
  } catch (...) {
    code = 1;
  }
  _exit(code);
}

// Reads exactly `bytes` from `fd`; false on end of file or error.
bool read_exactly(int fd, void* out, size_t bytes) {
  char* at = static_cast<char*>(out);
  while (bytes > 0) {
    const ssize_t got = read(fd, at, bytes);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    at += got;
    bytes -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

double measure_read_bandwidth_gb_per_s(int threads, bool huge_pages) {
  ReadBuffer buffer(std::max(threads, 1), huge_pages);
  double best = 0.0;
  for (int pass = 0; pass < 5; ++pass) best = std::max(best, buffer.pass());
  return best;
}

std::unique_ptr<BandwidthProbe> BandwidthProbe::start(int threads, bool huge_pages,
                                                      const std::string& model_path) {
  int sockets[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) != 0) {
    throw ToolError(std::string("--roofline: no socket pair for the bandwidth probe: ") +
                    std::strerror(errno));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(sockets[0]);
    close(sockets[1]);
    throw ToolError(std::string("--roofline: could not fork the bandwidth probe: ") +
                    std::strerror(error));
  }
  if (pid == 0) {
    close(sockets[0]);
    serve_probe(threads, huge_pages, model_path, sockets[1]);
  }
  close(sockets[1]);
  return std::unique_ptr<BandwidthProbe>(new BandwidthProbe(pid, sockets[0]));
}

BandwidthProbe::~BandwidthProbe() {
  const char quit = 'q';
  (void)send_all(socket_, &quit, 1);
  close(socket_);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

void BandwidthProbe::wait_ready() {
  if (ready_) return;
  char ready = 0;
  if (!read_exactly(socket_, &ready, 1) || ready != 'r') {
    throw ToolError(
        "--roofline: the bandwidth probe could not fill its buffer (it needs max(512 MiB, 8 x the "
        "last-level cache) of memory)");
  }
  ready_ = true;
}

double BandwidthProbe::measure() {
  return ask('m');
}

double BandwidthProbe::measure_model_file() {
  return ask('f');
}

double BandwidthProbe::ask(char request) {
  wait_ready();
  double gbs = 0.0;
  if (!send_all(socket_, &request, 1) || !read_exactly(socket_, &gbs, sizeof gbs)) {
    throw ToolError("--roofline: the bandwidth probe stopped answering");
  }
  return gbs;
}

double measure_peak_gmacs_per_s(const PeakSequence& sequence, int threads) {
  const size_t n_threads = static_cast<size_t>(std::max(threads, 1));
  std::vector<uint64_t> macs(n_threads);
  PoolPtr pool = make_pool(threads);
  // Calibrate to runs of about 50 ms per thread, then keep the best of five.
  PeakJob job{sequence.loop, 1 << 12, &macs};
  for (;;) {
    const Clock::time_point start = Clock::now();
    pthreadpool_parallelize_1d(pool.get(), run_peak, &job, n_threads, 0);
    if (seconds_between(start, Clock::now()) > 0.01 || job.iterations > (uint64_t{1} << 40)) break;
    job.iterations *= 4;
  }
  job.iterations *= 4;
  double best = 0.0;
  for (int run = 0; run < 5; ++run) {
    const Clock::time_point start = Clock::now();
    pthreadpool_parallelize_1d(pool.get(), run_peak, &job, n_threads, 0);
    const double seconds = seconds_between(start, Clock::now());
    uint64_t total = 0;
    for (uint64_t count : macs) total += count;
    if (seconds > 0) best = std::max(best, static_cast<double>(total) / seconds / 1e9);
  }
  return best;
}

}  // namespace griffin_tools
