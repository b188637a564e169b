#include "core/api/ipc/ipc_guarded_copy.h"

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <mutex>

namespace mlos::core::ipc {
namespace {

// volatile: the compiler must not drop the stores around memcpy, which it knows does not read
// this variable; only the signal handler does.
thread_local sigjmp_buf* volatile t_recovery = nullptr;
struct sigaction g_previous {};

void OnBusError(int, siginfo_t*, void*) {
  if (t_recovery != nullptr) siglongjmp(*t_recovery, 1);
  // Not a guarded copy: put the previous disposition back; the faulting access repeats under it.
  sigaction(SIGBUS, &g_previous, nullptr);
}

void InstallHandler() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    struct sigaction action {};
    action.sa_sigaction = OnBusError;
    // SA_NODEFER: SIGBUS stays unblocked after the jump, which does not restore the mask.
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &g_previous);
  });
}

}  // namespace

bool GuardedCopy(void* destination, const void* source, size_t size) {
  if (size == 0) return true;
  InstallHandler();
  sigjmp_buf recovery;
  if (sigsetjmp(recovery, 0) != 0) {
    t_recovery = nullptr;
    return false;
  }
  t_recovery = &recovery;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::memcpy(destination, source, size);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t_recovery = nullptr;
  return true;
}

}  // namespace mlos::core::ipc
