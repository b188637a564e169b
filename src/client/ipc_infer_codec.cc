#include "client/ipc_infer_codec.h"

#include <cstring>

#include "mlos/ipc.h"

namespace mlos::client {
namespace {

constexpr int kMaxRank = 16;

template <typename T>
void Put(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // x86-64 and aarch64 are little-endian, as the wire
  out->append(bytes, sizeof(T));
}

bool PutString(std::string* out, std::string_view text, const std::string& what,
               std::string* error) {
  if (text.size() > UINT16_MAX) {
    *error = what + " is longer than 65535 bytes";
    return false;
  }
  Put<uint16_t>(out, static_cast<uint16_t>(text.size()));
  out->append(text);
  return true;
}

// Reads the reply body front to back.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  bool Get(T* value) {
    if (bytes_.size() < sizeof(T)) return false;
    std::memcpy(value, bytes_.data(), sizeof(T));
    bytes_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetBytes(uint64_t size, std::string_view* out) {
    if (bytes_.size() < size) return false;
    *out = bytes_.substr(0, size);
    bytes_.remove_prefix(size);
    return true;
  }
  bool GetString(std::string* out) {
    uint16_t size = 0;
    std::string_view bytes;
    if (!Get(&size) || !GetBytes(size, &bytes)) return false;
    *out = std::string(bytes);
    return true;
  }
  bool empty() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

}  // namespace

bool EncodeIpcInferRequest(std::string_view model, const std::vector<IpcInputRef>& inputs,
                           const std::vector<std::string>& outputs, const IpcOutputWindow* window,
                           std::vector<std::string>* storage, std::vector<std::string_view>* parts,
                           std::string* error) {
  if (inputs.size() > UINT16_MAX || outputs.size() > UINT16_MAX) {
    *error = "more than 65535 inputs or outputs";
    return false;
  }
  // Every piece of metadata goes into its own string; `storage` must not reallocate under the
  // views, so it is sized first: one string per input plus the head and the tail.
  storage->assign(inputs.size() + 2, std::string());
  std::string& head = (*storage)[0];
  if (!PutString(&head, model, "the model id", error)) return false;
  Put<uint32_t>(&head, window != nullptr ? MLOS_IPC_OUTPUTS_TO_REGION : 0);
  if (window != nullptr) {
    Put<uint32_t>(&head, window->region_id);
    Put<uint64_t>(&head, window->offset);
    Put<uint64_t>(&head, window->capacity);
  }
  Put<uint16_t>(&head, static_cast<uint16_t>(inputs.size()));
  parts->push_back(head);

  for (size_t i = 0; i < inputs.size(); ++i) {
    const mlos_tensor& tensor = *inputs[i].tensor;
    std::string& out = (*storage)[i + 1];
    const std::string what =
        "input " + std::to_string(i) + " ('" + (tensor.name != nullptr ? tensor.name : "") + "')";
    if (tensor.name == nullptr || tensor.rank < 0 || tensor.rank > kMaxRank ||
        (tensor.rank > 0 && tensor.shape == nullptr) || tensor.dtype < 0 || tensor.dtype > 255) {
      *error = what + ": needs a name, a dtype and a rank of 0 to 16 with its shape";
      return false;
    }
    if (!PutString(&out, tensor.name, what + " name", error)) return false;
    Put<uint8_t>(&out, static_cast<uint8_t>(tensor.dtype));
    Put<uint8_t>(&out, static_cast<uint8_t>(tensor.rank));
    for (int d = 0; d < tensor.rank; ++d) Put<int64_t>(&out, tensor.shape[d]);
    if (tensor.region != nullptr) {
      Put<uint8_t>(&out, MLOS_IPC_REGION);
      Put<uint32_t>(&out, inputs[i].region_id);
      Put<uint64_t>(&out, tensor.region_offset);
      Put<uint64_t>(&out, tensor.byte_size);
      parts->push_back(out);
      continue;
    }
    if (tensor.data == nullptr && tensor.byte_size > 0) {
      *error = what + ": has neither data nor a region";
      return false;
    }
    Put<uint8_t>(&out, MLOS_IPC_INLINE);
    Put<uint64_t>(&out, tensor.byte_size);
    parts->push_back(out);
    if (tensor.byte_size > 0) {
      parts->emplace_back(static_cast<const char*>(tensor.data), tensor.byte_size);
    }
  }

  std::string& tail = storage->back();
  Put<uint16_t>(&tail, static_cast<uint16_t>(outputs.size()));
  for (const std::string& name : outputs) {
    if (!PutString(&tail, name, "output name '" + name.substr(0, 40) + "'", error)) return false;
  }
  parts->push_back(tail);
  return true;
}

bool DecodeIpcInferReply(std::string_view body, const RegionResolver& resolve_region,
                         IpcInferReply* reply, std::string* error) {
  Reader reader(body);
  uint16_t count = 0;
  if (!reader.Get(&reply->queue_us) || !reader.Get(&reply->compute_us) || !reader.Get(&count)) {
    *error = "the INFER reply is shorter than its fixed fields";
    return false;
  }
  reply->outputs.clear();
  for (uint16_t i = 0; i < count; ++i) {
    WireOutput output;
    uint8_t dtype = 0;
    uint8_t rank = 0;
    uint8_t placement = 0;
    const std::string what = "the INFER reply's output " + std::to_string(i);
    if (!reader.GetString(&output.name) || !reader.Get(&dtype) || !reader.Get(&rank) ||
        rank > kMaxRank) {
      *error = what + ": truncated descriptor";
      return false;
    }
    output.dtype = dtype;
    output.shape.resize(rank);
    for (int64_t& dim : output.shape) {
      if (!reader.Get(&dim)) {
        *error = what + ": truncated shape";
        return false;
      }
    }
    if (!reader.Get(&placement)) {
      *error = what + ": truncated placement";
      return false;
    }
    if (placement == MLOS_IPC_INLINE) {
      std::string_view bytes;
      if (!reader.Get(&output.byte_size) || !reader.GetBytes(output.byte_size, &bytes)) {
        *error = what + ": its bytes run past the end of the reply";
        return false;
      }
      output.data = bytes.data();
    } else if (placement == MLOS_IPC_REGION) {
      uint32_t region = 0;
      uint64_t offset = 0;
      if (!reader.Get(&region) || !reader.Get(&offset) || !reader.Get(&output.byte_size)) {
        *error = what + ": truncated region reference";
        return false;
      }
      const std::string_view window = resolve_region(region);
      if (window.data() == nullptr || offset > window.size() ||
          output.byte_size > window.size() - offset) {
        *error = what + ": points outside region " + std::to_string(region);
        return false;
      }
      output.data = window.data() + offset;
    } else {
      *error = what + ": unknown placement " + std::to_string(placement);
      return false;
    }
    reply->outputs.push_back(std::move(output));
  }
  if (!reader.empty()) {
    *error = "the INFER reply has bytes after its last output";
    return false;
  }
  return true;
}

}  // namespace mlos::client
