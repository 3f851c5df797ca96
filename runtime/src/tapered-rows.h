// How a matrix product's output rows are cut into thread-pool tasks.
//
// pthreadpool gives each thread an equal run of task indices, runs a thread's own tasks first to
// last, and lets a thread that has finished take tasks from the far end of another thread's run.
// With four equal tasks per thread, a decode step's threads still waited on each other at the end
// of each matrix: the last task one of them took could be a quarter of its share, and on the two
// threads of a 2.45 GHz Zen 3, 2B int8 decode spent about 6 % of its samples in the pool's waits.
// Here each thread's share is cut into pieces that halve (1/2, 1/4, ... of the share, the last
// two about kMinRows), so the tasks taken last are small, and there are only about
// log2(share / kMinRows) + 1 of them: each task of the int8 decode rounds its token's
// activations again, so many equal small tasks would cost that rounding many times.
#pragma once

#include <algorithm>
#include <cstddef>

namespace griffin {

class TaperedRows {
 public:
  // Row boundaries are multiples of kAlignRows. Kernels step over rows in blocks of up to 32, and
  // AVX-512 VNNI reads rows repacked at load in 32-row blocks: a boundary inside one ran it as two
  // 16-row halves, through a slower loop (2 % of a 2B int8 prefill's samples on an Intel Xeon).
  static constexpr size_t kAlignRows = 32;
  static constexpr size_t kMinRows = 32;

  TaperedRows(size_t rows, size_t threads) : rows_(rows) {
    threads = std::max<size_t>(threads, 1);
    share_ = round_up((rows + threads - 1) / threads);
    pieces_ = 1;  // one thread: one task, as nobody waits
    while (threads > 1 && (share_ >> pieces_) >= kMinRows) ++pieces_;
    tasks_ = share_ == 0 ? 0 : pieces_ * ((rows + share_ - 1) / share_);
  }

  // Tasks to hand the pool: pieces() for each thread's share (the last share may be short, and a
  // short share's pieces may be empty).
  size_t tasks() const { return tasks_; }
  size_t pieces() const { return pieces_; }

  // Task t covers rows [begin(t), end(t)).
  size_t begin(size_t task) const { return row(task / pieces_, task % pieces_); }
  size_t end(size_t task) const { return row(task / pieces_, task % pieces_ + 1); }

 private:
  static size_t round_up(size_t n) { return (n + kAlignRows - 1) / kAlignRows * kAlignRows; }

  // The first row of piece j of a share (j == pieces_: the row past the share): the share less
  // itself halved j times, rounded down to whole blocks, so every boundary but the matrix's end
  // is a multiple of kAlignRows.
  size_t row(size_t share, size_t j) const {
    const size_t first = std::min(rows_, share * share_);
    const size_t length = std::min(share_, rows_ - first);
    if (j >= pieces_) return first + length;
    return first + (length - (length >> j)) / kAlignRows * kAlignRows;
  }

  size_t rows_;
  size_t share_ = 0;
  size_t pieces_ = 1;
  size_t tasks_ = 0;
};

}  // namespace griffin
