#include "plugins/torchscript/torch_threads.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <mutex>
#include <thread>

namespace mlos::plugins::torchscript {

Status ConfigureTorchThreads(int intra_op_threads) {
  static std::once_flag inter_op_once;
  std::call_once(inter_op_once, [] {
    try {
      at::set_num_interop_threads(1);
    } catch (const c10::Error&) {
      // The host (or another LibTorch user in this process) started the pool first: keep it.
    }
  });
  const int threads = intra_op_threads > 0
                          ? intra_op_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  try {
    at::set_num_threads(threads);
  } catch (const c10::Error& error) {
    return Internal("cannot set LibTorch's intra-op threads to " + std::to_string(threads) + ": " +
                    error.what_without_backtrace());
  }
  return Status::Ok();
}

}  // namespace mlos::plugins::torchscript
