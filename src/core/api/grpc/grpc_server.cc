#include "core/api/grpc/grpc_server.h"

#include <fmt/format.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <climits>

namespace mlos::core {
namespace {

constexpr const char* kInferenceServiceName = "inference.GRPCInferenceService";

std::string HostPort(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

}  // namespace

GrpcServer::GrpcServer(ModelManager& models, GrpcServerOptions options)
    : options_(std::move(options)),
      service_(models, options_.server_name, options_.server_version) {}

GrpcServer::~GrpcServer() { Stop(); }

std::string GrpcServer::address() const { return HostPort(options_.host, port_); }

Status GrpcServer::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string address = HostPort(options_.host, options_.port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(std::min<uint64_t>(options_.max_message_bytes, INT_MAX)));
  builder.SetMaxSendMessageSize(-1);
  builder.RegisterService(&service_);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    server_.reset();
    return Unavailable(
        fmt::format("gRPC cannot listen on {}: the address is in use or invalid", address));
  }
  port_ = static_cast<uint16_t>(port);
  server_->GetHealthCheckService()->SetServingStatus(kInferenceServiceName, true);
  return Status::Ok();
}

void GrpcServer::Stop() {
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus(false);
  service_.BeginShutdown();
  server_->Shutdown(std::chrono::system_clock::now() + options_.shutdown_grace);
  server_->Wait();
  server_.reset();
}

}  // namespace mlos::core
