// The C API of libmlos-client (include/mlos/client.h) over HttpConnection and IpcConnection.
#include "mlos/client.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "client/http_connection.h"
#include "client/ipc_connection.h"
#include "client/ipc_infer_codec.h"
#include "client/kserve_infer_codec.h"

using mlos::client::HttpConnection;
using mlos::client::HttpReply;
using mlos::client::IpcConnection;
using mlos::client::IpcReply;
using mlos::client::WireOutput;

struct mlos_region {
  mlos_client* client = nullptr;
  uint32_t id = 0;
  void* data = nullptr;
  uint64_t size = 0;
};

struct mlos_result {
  std::string storage;  // the reply the outputs point into (inline outputs)
  std::vector<WireOutput> outputs;
  std::vector<uint64_t> aligned;  // copies of the outputs the reply left misaligned
  int64_t queue_us = -1;
  int64_t compute_us = -1;
};

struct mlos_client {
  std::unique_ptr<HttpConnection> http;
  std::unique_ptr<IpcConnection> ipc;
  std::map<uint32_t, mlos_region*> regions;
  std::string error;

  int Fail(int code, std::string message) {
    error = std::move(message);
    return code;
  }
};

namespace {

char* CopyString(const std::string& text) {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy != nullptr) std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

// The server's verdict from an HTTP status, as the IPC codes name them.
int CodeFromHttp(int status) {
  switch (status) {
    case 400:
      return MLOS_IPC_INVALID_ARGUMENT;
    case 404:
      return MLOS_IPC_NOT_FOUND;
    case 409:
      return MLOS_IPC_ALREADY_EXISTS;
    case 413:
      return MLOS_IPC_TOO_LARGE;
    case 501:
      return MLOS_IPC_UNSUPPORTED;
    case 503:
      return MLOS_IPC_UNAVAILABLE;
    case 507:
      return MLOS_IPC_OUT_OF_MEMORY;
    default:
      return MLOS_IPC_INTERNAL;
  }
}

// {"error": "..."} bodies carry the message; otherwise the body itself.
std::string HttpErrorMessage(const HttpReply& reply) {
  const nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string())
    return body["error"].get<std::string>();
  return "HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 500);
}

int HttpCall(mlos_client* client, const char* method, const std::string& target,
             std::string_view body, std::string_view headers, HttpReply* reply) {
  std::string error;
  if (!client->http->Request(method, target, body, headers, reply, &error))
    return client->Fail(MLOS_CLIENT_TRANSPORT, error);
  if (reply->status >= 200 && reply->status < 300) return MLOS_CLIENT_OK;
  return client->Fail(CodeFromHttp(reply->status), HttpErrorMessage(*reply));
}

int IpcCall(mlos_client* client, uint16_t op, const std::vector<std::string_view>& parts, int fd,
            IpcReply* reply) {
  std::string error;
  if (!client->ipc->Call(op, parts, fd, reply, &error))
    return client->Fail(MLOS_CLIENT_TRANSPORT, error);
  if (reply->status == MLOS_IPC_OK) return MLOS_CLIENT_OK;
  return client->Fail(static_cast<int>(reply->status), reply->body);
}

// A control operation: JSON in, JSON out, over either transport.
int Control(mlos_client* client, uint16_t ipc_op, const char* http_method,
            const std::string& http_target, const std::string& body, std::string* answer) {
  if (client->ipc) {
    IpcReply reply;
    const int code = IpcCall(client, ipc_op, {body}, -1, &reply);
    if (code == MLOS_CLIENT_OK && answer != nullptr) *answer = std::move(reply.body);
    return code;
  }
  HttpReply reply;
  const int code = HttpCall(client, http_method, http_target, body,
                            body.empty() ? "" : "Content-Type: application/json\r\n", &reply);
  if (code == MLOS_CLIENT_OK && answer != nullptr) *answer = std::move(reply.body);
  return code;
}

int Returned(mlos_client* client, int code, const std::string& text, char** json) {
  if (code != MLOS_CLIENT_OK) return code;
  if (json != nullptr) *json = CopyString(text);
  client->error.clear();
  return MLOS_CLIENT_OK;
}

std::string ModelBody(const char* model) { return nlohmann::json{{"model", model}}.dump(); }

int InferIpc(mlos_client* client, const char* model, const mlos_tensor* inputs, size_t input_count,
             const std::vector<std::string>& outputs, const mlos_infer_options* options,
             mlos_result* result) {
  std::vector<mlos::client::IpcInputRef> refs;
  for (size_t i = 0; i < input_count; ++i) {
    const mlos_region* region = inputs[i].region;
    if (region != nullptr && region->client != client) {
      return client->Fail(MLOS_CLIENT_USAGE,
                          "input " + std::to_string(i) + ": its region belongs to another client");
    }
    refs.push_back({&inputs[i], region != nullptr ? region->id : 0});
  }
  mlos::client::IpcOutputWindow window{};
  const bool to_region = options != nullptr && options->output_region != nullptr;
  if (to_region) {
    if (options->output_region->client != client)
      return client->Fail(MLOS_CLIENT_USAGE, "the output region belongs to another client");
    window = {options->output_region->id, options->output_offset, options->output_capacity};
  }
  std::vector<std::string> storage;
  std::vector<std::string_view> parts;
  std::string error;
  if (!mlos::client::EncodeIpcInferRequest(model, refs, outputs, to_region ? &window : nullptr,
                                           &storage, &parts, &error)) {
    return client->Fail(MLOS_CLIENT_USAGE, error);
  }
  IpcReply reply;
  if (const int code = IpcCall(client, MLOS_IPC_OP_INFER, parts, -1, &reply)) return code;
  result->storage = std::move(reply.body);
  mlos::client::IpcInferReply decoded;
  const auto resolve = [client](uint32_t id) -> std::string_view {
    const auto found = client->regions.find(id);
    if (found == client->regions.end()) return {};
    return {static_cast<const char*>(found->second->data), found->second->size};
  };
  if (!mlos::client::DecodeIpcInferReply(result->storage, resolve, &decoded, &error))
    return client->Fail(MLOS_CLIENT_PROTOCOL, error);
  result->outputs = std::move(decoded.outputs);
  result->queue_us = decoded.queue_us;
  result->compute_us = decoded.compute_us;
  return MLOS_CLIENT_OK;
}

int InferHttp(mlos_client* client, const char* model, const mlos_tensor* inputs, size_t input_count,
              const std::vector<std::string>& outputs, const mlos_infer_options* options,
              mlos_result* result) {
  if (options != nullptr && options->output_region != nullptr)
    return client->Fail(MLOS_CLIENT_USAGE, "an output region needs an IPC client");
  std::string header;
  std::string error;
  if (!mlos::client::EncodeKServeInferHeader(inputs, input_count, outputs, &header, &error))
    return client->Fail(MLOS_CLIENT_USAGE, error);
  std::string body = header;
  for (size_t i = 0; i < input_count; ++i) {
    if (inputs[i].byte_size > 0)
      body.append(static_cast<const char*>(inputs[i].data), inputs[i].byte_size);
  }
  const std::string headers =
      "Content-Type: application/octet-stream\r\n"
      "Inference-Header-Content-Length: " +
      std::to_string(header.size()) + "\r\n";
  HttpReply reply;
  const std::string target = "/v2/models/" + mlos::client::PathSegment(model) + "/infer";
  if (const int code = HttpCall(client, "POST", target, body, headers, &reply)) return code;
  result->storage = std::move(reply.body);
  const bool ok = mlos::client::DecodeKServeInferReply(reply.headers, result->storage,
                                                       &result->outputs, &error);
  if (!ok) return client->Fail(MLOS_CLIENT_PROTOCOL, error);
  return MLOS_CLIENT_OK;
}

// Outputs sit in the reply wherever the encoding put them (after a JSON header, after names of
// any length); the caller reads them as arrays of their element type, so any output that is not
// 8-byte aligned is copied into `aligned`, each copy starting on an 8-byte boundary.
void AlignOutputs(mlos_result* result) {
  size_t words = 0;
  for (const WireOutput& output : result->outputs) {
    if (reinterpret_cast<uintptr_t>(output.data) % alignof(uint64_t) != 0)
      words += (output.byte_size + sizeof(uint64_t) - 1) / sizeof(uint64_t);
  }
  if (words == 0) return;
  result->aligned.assign(words, 0);
  auto* next = reinterpret_cast<char*>(result->aligned.data());
  for (WireOutput& output : result->outputs) {
    if (reinterpret_cast<uintptr_t>(output.data) % alignof(uint64_t) == 0) continue;
    std::memcpy(next, output.data, output.byte_size);
    output.data = next;
    next += (output.byte_size + sizeof(uint64_t) - 1) / sizeof(uint64_t) * sizeof(uint64_t);
  }
}

template <typename F>
int Guarded(mlos_client* client, F&& body) {
  if (client == nullptr) return MLOS_CLIENT_USAGE;
  try {
    return body();
  } catch (const std::exception& e) {
    return client->Fail(MLOS_CLIENT_PROTOCOL, std::string("unexpected reply: ") + e.what());
  }
}

}  // namespace

// The C API is the library's only exported surface (client.map).
#pragma GCC visibility push(default)
extern "C" {

mlos_client* mlos_client_open_http(const char* url, char** error) {
  const auto endpoint = mlos::client::ParseHttpUrl(url != nullptr ? url : "");
  if (!endpoint) {
    if (error != nullptr)
      *error = CopyString("'" + std::string(url != nullptr ? url : "") +
                          "' is not an http://host[:port] URL");
    return nullptr;
  }
  auto client = std::make_unique<mlos_client>();
  client->http = std::make_unique<HttpConnection>(*endpoint);
  std::string message;
  if (!client->http->Connect(&message)) {
    if (error != nullptr) *error = CopyString(message);
    return nullptr;
  }
  return client.release();
}

mlos_client* mlos_client_open_ipc(const char* socket_path, char** error) {
  auto client = std::make_unique<mlos_client>();
  client->ipc = std::make_unique<IpcConnection>(socket_path != nullptr ? socket_path
                                                                       : MLOS_IPC_DEFAULT_SOCKET);
  std::string message;
  if (!client->ipc->Connect(&message)) {
    if (error != nullptr) *error = CopyString(message);
    return nullptr;
  }
  return client.release();
}

void mlos_client_close(mlos_client* client) {
  if (client == nullptr) return;
  for (auto& [id, region] : client->regions) {
    ::munmap(region->data, region->size);
    delete region;
  }
  delete client;
}

const char* mlos_client_error(const mlos_client* client) {
  return client != nullptr ? client->error.c_str() : "no client";
}

void mlos_free(void* pointer) { std::free(pointer); }

int mlos_health(mlos_client* client, int* live, int* ready) {
  return Guarded(client, [&] {
    if (client->ipc) {
      std::string answer;
      if (const int code = Control(client, MLOS_IPC_OP_HEALTH, "", "", "", &answer)) return code;
      const nlohmann::json health = nlohmann::json::parse(answer);
      if (live != nullptr) *live = health.value("live", false) ? 1 : 0;
      if (ready != nullptr) *ready = health.value("ready", false) ? 1 : 0;
      return Returned(client, MLOS_CLIENT_OK, "", nullptr);
    }
    HttpReply reply;
    std::string error;
    if (!client->http->Request("GET", "/v2/health/live", "", "", &reply, &error))
      return client->Fail(MLOS_CLIENT_TRANSPORT, error);
    if (live != nullptr) *live = reply.status == 200 ? 1 : 0;
    if (!client->http->Request("GET", "/v2/health/ready", "", "", &reply, &error))
      return client->Fail(MLOS_CLIENT_TRANSPORT, error);
    if (ready != nullptr) *ready = reply.status == 200 ? 1 : 0;
    return Returned(client, MLOS_CLIENT_OK, "", nullptr);
  });
}

int mlos_list_models(mlos_client* client, char** json) {
  return Guarded(client, [&] {
    std::string answer;
    const int code = Control(client, MLOS_IPC_OP_LIST, "GET", "/models", "", &answer);
    return Returned(client, code, answer, json);
  });
}

int mlos_model_metadata(mlos_client* client, const char* model, char** json) {
  return Guarded(client, [&] {
    if (model == nullptr) return client->Fail(MLOS_CLIENT_USAGE, "no model id");
    std::string answer;
    const int code = client->ipc
                         ? Control(client, MLOS_IPC_OP_METADATA, "", "", ModelBody(model), &answer)
                         : Control(client, 0, "GET",
                                   "/v2/models/" + mlos::client::PathSegment(model), "", &answer);
    return Returned(client, code, answer, json);
  });
}

int mlos_register_model(mlos_client* client, const char* registration_json, char** json) {
  return Guarded(client, [&] {
    if (registration_json == nullptr) return client->Fail(MLOS_CLIENT_USAGE, "no registration");
    std::string answer;
    const int code = Control(client, MLOS_IPC_OP_REGISTER, "POST", "/models/register",
                             registration_json, &answer);
    return Returned(client, code, answer, json);
  });
}

static int LoadOrUnload(mlos_client* client, const char* model, bool load) {
  return Guarded(client, [&] {
    if (model == nullptr) return client->Fail(MLOS_CLIENT_USAGE, "no model id");
    const std::string target =
        "/v2/repository/models/" + mlos::client::PathSegment(model) + (load ? "/load" : "/unload");
    const int code = Control(client, load ? MLOS_IPC_OP_LOAD : MLOS_IPC_OP_UNLOAD, "POST", target,
                             client->ipc ? ModelBody(model) : "", nullptr);
    return Returned(client, code, "", nullptr);
  });
}

int mlos_load_model(mlos_client* client, const char* model) {
  return LoadOrUnload(client, model, true);
}

int mlos_unload_model(mlos_client* client, const char* model) {
  return LoadOrUnload(client, model, false);
}

int mlos_infer(mlos_client* client, const char* model, const mlos_tensor* inputs,
               size_t input_count, const mlos_infer_options* options, mlos_result** result) {
  return Guarded(client, [&] {
    if (model == nullptr || result == nullptr || (input_count > 0 && inputs == nullptr))
      return client->Fail(MLOS_CLIENT_USAGE, "mlos_infer needs a model, inputs and a result");
    std::vector<std::string> outputs;
    if (options != nullptr) {
      for (size_t i = 0; i < options->output_count; ++i) {
        if (options->outputs == nullptr || options->outputs[i] == nullptr)
          return client->Fail(MLOS_CLIENT_USAGE, "output name " + std::to_string(i) + " is null");
        outputs.emplace_back(options->outputs[i]);
      }
    }
    auto answer = std::make_unique<mlos_result>();
    const int code =
        client->ipc ? InferIpc(client, model, inputs, input_count, outputs, options, answer.get())
                    : InferHttp(client, model, inputs, input_count, outputs, options, answer.get());
    if (code != MLOS_CLIENT_OK) return code;
    AlignOutputs(answer.get());
    *result = answer.release();
    return Returned(client, MLOS_CLIENT_OK, "", nullptr);
  });
}

size_t mlos_result_output_count(const mlos_result* result) {
  return result != nullptr ? result->outputs.size() : 0;
}

int mlos_result_output(const mlos_result* result, size_t index, mlos_output* output) {
  if (result == nullptr || output == nullptr || index >= result->outputs.size())
    return MLOS_CLIENT_USAGE;
  const WireOutput& wire = result->outputs[index];
  *output = {wire.name.c_str(), wire.dtype, static_cast<int32_t>(wire.shape.size()),
             wire.shape.data(), wire.data,  wire.byte_size};
  return MLOS_CLIENT_OK;
}

int64_t mlos_result_queue_us(const mlos_result* result) {
  return result != nullptr ? result->queue_us : -1;
}

int64_t mlos_result_compute_us(const mlos_result* result) {
  return result != nullptr ? result->compute_us : -1;
}

void mlos_result_free(mlos_result* result) { delete result; }

mlos_region* mlos_region_create(mlos_client* client, uint64_t size) {
  if (client == nullptr) return nullptr;
  if (!client->ipc) {
    client->Fail(MLOS_CLIENT_USAGE, "shared-memory regions need an IPC client");
    return nullptr;
  }
  if (size == 0) {
    client->Fail(MLOS_CLIENT_USAGE, "a region needs at least one byte");
    return nullptr;
  }
  const int fd = ::memfd_create("mlos-client-region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    client->Fail(MLOS_CLIENT_TRANSPORT, "cannot create a shared-memory region of " +
                                            std::to_string(size) + " bytes (" +
                                            std::strerror(errno) + ")");
    if (fd >= 0) ::close(fd);
    return nullptr;
  }
  void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    client->Fail(MLOS_CLIENT_TRANSPORT,
                 std::string("cannot map the region (") + std::strerror(errno) + ")");
    ::close(fd);
    return nullptr;
  }
  IpcReply reply;
  const std::string body = nlohmann::json{{"size", size}}.dump();
  const int code = IpcCall(client, MLOS_IPC_OP_REGISTER_REGION, {body}, fd, &reply);
  ::close(fd);  // the server holds its own mapping now
  const nlohmann::json answer =
      code == MLOS_CLIENT_OK ? nlohmann::json::parse(reply.body, nullptr, false) : nlohmann::json();
  if (code != MLOS_CLIENT_OK || !answer.contains("region") ||
      !answer["region"].is_number_unsigned()) {
    if (code == MLOS_CLIENT_OK) client->Fail(MLOS_CLIENT_PROTOCOL, "REGISTER_REGION: no region id");
    ::munmap(data, size);
    return nullptr;
  }
  auto* region = new mlos_region{client, answer["region"].get<uint32_t>(), data, size};
  client->regions[region->id] = region;
  client->error.clear();
  return region;
}

void* mlos_region_data(mlos_region* region) { return region != nullptr ? region->data : nullptr; }

uint64_t mlos_region_size(const mlos_region* region) {
  return region != nullptr ? region->size : 0;
}

void mlos_region_destroy(mlos_region* region) {
  if (region == nullptr) return;
  mlos_client* client = region->client;
  IpcReply reply;
  const std::string body = nlohmann::json{{"region", region->id}}.dump();
  IpcCall(client, MLOS_IPC_OP_UNREGISTER_REGION, {body}, -1, &reply);  // best effort
  client->regions.erase(region->id);
  ::munmap(region->data, region->size);
  delete region;
}

}  // extern "C"
#pragma GCC visibility pop
