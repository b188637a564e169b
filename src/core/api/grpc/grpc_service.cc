#include "core/api/grpc/grpc_service.h"

#include <fmt/format.h>

#include <deque>
#include <optional>
#include <utility>

#include "core/api/grpc/grpc_tensors.h"
#include "core/api/kserve/kserve_models.h"

namespace mlos::core {
namespace {

using inference::ModelInferRequest;
using inference::ModelInferResponse;
using inference::ModelStreamInferResponse;

// The model id a request's name and version address (an empty version: the server picks).
StatusOr<std::string> RequestedModel(const std::string& name, const std::string& version) {
  if (version.empty()) return ResolveKServeModelId(name, std::nullopt, "");
  return ResolveKServeModelId(name, version,
                              fmt::format("the request asks for version '{}'", version));
}

void SetDuration(uint64_t count, uint64_t microseconds, inference::StatisticDuration* duration) {
  duration->set_count(count);
  duration->set_ns(microseconds * 1000);
}

// Triton's statistics of one model, as the REST front end reports them.
void FillStatistics(const ModelInfo& info, inference::ModelStatistics* out) {
  const ModelStatsSnapshot& stats = info.stats;
  auto [name, version] = SplitModelId(info.record.id);
  out->set_name(std::move(name));
  out->set_version(std::move(version));
  out->set_last_inference(stats.last_inference_ms);
  out->set_inference_count(stats.inference_count);
  out->set_execution_count(stats.execution_count);
  inference::InferStatistics* infer = out->mutable_inference_stats();
  SetDuration(stats.success_count, stats.request_duration_us, infer->mutable_success());
  SetDuration(stats.failure_count, stats.failure_duration_us, infer->mutable_fail());
  SetDuration(stats.inference_count, stats.queue_duration_us, infer->mutable_queue());
  SetDuration(stats.inference_count, 0, infer->mutable_compute_input());
  SetDuration(stats.inference_count, stats.compute_duration_us, infer->mutable_compute_infer());
  SetDuration(stats.inference_count, 0, infer->mutable_compute_output());
  SetDuration(0, 0, infer->mutable_cache_hit());
  SetDuration(0, 0, infer->mutable_cache_miss());
}

void FillTensorMetadata(
    const std::vector<TensorSpec>& specs,
    google::protobuf::RepeatedPtrField<inference::ModelMetadataResponse::TensorMetadata>* out) {
  for (const TensorSpec& spec : specs) {
    auto* tensor = out->Add();
    tensor->set_name(spec.name);
    tensor->set_datatype(KServeName(spec.dtype));
    const Shape shape = KServeMetadataShape(spec);
    tensor->mutable_shape()->Add(shape.begin(), shape.end());
  }
}

// Triton's type of a tensor: TYPE_<KServe name>, TYPE_STRING for BYTES.
inference::DataType TritonDataType(DataType dtype) {
  const std::string name = dtype == DataType::kString ? "STRING" : KServeName(dtype);
  inference::DataType type = inference::TYPE_INVALID;
  inference::DataType_Parse("TYPE_" + name, &type);
  return type;
}

template <typename Tensors>
void FillTritonTensors(const std::vector<TensorSpec>& specs, Tensors* out) {
  for (const TensorSpec& spec : specs) {
    auto* tensor = out->Add();
    tensor->set_name(spec.name);
    tensor->set_data_type(TritonDataType(spec.dtype));
    const Shape shape = KServeMetadataShape(spec);
    tensor->mutable_dims()->Add(shape.begin(), shape.end());
  }
}

grpc::ServerUnaryReactor* Finished(grpc::CallbackServerContext* context, const Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

// One ModelStreamInfer call, registered with the service while it lives. Each request read gets an
// answer slot, in request order; requests run concurrently and their answers are written one at a
// time from the front. At most kMaxInFlight answers are pending before reading pauses (back
// pressure on a flooding client). The call finishes once the client has ended its side and every
// answer is written (or the client is gone); OnDone deletes the reactor.
class StreamInferReactor final
    : public grpc::ServerBidiReactor<ModelInferRequest, ModelStreamInferResponse> {
 public:
  explicit StreamInferReactor(GrpcInferenceService& service) : service_(service) {
    reading_ = true;
    StartRead(&request_);
    if (!service_.AddStream(this)) StopReading();
  }

  // The server is stopping: read no more requests, answer those already read, then finish with
  // UNAVAILABLE (at once when nothing is pending, even with a read outstanding).
  void StopReading() {
    std::unique_lock lock(mutex_);
    read_ended_ = true;
    final_status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "mlos-core is shutting down");
    FinishIfDone(std::move(lock));
  }

  void OnReadDone(bool ok) override {
    Answer* answer;
    {
      std::unique_lock lock(mutex_);
      if (!ok || finished_) {  // the client ended its side, or the call is already finished
        reading_ = false;
        read_ended_ = true;
        return FinishIfDone(std::move(lock));
      }
      answer = &answers_.emplace_back();
    }
    // Copies what it needs of request_ before returning; reading_ stays true meanwhile, so no
    // other thread starts the next read into request_.
    service_.StartInference(request_, answer->message.mutable_infer_response(),
                            [this, answer](const Status& status) { Complete(answer, status); });
    std::unique_lock lock(mutex_);
    reading_ = false;
    WriteNext();  // starts the next read when there is room
    FinishIfDone(std::move(lock));
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(mutex_);
    writing_ = false;
    answers_.pop_front();
    if (!ok) client_gone_ = true;
    WriteNext();
    FinishIfDone(std::move(lock));
  }

  void OnDone() override {
    service_.RemoveStream(this);
    delete this;
  }

 private:
  static constexpr size_t kMaxInFlight = 64;

  struct Answer {
    ModelStreamInferResponse message;
    bool ready = false;
  };

  void Complete(Answer* answer, const Status& status) {
    std::unique_lock lock(mutex_);
    if (!status.ok()) {
      // The error, with the request's id and model kept for the client to match it.
      ModelInferResponse* response = answer->message.mutable_infer_response();
      response->clear_outputs();
      response->clear_raw_output_contents();
      answer->message.set_error_message(ToGrpcStatus(status).error_message());
    }
    answer->ready = true;
    WriteNext();
    FinishIfDone(std::move(lock));
  }

  // Writes the front answer when it is ready (or drops ready answers when the client is gone),
  // then resumes reading if it paused and there is room again. REQUIRES: mutex_ held.
  void WriteNext() {
    while (client_gone_ && !writing_ && !answers_.empty() && answers_.front().ready) {
      answers_.pop_front();
    }
    if (!writing_ && !answers_.empty() && answers_.front().ready) {
      writing_ = true;
      StartWrite(&answers_.front().message);
    }
    if (!reading_ && !read_ended_ && answers_.size() < kMaxInFlight) {
      reading_ = true;
      StartRead(&request_);
    }
  }

  // Finishes the call when nothing is left to do, outside the lock (the reactor may be deleted
  // any time after Finish).
  void FinishIfDone(std::unique_lock<std::mutex> lock) {
    const bool done = read_ended_ && answers_.empty() && !writing_ && !finished_;
    if (done) finished_ = true;
    lock.unlock();
    if (done) Finish(final_status_);
  }

  GrpcInferenceService& service_;
  ModelInferRequest request_;  // the read in progress; owned by gRPC while reading_
  std::mutex mutex_;
  std::deque<Answer> answers_;  // guarded by mutex_; references stay valid until popped
  bool reading_ = false;        // guarded by mutex_
  bool read_ended_ = false;     // guarded by mutex_
  bool writing_ = false;        // guarded by mutex_
  bool client_gone_ = false;    // guarded by mutex_
  bool finished_ = false;       // guarded by mutex_
  grpc::Status final_status_;   // guarded by mutex_; OK unless the server is stopping
};

grpc::Status ToGrpcStatus(const Status& status) {
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (status.code()) {
    case StatusCode::kOk:
      return grpc::Status::OK;
    case StatusCode::kInvalidArgument:
      code = grpc::StatusCode::INVALID_ARGUMENT;
      break;
    case StatusCode::kNotFound:
      code = grpc::StatusCode::NOT_FOUND;
      break;
    case StatusCode::kAlreadyExists:
      code = grpc::StatusCode::ALREADY_EXISTS;
      break;
    case StatusCode::kFailedPrecondition:
      code = grpc::StatusCode::FAILED_PRECONDITION;
      break;
    case StatusCode::kOutOfMemory:
      code = grpc::StatusCode::RESOURCE_EXHAUSTED;
      break;
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
      code = grpc::StatusCode::UNAVAILABLE;
      break;
    case StatusCode::kUnimplemented:
      code = grpc::StatusCode::UNIMPLEMENTED;
      break;
    case StatusCode::kInternal:
      break;
  }
  return {code, status.message()};
}

GrpcInferenceService::GrpcInferenceService(ModelManager& models, std::string server_name,
                                           std::string server_version)
    : models_(models),
      server_name_(std::move(server_name)),
      server_version_(std::move(server_version)) {}

GrpcInferenceService::~GrpcInferenceService() {
  std::list<std::thread> threads;
  {
    std::lock_guard lock(blocking_mutex_);
    threads.swap(blocking_threads_);
    finished_.clear();
  }
  for (std::thread& thread : threads) thread.join();
}

bool GrpcInferenceService::AddStream(StreamInferReactor* stream) {
  std::lock_guard lock(streams_mutex_);
  streams_.insert(stream);
  return !shutting_down_;
}

void GrpcInferenceService::RemoveStream(StreamInferReactor* stream) {
  std::lock_guard lock(streams_mutex_);
  streams_.erase(stream);
}

void GrpcInferenceService::BeginShutdown() {
  // Finish calls OnDone later, never inline, so holding streams_mutex_ here cannot deadlock with
  // RemoveStream.
  std::lock_guard lock(streams_mutex_);
  shutting_down_ = true;
  for (StreamInferReactor* stream : streams_) stream->StopReading();
}

void GrpcInferenceService::RunBlocking(std::function<void()> work) {
  std::lock_guard lock(blocking_mutex_);
  for (const auto& finished : finished_) {
    finished->join();
    blocking_threads_.erase(finished);
  }
  finished_.clear();
  auto slot = blocking_threads_.emplace(blocking_threads_.end());
  // The thread records itself as finished under the lock this call holds until `slot` is set.
  *slot = std::thread([this, work = std::move(work), slot] {
    work();
    std::lock_guard done(blocking_mutex_);
    finished_.push_back(slot);
  });
}

void GrpcInferenceService::StartInference(const ModelInferRequest& request,
                                          ModelInferResponse* response,
                                          std::function<void(const Status&)> finish) const {
  response->set_id(request.id());
  auto id = RequestedModel(request.model_name(), request.model_version());
  if (!id.ok()) return finish(id.status());
  auto [name, version] = SplitModelId(*id);
  response->set_model_name(std::move(name));
  response->set_model_version(std::move(version));
  auto signature = models_.Signature(*id);
  if (!signature.ok()) return finish(signature.status());
  auto decoded = DecodeGrpcInferRequest(request, **signature);
  if (!decoded.ok()) return finish(decoded.status().WithContext(fmt::format("model '{}'", *id)));
  InferenceJob job;
  job.inputs = std::move(decoded->inputs);
  job.output_names = std::move(decoded->output_names);
  job.done = [response, raw_outputs = decoded->raw_outputs,
              finish = std::move(finish)](InferenceOutcome outcome) {
    if (!outcome.status.ok()) return finish(outcome.status);
    finish(EncodeGrpcInferOutputs(outcome.outputs, raw_outputs, response));
  };
  models_.Infer(*id, std::move(job));
}

grpc::ServerUnaryReactor* GrpcInferenceService::ServerLive(
    Context* context, const inference::ServerLiveRequest*,
    inference::ServerLiveResponse* response) {
  response->set_live(true);
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::ServerReady(
    Context* context, const inference::ServerReadyRequest*,
    inference::ServerReadyResponse* response) {
  response->set_ready(true);
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelReady(
    Context* context, const inference::ModelReadyRequest* request,
    inference::ModelReadyResponse* response) {
  auto id = RequestedModel(request->name(), request->version());
  if (!id.ok()) return Finished(context, id.status());
  auto info = models_.Describe(*id);
  if (!info.ok()) return Finished(context, info.status());
  response->set_ready(info->state == ModelState::kReady);
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::ServerMetadata(
    Context* context, const inference::ServerMetadataRequest*,
    inference::ServerMetadataResponse* response) {
  response->set_name(server_name_);
  response->set_version(server_version_);
  for (const char* extension : {"binary_tensor_data", "model_repository", "statistics"}) {
    response->add_extensions(extension);
  }
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelMetadata(
    Context* context, const inference::ModelMetadataRequest* request,
    inference::ModelMetadataResponse* response) {
  auto id = RequestedModel(request->name(), request->version());
  if (!id.ok()) return Finished(context, id.status());
  auto info = models_.Describe(*id);
  if (!info.ok()) return Finished(context, info.status());
  response->set_name(SplitModelId(*id).first);
  for (std::string& version : KServeModelVersions(models_, *id)) {
    response->add_versions(std::move(version));
  }
  response->set_platform(info->record.plugin_id);
  FillTensorMetadata(info->record.signature.inputs, response->mutable_inputs());
  FillTensorMetadata(info->record.signature.outputs, response->mutable_outputs());
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelConfig(
    Context* context, const inference::ModelConfigRequest* request,
    inference::ModelConfigResponse* response) {
  auto id = RequestedModel(request->name(), request->version());
  if (!id.ok()) return Finished(context, id.status());
  auto info = models_.Describe(*id);
  if (!info.ok()) return Finished(context, info.status());
  inference::ModelConfig* config = response->mutable_config();
  config->set_name(SplitModelId(*id).first);
  config->set_platform(info->record.plugin_id);
  config->set_backend(info->record.plugin_id);
  config->set_max_batch_size(0);
  FillTritonTensors(info->record.signature.inputs, config->mutable_input());
  FillTritonTensors(info->record.signature.outputs, config->mutable_output());
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelInfer(Context* context,
                                                           const ModelInferRequest* request,
                                                           ModelInferResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  StartInference(*request, response,
                 [reactor](const Status& status) { reactor->Finish(ToGrpcStatus(status)); });
  return reactor;
}

grpc::ServerBidiReactor<ModelInferRequest, ModelStreamInferResponse>*
GrpcInferenceService::ModelStreamInfer(Context*) {
  return new StreamInferReactor(*this);
}

grpc::ServerUnaryReactor* GrpcInferenceService::ModelStatistics(
    Context* context, const inference::ModelStatisticsRequest* request,
    inference::ModelStatisticsResponse* response) {
  if (request->name().empty()) {
    for (const ModelInfo& info : models_.List()) FillStatistics(info, response->add_model_stats());
    return Finished(context, Status::Ok());
  }
  auto id = RequestedModel(request->name(), request->version());
  if (!id.ok()) return Finished(context, id.status());
  auto info = models_.Describe(*id);
  if (!info.ok()) return Finished(context, info.status());
  FillStatistics(*info, response->add_model_stats());
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::RepositoryIndex(
    Context* context, const inference::RepositoryIndexRequest* request,
    inference::RepositoryIndexResponse* response) {
  for (KServeIndexEntry& entry : KServeRepositoryIndex(models_, request->ready())) {
    auto* model = response->add_models();
    model->set_name(std::move(entry.name));
    model->set_version(std::move(entry.version));
    model->set_state(std::move(entry.state));
    model->set_reason(std::move(entry.reason));
  }
  return Finished(context, Status::Ok());
}

grpc::ServerUnaryReactor* GrpcInferenceService::RepositoryModelLoad(
    Context* context, const inference::RepositoryModelLoadRequest* request,
    inference::RepositoryModelLoadResponse*) {
  auto id = RequestedModel(request->model_name(), "");
  if (!id.ok()) return Finished(context, id.status());
  for (const auto& [key, value] : request->parameters()) {
    if (Status status = CheckKServeLoadParameter(key); !status.ok()) {
      return Finished(context, status);
    }
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunBlocking([this, reactor, id = *id] { reactor->Finish(ToGrpcStatus(models_.Load(id))); });
  return reactor;
}

grpc::ServerUnaryReactor* GrpcInferenceService::RepositoryModelUnload(
    Context* context, const inference::RepositoryModelUnloadRequest* request,
    inference::RepositoryModelUnloadResponse*) {
  auto id = RequestedModel(request->model_name(), "");
  if (!id.ok()) return Finished(context, id.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunBlocking([this, reactor, id = *id] { reactor->Finish(ToGrpcStatus(models_.Unload(id))); });
  return reactor;
}

}  // namespace mlos::core
