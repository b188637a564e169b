// The INFER bodies of the local IPC protocol (docs/ipc.md, "INFER"), client side: encoding a
// request and decoding its reply.
//
// EncodeIpcInferRequest lays the request out as pieces to send in order: descriptors and lengths
// in `storage`, inline tensor bytes referenced where the caller holds them (no copy).
// DecodeIpcInferReply reads the reply; inline outputs point into `body`, region outputs are
// resolved through `resolve_region` (which returns the region's bytes, or nullptr for an unknown
// id). Both return false with *error naming the tensor or field at fault.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client/tensor_wire.h"
#include "mlos/client.h"

namespace mlos::client {

struct IpcInputRef {
  const mlos_tensor* tensor;
  uint32_t region_id;  // when tensor->region is set
};

struct IpcOutputWindow {
  uint32_t region_id;
  uint64_t offset;
  uint64_t capacity;
};

bool EncodeIpcInferRequest(std::string_view model, const std::vector<IpcInputRef>& inputs,
                           const std::vector<std::string>& outputs, const IpcOutputWindow* window,
                           std::vector<std::string>* storage, std::vector<std::string_view>* parts,
                           std::string* error);

struct IpcInferReply {
  int64_t queue_us = -1;
  int64_t compute_us = -1;
  std::vector<WireOutput> outputs;
};

using RegionResolver = std::function<std::string_view(uint32_t region_id)>;

bool DecodeIpcInferReply(std::string_view body, const RegionResolver& resolve_region,
                         IpcInferReply* reply, std::string* error);

}  // namespace mlos::client
