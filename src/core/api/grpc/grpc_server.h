// GrpcServer: the gRPC front end of mlos-core on --host:--grpc-port: inference.GRPCInferenceService
// (grpc_service.h) and gRPC's standard health service grpc.health.v1.Health (gRPC++'s built-in
// one; health.proto is its contract), SERVING for "" and "inference.GRPCInferenceService" while
// the server runs.
//
// Messages up to `max_message_bytes` are accepted (mlos-core passes --max-request-bytes, capped at
// gRPC's 2 GiB - 1 limit); replies are not limited. Start, then Stop once; Stop ends open streams
// once their answers are written, waits (up to the grace period) for the calls in flight and
// cancels what is left.
// Not thread-safe: start and stop from one thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "core/api/grpc/grpc_service.h"
#include "core/model_manager.h"

namespace mlos::core {

struct GrpcServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8081;  // 0: pick a free one
  uint64_t max_message_bytes = 256ull << 20;
  std::chrono::milliseconds shutdown_grace{5000};
  std::string server_name = "mlos-core";
  std::string server_version;
};

class GrpcServer {
 public:
  GrpcServer(ModelManager& models, GrpcServerOptions options);
  ~GrpcServer();  // Stop()

  // Binds and starts serving. Unavailable naming the address when it cannot bind.
  Status Start();
  // The port bound; 0 before Start().
  uint16_t port() const { return port_; }
  // "host:port" (IPv6 hosts in brackets) of the bound port.
  std::string address() const;
  // Health turns NOT_SERVING, streams stop reading (UNAVAILABLE once answered), new calls are
  // refused, calls in flight get the grace period, the rest are cancelled; returns when every
  // call has ended. Idempotent.
  void Stop();

 private:
  const GrpcServerOptions options_;
  GrpcInferenceService service_;
  std::unique_ptr<grpc::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace mlos::core
