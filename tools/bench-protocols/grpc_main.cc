// mlos-bench-grpc: sequential KServe v2 gRPC ModelInfer round trips (raw tensors), timed one by
// one, for `make bench-protocols` (tools/bench-protocols/bench.py).
//
//   mlos-bench-grpc --address 127.0.0.1:8081 --model ID --input NAME --shape 1,16
//                   [--requests 2000] [--warmup 200]
//
// The FP32 input holds i / 100 at element i, sent as raw_input_contents; the request message is
// built once and reused, as a client sending the same tensor again would. Prints one JSON line
// (tools/bench-server/latency_summary.h) plus "transport" and "input_bytes". Exit codes: 0 done,
// 1 a call failed, 2 bad usage.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "grpc_predict_v2.grpc.pb.h"
#include "tools/bench-server/latency_summary.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string address;
  std::string model;
  std::string input = "input";
  std::vector<int64_t> shape;
  int requests = 2000;
  int warmup = 200;
};

int Run(const Options& options) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(-1);
  arguments.SetMaxSendMessageSize(-1);
  const auto channel =
      grpc::CreateCustomChannel(options.address, grpc::InsecureChannelCredentials(), arguments);
  const auto stub = inference::GRPCInferenceService::NewStub(channel);

  inference::ModelInferRequest request;
  request.set_model_name(options.model);
  auto* input = request.add_inputs();
  input->set_name(options.input);
  input->set_datatype("FP32");
  uint64_t count = 1;
  for (int64_t dim : options.shape) {
    input->add_shape(dim);
    count *= static_cast<uint64_t>(dim);
  }
  std::string* raw = request.add_raw_input_contents();
  raw->resize(count * sizeof(float));
  for (uint64_t i = 0; i < count; ++i) {
    const float value = static_cast<float>(i) / 100.0f;
    std::memcpy(raw->data() + i * sizeof(float), &value, sizeof(float));
  }

  std::vector<int64_t> latencies;
  latencies.reserve(static_cast<size_t>(options.requests));
  Clock::time_point measured_from = Clock::now();
  for (int i = 0; i < options.warmup + options.requests; ++i) {
    if (i == options.warmup) measured_from = Clock::now();
    const Clock::time_point start = Clock::now();
    grpc::ClientContext context;
    inference::ModelInferResponse response;
    const grpc::Status status = stub->ModelInfer(&context, request, &response);
    if (!status.ok()) {
      std::fprintf(stderr, "mlos-bench-grpc: request %d: %s\n", i, status.error_message().c_str());
      return 1;
    }
    if (i >= options.warmup) {
      latencies.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - measured_from).count();
  const mlos::bench::LatencySummary summary =
      mlos::bench::Summarize(std::move(latencies), 0, seconds);
  std::printf("%s\n", mlos::bench::ToJsonLine(summary, "\"transport\":\"grpc\",\"input_bytes\":" +
                                                           std::to_string(raw->size()))
                          .c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("Sequential KServe v2 gRPC ModelInfer round trips");
  app.add_option("--address", options.address, "host:port of the gRPC front end")->required();
  app.add_option("--model", options.model)->required();
  app.add_option("--input", options.input);
  app.add_option("--shape", options.shape)->delimiter(',')->required();
  app.add_option("--requests", options.requests)->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup)->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return Run(options);
}
