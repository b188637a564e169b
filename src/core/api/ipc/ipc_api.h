// IpcApi: the operations of the local IPC protocol (docs/ipc.md) on top of the model manager.
// The transport (ipc_server.h) reads frames and hands each request here; every method answers
// with a whole reply frame (header and body), through its return value or, for INFER and the
// blocking ops, through the `send` callback, exactly once.
//
// Control ops answer the same documents as the HTTP APIs: LIST is GET /models and REGISTER is
// POST /models/register of the MLOS API, METADATA is the KServe v2 model metadata; both are
// reached through their HttpHandlers, so the documents cannot drift apart. INFER validates the
// inputs against the model's signature with the checks the KServe binary path uses
// (tensor_bytes.h): inputs are read in place (Tensor::Borrow of the frame body or of the
// client's region) when aligned to their element size and copied otherwise; outputs come back
// inline or are written into the client's output window at 64-byte aligned offsets. A model id
// without '@' means id@latest. Errors map to the IPC status codes (IpcStatusFor). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "core/api/http/http_types.h"
#include "core/api/ipc/ipc_frame.h"
#include "core/api/ipc/ipc_regions.h"
#include "core/model_manager.h"

namespace mlos::core::ipc {

// MLOS_IPC_INVALID_ARGUMENT, ... for a non-OK Status.
uint32_t IpcStatusFor(const Status& status);
// The reply frame for a failed request: `status`'s code and message.
std::string ErrorFrame(const FrameHeader& request, const Status& status);

using ReplySender = std::function<void(std::string frame)>;

class IpcApi {
 public:
  IpcApi(ModelManager& models, const HttpHandler& mlos_api, const HttpHandler& kserve_api,
         std::string server_version);

  // REGISTER, LOAD and UNLOAD may take long (a model load) and must not run on a reader thread.
  static bool IsBlocking(uint16_t op);

  // HEALTH, LIST, METADATA, REGISTER, LOAD, UNLOAD; an unknown op answers UNSUPPORTED.
  std::string Control(const FrameHeader& request, std::string_view body) const;
  // REGISTER_REGION with its descriptor (-1 when the frame carried none), which it always closes.
  std::string RegisterRegion(const FrameHeader& request, std::string_view body, int fd,
                             RegionTable* regions) const;
  std::string UnregisterRegion(const FrameHeader& request, std::string_view body,
                               RegionTable* regions) const;

  // INFER: validates, queues on the model and returns; `send` gets the reply, possibly before
  // Infer returns (a fast model runs on the calling thread). `body` is kept alive until then.
  void Infer(const FrameHeader& request, std::shared_ptr<const std::string> body,
             const RegionTable& regions, std::chrono::steady_clock::time_point received,
             ReplySender send) const;

 private:
  ModelManager& models_;
  const HttpHandler& mlos_api_;
  const HttpHandler& kserve_api_;
  const std::string server_version_;
};

}  // namespace mlos::core::ipc
