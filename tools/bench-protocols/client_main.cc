// mlos-bench-client: sequential inference round trips through libmlos-client, timed one by one.
// The protocol figures of `make bench-protocols` (tools/bench-protocols/bench.py) come from here.
//
//   mlos-bench-client --transport http|ipc|ipc-shm --address URL|SOCKET --model ID
//                     --input NAME --shape 1,3,224,224 [--requests 2000] [--warmup 200]
//
// The FP32 input holds i / 100 at element i. ipc-shm puts the input in a shared-memory region
// once and has the outputs written into the same region, so no tensor byte crosses the socket.
// Prints one JSON line (tools/bench-server/latency_summary.h) plus "transport" and
// "input_bytes". Exit codes: 0 done, 1 a request failed, 2 bad usage.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "mlos/client.h"
#include "mlos/smi.h"
#include "tools/bench-server/latency_summary.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string transport = "ipc";
  std::string address;
  std::string model;
  std::string input = "input";
  std::vector<int64_t> shape;
  int requests = 2000;
  int warmup = 200;
};

int Fail(mlos_client* client, const std::string& what) {
  std::fprintf(stderr, "mlos-bench-client: %s: %s\n", what.c_str(), mlos_client_error(client));
  mlos_client_close(client);
  return 1;
}

int Run(const Options& options) {
  char* error = nullptr;
  const bool ipc = options.transport != "http";
  mlos_client* client = ipc ? mlos_client_open_ipc(options.address.c_str(), &error)
                            : mlos_client_open_http(options.address.c_str(), &error);
  if (client == nullptr) {
    std::fprintf(stderr, "mlos-bench-client: %s\n", error);
    mlos_free(error);
    return 1;
  }
  uint64_t count = 1;
  for (int64_t dim : options.shape) count *= static_cast<uint64_t>(dim);
  const uint64_t bytes = count * sizeof(float);

  std::vector<float> inline_values;
  float* values = nullptr;
  mlos_region* region = nullptr;
  mlos_infer_options infer_options{};
  if (options.transport == "ipc-shm") {
    const uint64_t output_offset = (bytes + 63) / 64 * 64;
    region = mlos_region_create(client, output_offset + (uint64_t{16} << 20));
    if (region == nullptr) return Fail(client, "creating the region");
    values = static_cast<float*>(mlos_region_data(region));
    infer_options.output_region = region;
    infer_options.output_offset = output_offset;
    infer_options.output_capacity = mlos_region_size(region) - output_offset;
  } else {
    inline_values.resize(count);
    values = inline_values.data();
  }
  for (uint64_t i = 0; i < count; ++i) values[i] = static_cast<float>(i) / 100.0f;
  const mlos_tensor input{options.input.c_str(),
                          SMI_DTYPE_FLOAT32,
                          static_cast<int32_t>(options.shape.size()),
                          options.shape.data(),
                          region != nullptr ? nullptr : values,
                          bytes,
                          region,
                          0};

  std::vector<int64_t> latencies;
  latencies.reserve(static_cast<size_t>(options.requests));
  const Clock::time_point begin = Clock::now();
  Clock::time_point measured_from = begin;
  for (int i = 0; i < options.warmup + options.requests; ++i) {
    if (i == options.warmup) measured_from = Clock::now();
    const Clock::time_point start = Clock::now();
    mlos_result* result = nullptr;
    if (mlos_infer(client, options.model.c_str(), &input, 1, &infer_options, &result) !=
        MLOS_CLIENT_OK) {
      return Fail(client, "request " + std::to_string(i));
    }
    mlos_result_free(result);
    if (i >= options.warmup) {
      latencies.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - measured_from).count();
  mlos_region_destroy(region);
  mlos_client_close(client);
  const mlos::bench::LatencySummary summary =
      mlos::bench::Summarize(std::move(latencies), 0, seconds);
  std::printf("%s\n",
              mlos::bench::ToJsonLine(summary, "\"transport\":\"" + options.transport +
                                                   "\",\"input_bytes\":" + std::to_string(bytes))
                  .c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("Sequential inference round trips through libmlos-client");
  app.add_option("--transport", options.transport)
      ->check(CLI::IsMember({"http", "ipc", "ipc-shm"}));
  app.add_option("--address", options.address, "http://host:port or the IPC socket")->required();
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
