// GrpcInferenceService: inference.GRPCInferenceService (grpc_predict_v2.proto) on top of the
// model manager, with KServe semantics shared with the REST front end (kserve/kserve_models.h):
// model names and versions, metadata, readiness, statistics and the repository index, load and
// unload. docs/kserve.md, "gRPC", is the user's description.
//
// Built on gRPC's callback API. Health, metadata, statistics and the index answer inline;
// ModelInfer decodes the request (grpc_tensors.h), queues it on the model and finishes from
// ModelManager's done callback, so no gRPC thread waits for a model. ModelStreamInfer answers
// each request of a bidirectional stream with a ModelStreamInferResponse, in request order; a
// failed request is answered with its error_message and the stream goes on (until the server
// stops: see BeginShutdown). Repository load and
// unload wait for the model, so they run on threads of their own.
//
// Errors are gRPC statuses with the message saying what and where (ToGrpcStatus). Thread-safe;
// the destructor waits for load and unload calls still running, so destroy it after the server
// has shut down.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <list>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "core/model_manager.h"
#include "grpc_predict_v2.grpc.pb.h"

namespace mlos::core {

// NotFound -> NOT_FOUND, InvalidArgument -> INVALID_ARGUMENT, ResourceExhausted (queue full) and
// Unavailable -> UNAVAILABLE, OutOfMemory -> RESOURCE_EXHAUSTED, Internal -> INTERNAL, and the
// other codes to their namesakes; the message is kept.
grpc::Status ToGrpcStatus(const Status& status);

class StreamInferReactor;

class GrpcInferenceService final : public inference::GRPCInferenceService::CallbackService {
 public:
  // `server_name` and `server_version` are what ServerMetadata reports.
  GrpcInferenceService(ModelManager& models, std::string server_name, std::string server_version);
  ~GrpcInferenceService() override;

  // Decodes `request`, queues it on its model and calls `finish` exactly once, perhaps before
  // returning: with OK once `response` holds the reply, or with the error. Used by ModelInfer and
  // ModelStreamInfer.
  void StartInference(const inference::ModelInferRequest& request,
                      inference::ModelInferResponse* response,
                      std::function<void(const Status&)> finish) const;

  // The server is about to shut down: every open ModelStreamInfer stream stops reading, answers
  // what it has read and finishes with UNAVAILABLE, so idle streams do not hold the shutdown;
  // streams opened from now on do the same at once.
  void BeginShutdown();

 private:
  friend class StreamInferReactor;
  using Context = grpc::CallbackServerContext;

  grpc::ServerUnaryReactor* ServerLive(Context* context, const inference::ServerLiveRequest*,
                                       inference::ServerLiveResponse* response) override;
  grpc::ServerUnaryReactor* ServerReady(Context* context, const inference::ServerReadyRequest*,
                                        inference::ServerReadyResponse* response) override;
  grpc::ServerUnaryReactor* ModelReady(Context* context,
                                       const inference::ModelReadyRequest* request,
                                       inference::ModelReadyResponse* response) override;
  grpc::ServerUnaryReactor* ServerMetadata(Context* context,
                                           const inference::ServerMetadataRequest*,
                                           inference::ServerMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelMetadata(Context* context,
                                          const inference::ModelMetadataRequest* request,
                                          inference::ModelMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelConfig(Context* context,
                                        const inference::ModelConfigRequest* request,
                                        inference::ModelConfigResponse* response) override;
  grpc::ServerUnaryReactor* ModelInfer(Context* context,
                                       const inference::ModelInferRequest* request,
                                       inference::ModelInferResponse* response) override;
  grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>*
  ModelStreamInfer(Context* context) override;
  grpc::ServerUnaryReactor* ModelStatistics(Context* context,
                                            const inference::ModelStatisticsRequest* request,
                                            inference::ModelStatisticsResponse* response) override;
  grpc::ServerUnaryReactor* RepositoryIndex(Context* context,
                                            const inference::RepositoryIndexRequest* request,
                                            inference::RepositoryIndexResponse* response) override;
  grpc::ServerUnaryReactor* RepositoryModelLoad(
      Context* context, const inference::RepositoryModelLoadRequest* request,
      inference::RepositoryModelLoadResponse*) override;
  grpc::ServerUnaryReactor* RepositoryModelUnload(
      Context* context, const inference::RepositoryModelUnloadRequest* request,
      inference::RepositoryModelUnloadResponse*) override;

  // Streams register while they live. AddStream returns false once the server is stopping.
  bool AddStream(StreamInferReactor* stream);
  void RemoveStream(StreamInferReactor* stream);

  // Runs `work` on a thread of its own; threads that have finished are joined on the next call
  // and in the destructor.
  void RunBlocking(std::function<void()> work);

  ModelManager& models_;
  const std::string server_name_;
  const std::string server_version_;

  std::mutex streams_mutex_;
  std::set<StreamInferReactor*> streams_;  // guarded by streams_mutex_
  bool shutting_down_ = false;             // guarded by streams_mutex_

  std::mutex blocking_mutex_;
  std::list<std::thread> blocking_threads_;                 // guarded by blocking_mutex_
  std::vector<std::list<std::thread>::iterator> finished_;  // guarded by blocking_mutex_
};

}  // namespace mlos::core
