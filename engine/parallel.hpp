// The one parallel loop of the engine: body(i) for i in [0, n) on `threads`
// OpenMP threads, items handed out one at a time. An exception thrown by any
// body (bad_alloc at a large size, a failing callback) stops the others from
// starting new items and is rethrown on the calling thread, where the CLI
// turns it into a message and exit code 1; it never escapes the parallel
// region (which would end the process).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>

namespace linksim::detail {

template <class Body>
void parallel_for(std::int64_t n, int threads, Body&& body) {
  std::exception_ptr error;
  std::mutex error_mutex;
  std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::int64_t i = 0; i < n; ++i) {
    if (failed.load(std::memory_order_relaxed)) continue;
    try {
      body(i);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace linksim::detail
