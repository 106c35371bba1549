#pragma once
// A persistent pool of worker threads owned by whoever runs work (a model, an
// interpreter); there is no global pool. The calling thread takes part in every job, so
// ThreadPool(1) runs everything inline on the caller.
//
// Determinism contract: parallel_for splits [0, n) into contiguous chunks that depend
// only on n and the grain, never on timing. Kernels that keep each output element's
// arithmetic within one chunk are therefore bit-identical for any thread count.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lq {

class ThreadPool {
 public:
  // num_threads <= 0 means "all hardware threads".
  explicit ThreadPool(int num_threads = 1);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Calls fn(begin, end) over a partition of [0, n) into at most num_threads() chunks of
  // at least `grain` items each. Blocks until all chunks are done. Exceptions thrown by
  // fn are rethrown here (the first one). Not reentrant: fn must not call parallel_for
  // on the same pool.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    parallel_for(n, 1, fn);
  }

 private:
  void worker_loop(int index);
  void run_chunk(int chunk);

  int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  bool stop_ = false;
  // Current job.
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  int job_chunks_ = 0;
  std::exception_ptr error_;
  std::mutex error_mutex_;
};

// parallel_for on `pool`, or inline on the caller when pool is null.
inline void parallel_for(ThreadPool* pool, int64_t n, int64_t grain,
                         const std::function<void(int64_t, int64_t)>& fn) {
  if (pool) pool->parallel_for(n, grain, fn);
  else if (n > 0) fn(0, n);
}

}  // namespace lq
