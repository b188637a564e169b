// mlos-bench-http: closed-loop HTTP load on one route, one JSON line of figures on stdout.
//
//   mlos-bench-http --port 8080 --path /v2/models/m/infer --body-file body.bin
//                   [--header 'Inference-Header-Content-Length: 123'] [--concurrency 8]
//                   [--duration 5 | --requests N] [--warmup 2] [--host 127.0.0.1] [--show-response]
//                   [--reported-field inference_time_us]
//
// Prints {"count","errors","seconds","rps","mean_us","p50_us","p90_us","p99_us","max_us",
// "concurrency","request_bytes","response_bytes"}, "first_error" when some request failed, and
// with --reported-field "reported_count" and "reported_p50" (the median of that field over the
// timed answers that carried it). Exit codes: 0 every request answered 2xx, 1 the run could not
// start (bad file, nobody listening), 2 bad usage, 3 some requests failed (figures still printed).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tools/bench-server/http_load.h"

namespace mlos::bench {
namespace {

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("cannot open body file " + path);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// "Name: value" or "Name:value".
StatusOr<std::pair<std::string, std::string>> ParseHeader(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("--header '" + text + "' is not 'Name: value'");
  }
  const size_t value_start = text.find_first_not_of(' ', colon + 1);
  return std::pair{text.substr(0, colon),
                   value_start == std::string::npos ? std::string() : text.substr(value_start)};
}

int Main(int argc, char** argv) {
  HttpRequestSpec spec;
  LoadPlan plan;
  std::string body_file;
  std::vector<std::string> headers;
  double duration_s = plan.duration.count();
  bool show_response = false;

  CLI::App app{"Closed-loop HTTP load on one route; prints one JSON line of figures"};
  app.add_option("--host", spec.host, "server address");
  app.add_option("--port", spec.port, "server port")->required();
  app.add_option("--path", spec.path, "request target, e.g. /v2/models/m/infer")->required();
  app.add_option("--method", spec.method, "GET or POST (default: POST with a body, else GET)")
      ->check(CLI::IsMember({"GET", "POST"}));
  app.add_option("--body-file", body_file, "request body, sent as is");
  app.add_option("--header", headers, "extra header 'Name: value' (repeatable)");
  app.add_option("--concurrency", plan.concurrency, "clients, one connection each")
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--duration", duration_s, "seconds of measured load")->check(CLI::PositiveNumber);
  app.add_option("--requests", plan.requests, "measured requests in all (instead of --duration)");
  app.add_option("--warmup", plan.warmup_per_client, "untimed requests per client first");
  app.add_option("--reported-field", plan.reported_field,
                 "numeric JSON field of the answers to report the median of, e.g. "
                 "inference_time_us");
  app.add_flag("--show-response", show_response, "print one answer's body on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  plan.duration = std::chrono::duration<double>(duration_s);
  if (app.count("--method") == 0) spec.method = body_file.empty() ? "GET" : "POST";

  const auto fail = [](int code, const Status& status) {
    std::fprintf(stderr, "mlos-bench-http: %s\n", status.message().c_str());
    return code;
  };
  if (!body_file.empty()) {
    auto body = ReadFile(body_file);
    if (!body.ok()) return fail(1, body.status());
    spec.body = std::move(*body);
  }
  for (const auto& text : headers) {
    auto header = ParseHeader(text);
    if (!header.ok()) return fail(2, header.status());
    spec.headers.push_back(std::move(*header));
  }

  auto result = RunHttpLoad(spec, plan);
  if (!result.ok()) return fail(1, result.status());
  if (show_response) std::fprintf(stderr, "%s\n", result->response.c_str());
  std::string extra = fmt::format(R"("concurrency":{},"request_bytes":{},"response_bytes":{})",
                                  plan.concurrency, spec.body.size(), result->response_bytes);
  if (!plan.reported_field.empty()) {
    std::vector<double>& values = result->reported;
    std::sort(values.begin(), values.end());
    extra += fmt::format(R"(,"reported_count":{},"reported_p50":{})", values.size(),
                         values.empty() ? 0.0 : values[(values.size() - 1) / 2]);
  }
  if (!result->first_error.empty()) {
    extra +=
        ",\"first_error\":" + nlohmann::json(result->first_error)
                                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::printf("%s\n", ToJsonLine(result->summary, extra).c_str());
  return result->summary.errors == 0 ? 0 : 3;
}

}  // namespace
}  // namespace mlos::bench

int main(int argc, char** argv) { return mlos::bench::Main(argc, argv); }
