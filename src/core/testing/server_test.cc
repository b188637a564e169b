// Black-box test of the mlos-core binary: starts it on port 0 with the echo test plugin, talks
// HTTP to it over TCP, and stops it with SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>  // Boost 1.74 Asio uses std::exchange without including it

#include "core/testing/test_files.h"

namespace mlos::core {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Reply {
  unsigned status = 0;
  std::string body;
  Json json;
  std::string message() const { return json.is_object() ? json.value("message", "") : body; }
};

// One client connection (keep-alive: several requests may use it).
class Connection {
 public:
  explicit Connection(uint16_t port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "") {
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(http::field::host, "127.0.0.1");
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    beast::error_code error;
    http::write(socket_, request, error);
    if (error) ADD_FAILURE() << "writing " << method << " " << target << ": " << error.message();
    return Read();
  }

  Reply Read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    beast::error_code error;
    http::read(socket_, buffer_, parser, error);
    if (error) {
      ADD_FAILURE() << "reading a reply: " << error.message();
      return {};
    }
    Reply reply{parser.get().result_int(), parser.get().body(), {}};
    reply.json = Json::parse(reply.body, nullptr, false);
    return reply;
  }

  void WriteRaw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // One CRLF-terminated line, without the CRLF. Only for replies the server sends before it
  // reads on (100 Continue), so nothing is read past them.
  std::string ReadRawLine() {
    asio::read_until(socket_, raw_, "\r\n");
    std::istream stream(&raw_);
    std::string line;
    std::getline(stream, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  asio::streambuf raw_;
};

// The mlos-core process: started with Start(), stopped with Terminate() or killed at the end.
class CoreProcess {
 public:
  CoreProcess(std::filesystem::path home, std::vector<std::string> arguments,
              std::vector<std::pair<std::string, std::string>> environment = {})
      : home_(std::move(home)),
        arguments_(std::move(arguments)),
        environment_(std::move(environment)) {}
  ~CoreProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ >= 0) close(stdout_);
  }

  // Starts the server and returns once it printed its "listening" line (or fails the test).
  void Start() {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    std::vector<std::string> arguments = {
        MLOS_CORE_BINARY, "--http-port",        "0",         "--home",  home_.string(),
        "--plugin-dir",   MLOS_ECHO_PLUGIN_DIR, "--no-grpc", "--no-ipc"};
    arguments.insert(arguments.end(), arguments_.begin(), arguments_.end());
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      dup2(pipe_fds[1], STDOUT_FILENO);
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      for (const auto& [name, value] : environment_) setenv(name.c_str(), value.c_str(), 1);
      std::vector<char*> argv;
      for (auto& argument : arguments) argv.push_back(argument.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(pipe_fds[1]);
    stdout_ = pipe_fds[0];
    std::string output;
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    const std::string marker = "mlos-core listening on http://";
    while (output.find(marker) == std::string::npos ||
           output.find('\n', output.find(marker)) == std::string::npos) {
      pollfd poll_fd{stdout_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      ASSERT_GT(left.count(), 0) << "no listening line within 20 s; stdout so far: " << output;
      ASSERT_GT(poll(&poll_fd, 1, static_cast<int>(left.count())), 0) << "stdout: " << output;
      char chunk[256];
      const ssize_t got = read(stdout_, chunk, sizeof(chunk));
      ASSERT_GT(got, 0) << "mlos-core exited before listening; stdout: " << output;
      output.append(chunk, static_cast<size_t>(got));
    }
    const size_t line_end = output.find('\n', output.find(marker));
    const std::string line = output.substr(0, line_end);
    port_ = static_cast<uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    ASSERT_NE(port_, 0) << line;
  }

  // Sends SIGTERM; returns the exit status, and the seconds it took in *seconds.
  int Terminate(double* seconds) {
    const auto started = Clock::now();
    kill(pid_, SIGTERM);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() - started > std::chrono::seconds(10)) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    *seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  uint16_t port() const { return port_; }
  Reply Send(const std::string& method, const std::string& target, const std::string& body = "") {
    return Connection(port_).Send(method, target, body);
  }

 private:
  std::filesystem::path home_;
  std::vector<std::string> arguments_;
  std::vector<std::pair<std::string, std::string>> environment_;
  pid_t pid_ = -1;
  int stdout_ = -1;
  uint16_t port_ = 0;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = testing::FreshDirectory(
        std::string("server_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    model_path_ = testing::WriteFile(directory_ / "vector.echo", testing::kEchoVectorModel);
    server_ = std::make_unique<CoreProcess>(directory_ / "home", std::vector<std::string>{});
    server_->Start();
  }

  void TearDown() override {
    if (server_ && server_->port() != 0) {
      EXPECT_EQ(server_->Send("GET", "/health").status, 200u) << "the server stopped serving";
    }
  }

  Reply Register(const std::string& id, const std::string& path) {
    return server_->Send("POST", "/models/register", Json{{"model_id", id}, {"path", path}}.dump());
  }

  std::filesystem::path directory_;
  std::string model_path_;
  std::unique_ptr<CoreProcess> server_;
};

TEST_F(ServerTest, HealthAnswers) {
  const Reply reply = server_->Send("GET", "/health");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json["status"], "healthy");
  EXPECT_EQ(reply.json["service"], "mlos-core");
  EXPECT_NE(reply.json["plugins"].dump().find("echo"), std::string::npos);
}

TEST_F(ServerTest, RegisterThenInfer) {
  Reply reply = Register("local/vector@1", model_path_);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json["status"], "success");
  EXPECT_EQ(reply.json["plugin_id"], "echo");
  reply =
      server_->Send("POST", "/models/local%2Fvector%401/inference",
                    R"({"inputs":{"x":{"shape":[1,3],"datatype":"FP32","data":[0.1,0.2,0.3]}}})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json["outputs"]["x_echo"]["shape"], Json::array({1, 3}));
  EXPECT_EQ(reply.json["outputs"]["x_echo"]["data"], Json::parse("[0.1,0.2,0.3]"));
  reply = server_->Send("GET", "/models/local%2Fvector%401");
  EXPECT_EQ(reply.json["state"], "ready");
}

TEST_F(ServerTest, BadRequestsGetAClearErrorAndTheServerKeepsServing) {
  ASSERT_EQ(Register("local/vector@1", model_path_).status, 200u);
  const std::string target = "/models/local%2Fvector%401/inference";
  Reply reply = server_->Send("POST", target, R"({"x": [1.0, 2.0,)");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.message().find("JSON"), std::string::npos) << reply.body;
  reply = server_->Send("POST", target, R"({"image":[1,2,3]})");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.message().find("unknown input 'image'"), std::string::npos) << reply.body;
  EXPECT_NE(reply.message().find("x (FP32 [-1, 3])"), std::string::npos) << reply.body;
  reply = server_->Send("POST", target, R"({"x":[[1,2,3,4]]})");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.message().find("the model expects [-1, 3]"), std::string::npos) << reply.body;
  reply = server_->Send("POST", "/models/local%2Fno_such%40latest/inference", R"({"x":[1]})");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_NE(reply.message().find("local/no_such@latest"), std::string::npos) << reply.body;
  reply = server_->Send("PUT", "/health");
  EXPECT_EQ(reply.status, 405u);
  reply = server_->Send("GET", "/no/such/route");
  EXPECT_EQ(reply.status, 404u);

  const std::string corrupt = testing::WriteFile(directory_ / "corrupt.echo", "\xff\xfe garbage");
  reply = Register("local/corrupt@1", corrupt);
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.message().find("corrupt.echo"), std::string::npos) << reply.body;
  EXPECT_EQ(server_->Send("GET", "/models").body.find("local/corrupt@1"), std::string::npos);
}

TEST_F(ServerTest, MalformedHttpIsA400) {
  Connection connection(server_->port());
  connection.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
  const Reply reply = connection.Read();
  EXPECT_EQ(reply.status, 400u);
  EXPECT_NE(reply.message().find("malformed HTTP request"), std::string::npos) << reply.body;
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection connection(server_->port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(connection.Send("GET", "/health").status, 200u);
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
  ASSERT_EQ(Register("local/vector@1", model_path_).status, 200u);
  Connection connection(server_->port());
  const std::string body = R"({"x":[1,2,3]})";
  connection.WriteRaw(
      "POST /models/local%2Fvector%401/inference HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_EQ(connection.ReadRawLine().substr(0, 12), "HTTP/1.1 100");
  EXPECT_EQ(connection.ReadRawLine(), "");
  connection.WriteRaw(body);
  EXPECT_EQ(connection.Read().status, 200u);
}

TEST_F(ServerTest, BodiesOf16MegabytesAreOrdinary) {
  ASSERT_EQ(Register("local/vector@1", model_path_).status, 200u);
  std::string body = R"({"x":[)";
  const int64_t values = 3 * 1'200'000;
  body.reserve(values * 6);
  for (int64_t i = 0; i < values; ++i) body += i == 0 ? "0.125" : ",0.125";
  body += "]}";
  ASSERT_GT(body.size(), 16u << 20);
  const Reply reply =
      server_->Send("POST", "/models/local%2Fvector%401/inference?include_outputs=false", body);
  ASSERT_EQ(reply.status, 200u) << reply.body.substr(0, 500);
  EXPECT_EQ(reply.json["outputs"]["x_echo"]["shape"], Json::array({1'200'000, 3}));
}

TEST_F(ServerTest, ASlowModelDoesNotBlockHealth) {
  const std::string slow = testing::WriteFile(
      directory_ / "slow.echo",
      R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1]}],"delay_ms":1500})");
  ASSERT_EQ(Register("local/slow@1", slow).status, 200u);
  auto inference = std::async(std::launch::async, [&] {
    return server_->Send("POST", "/models/local%2Fslow%401/inference", R"({"x":[1]})");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto started = Clock::now();
  EXPECT_EQ(server_->Send("GET", "/health").status, 200u);
  EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(500));
  EXPECT_EQ(inference.get().status, 200u);
}

TEST_F(ServerTest, ModelsSurviveARestartAndSigtermIsQuick) {
  ASSERT_EQ(Register("local/vector@1", model_path_).status, 200u);
  ASSERT_EQ(
      server_->Send("POST", "/models/local%2Fvector%401/inference", R"({"x":[1,2,3]})").status,
      200u);
  double seconds = 0;
  EXPECT_EQ(server_->Terminate(&seconds), 0);
  EXPECT_LT(seconds, 2.0);

  server_ = std::make_unique<CoreProcess>(directory_ / "home", std::vector<std::string>{});
  server_->Start();
  const Reply listing = server_->Send("GET", "/models");
  ASSERT_EQ(listing.json["models"].size(), 1u) << listing.body;
  EXPECT_EQ(listing.json["models"][0]["id"], "local/vector@1");
  EXPECT_EQ(listing.json["models"][0]["state"], "unloaded");
  EXPECT_EQ(
      server_->Send("POST", "/models/local%2Fvector%401/inference", R"({"x":[1,2,3]})").status,
      200u);
}

TEST_F(ServerTest, SigtermDrainsARequestInFlight) {
  const std::string slow = testing::WriteFile(
      directory_ / "slow.echo",
      R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1]}],"delay_ms":800})");
  ASSERT_EQ(Register("local/slow@1", slow).status, 200u);
  auto inference = std::async(std::launch::async, [&] {
    return server_->Send("POST", "/models/local%2Fslow%401/inference", R"({"x":[4]})");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  double seconds = 0;
  EXPECT_EQ(server_->Terminate(&seconds), 0);
  const Reply reply = inference.get();
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.json["outputs"]["x_echo"]["data"], Json::array({4}));
  server_.reset();  // stopped: TearDown has nothing to ask
}

TEST(ServerLimitTest, OversizedBodiesGet413FromTheEnvironmentLimit) {
  const auto directory = testing::FreshDirectory("server_limit");
  CoreProcess server(directory / "home", {}, {{"MLOS_MAX_REQUEST_BYTES", "1000"}});
  server.Start();
  const Reply reply = server.Send("POST", "/models/register", std::string(5000, ' '));
  EXPECT_EQ(reply.status, 413u);
  EXPECT_NE(reply.message().find("larger than the limit of 1000 bytes"), std::string::npos)
      << reply.body;
  EXPECT_EQ(server.Send("GET", "/health").status, 200u);
}

}  // namespace
}  // namespace mlos::core
