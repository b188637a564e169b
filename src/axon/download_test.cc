#include "axon/download.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "axon/http_exchange.h"
#include "axon/sha256.h"
#include "axon/test_models.h"
#include "axon/testing/range_file_server.h"

namespace mlos::axon {
namespace {

using testing::RangeFileServer;
using testing::ServerFaults;
namespace fs = std::filesystem;

std::string Content(size_t size, unsigned seed = 1) {
  std::string content(size, '\0');
  uint32_t state = seed * 2654435761u + 1;
  for (char& c : content) {
    state = state * 1664525u + 1013904223u;
    c = static_cast<char>(state >> 24);
  }
  return content;
}

std::string Sha256Of(const std::string& content) {
  Sha256 hasher;
  hasher.Update(std::as_bytes(std::span(content.data(), content.size())));
  return hasher.FinishHex();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

DownloadOptions FastOptions() {
  DownloadOptions options;
  options.initial_backoff = std::chrono::milliseconds(5);
  options.max_backoff = std::chrono::milliseconds(2000);
  return options;
}

class DownloadTest : public ::testing::Test {
 protected:
  DownloadFile File(const std::string& name, const std::string& content) {
    return {.url = server_.url() + "/" + name,
            .destination = dir_.path() + "/" + name,
            .size = content.size(),
            .sha256 = Sha256Of(content),
            .label = name};
  }
  std::string Destination(const std::string& name) const { return dir_.path() + "/" + name; }

  RangeFileServer server_;
  testing::TempDir dir_;
};

TEST_F(DownloadTest, DownloadsAndVerifiesAFile) {
  const std::string content = Content(100'000);
  server_.AddFile("/model.bin", content, "v1");
  auto done = DownloadFiles({File("model.bin", content)}, FastOptions());
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ((*done)[0].sha256, Sha256Of(content));
  EXPECT_EQ((*done)[0].size, content.size());
  EXPECT_EQ((*done)[0].resumed_bytes, 0u);
  EXPECT_EQ(ReadAll(Destination("model.bin")), content);
  EXPECT_FALSE(fs::exists(Destination("model.bin.part")));
  EXPECT_FALSE(fs::exists(Destination("model.bin.part.meta")));
}

TEST_F(DownloadTest, GitBlobIdIsCheckedWhenDeclared) {
  server_.AddFile("/config.json", "hello\n");
  DownloadFile file = File("config.json", "hello\n");
  file.git_blob_sha1 = "ce013625030ba8dba906f756967f9e9ca394464a";  // `git hash-object`
  auto done = DownloadFiles({file}, FastOptions());
  ASSERT_TRUE(done.ok()) << done.status().ToString();

  server_.AddFile("/other.json", "hellO\n");
  DownloadFile other = File("other.json", "hellO\n");
  other.git_blob_sha1 = file.git_blob_sha1;
  done = DownloadFiles({other}, FastOptions());
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(done.status().message().find("git blob sha1 mismatch: expected " + file.git_blob_sha1),
            std::string::npos)
      << done.status().ToString();
  EXPECT_FALSE(fs::exists(other.destination));
  EXPECT_FALSE(fs::exists(other.destination + ".part"));
}

TEST_F(DownloadTest, Sha256MismatchFailsAndLeavesNoFile) {
  const std::string content = Content(50'000);
  server_.AddFile("/model.bin", content);
  DownloadFile file = File("model.bin", content);
  file.sha256 = Sha256Of("something else");
  auto done = DownloadFiles({file}, FastOptions());
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(done.status().message().find("sha256 mismatch"), std::string::npos);
  EXPECT_NE(done.status().message().find(file.url), std::string::npos);
  EXPECT_NE(done.status().message().find(file.sha256), std::string::npos);
  EXPECT_NE(done.status().message().find(Sha256Of(content)), std::string::npos);
  EXPECT_FALSE(fs::exists(file.destination));
  EXPECT_FALSE(fs::exists(file.destination + ".part"));
}

TEST_F(DownloadTest, SizeMismatchFails) {
  const std::string content = Content(50'000);
  server_.AddFile("/model.bin", content);
  DownloadFile file = File("model.bin", content);
  file.size = content.size() + 1;
  auto done = DownloadFiles({file}, FastOptions());
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(done.status().message().find("size mismatch"), std::string::npos);
  EXPECT_FALSE(fs::exists(file.destination));
}

TEST_F(DownloadTest, ResumesAfterACutConnection) {
  const std::string content = Content(100'000);
  server_.AddFile("/model.bin", content, "v1");
  server_.SetFaults("/model.bin", {.cut_after_bytes = 40'000, .cut_times = 1});
  auto done = DownloadFiles({File("model.bin", content)}, FastOptions());
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ((*done)[0].resumed_bytes, 40'000u);
  EXPECT_EQ((*done)[0].sha256, Sha256Of(content));
  EXPECT_EQ(ReadAll(Destination("model.bin")), content);
  const auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].headers.at("range"), "bytes=40000-");
}

TEST_F(DownloadTest, ACutOnEveryAttemptStillFinishesWhileBytesMove) {
  const std::string content = Content(100'000);
  server_.AddFile("/model.bin", content, "v1");
  server_.SetFaults("/model.bin", {.cut_after_bytes = 30'000, .cut_times = -1});
  DownloadOptions options = FastOptions();
  options.max_attempts = 2;
  auto done = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(ReadAll(Destination("model.bin")), content);
  EXPECT_EQ(server_.RangeRequests("/model.bin"), 3);
}

TEST_F(DownloadTest, ResumesAPartFileLeftByAnEarlierCall) {
  const std::string content = Content(100'000);
  server_.AddFile("/model.bin", content, "v1");
  server_.SetFaults("/model.bin", {.cut_after_bytes = 40'000, .cut_times = 1});
  DownloadOptions options = FastOptions();
  options.max_attempts = 1;
  auto failed = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(fs::exists(Destination("model.bin")));
  EXPECT_EQ(fs::file_size(Destination("model.bin.part")), 40'000u);

  auto done = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ((*done)[0].resumed_bytes, 40'000u);
  EXPECT_EQ(ReadAll(Destination("model.bin")), content);
  EXPECT_EQ(server_.Requests().back().headers.at("range"), "bytes=40000-");
}

TEST_F(DownloadTest, RestartsFromZeroWhenTheETagChanged) {
  const std::string old_content = Content(100'000, 1);
  server_.AddFile("/model.bin", old_content, "v1");
  server_.SetFaults("/model.bin", {.cut_after_bytes = 40'000, .cut_times = 1});
  DownloadOptions options = FastOptions();
  options.max_attempts = 1;
  ASSERT_FALSE(DownloadFiles({File("model.bin", old_content)}, options).ok());

  const std::string new_content = Content(100'000, 2);
  server_.AddFile("/model.bin", new_content, "v2");
  auto done = DownloadFiles({File("model.bin", new_content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ((*done)[0].resumed_bytes, 0u);
  EXPECT_EQ(ReadAll(Destination("model.bin")), new_content);
}

TEST_F(DownloadTest, RestartsFromZeroWhenTheServerIgnoresTheRange) {
  const std::string content = Content(100'000);
  server_.AddFile("/model.bin", content, "v1");
  server_.SetFaults("/model.bin", {.cut_after_bytes = 40'000, .cut_times = 1});
  DownloadOptions options = FastOptions();
  options.max_attempts = 1;
  ASSERT_FALSE(DownloadFiles({File("model.bin", content)}, options).ok());

  server_.SetRangesEnabled(false);
  auto done = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ((*done)[0].resumed_bytes, 0u);
  EXPECT_EQ(ReadAll(Destination("model.bin")), content);
}

TEST_F(DownloadTest, DownloadsABigFileInRangedPartsInParallel) {
  const std::string content = Content(1'000'000);
  server_.AddFile("/big.bin", content, "v1");
  DownloadOptions options = FastOptions();
  options.part_bytes = 64 * 1024;
  options.parallel_parts = 4;
  auto done = DownloadFiles({File("big.bin", content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(ReadAll(Destination("big.bin")), content);
  EXPECT_EQ((*done)[0].sha256, Sha256Of(content));
  // A one-byte probe, then one request per part (16 parts of 64 KiB).
  EXPECT_EQ(server_.RangeRequests("/big.bin"), 1 + 16);
  EXPECT_FALSE(fs::exists(Destination("big.bin.part.meta")));
}

TEST_F(DownloadTest, RangedPartsResumeOnTheirOwnAcrossCalls) {
  const std::string content = Content(1'000'000);
  const uint64_t part_bytes = 64 * 1024;
  server_.AddFile("/big.bin", content, "v1");
  // After the probe, the first part request served is cut after 10000 bytes; with one attempt
  // the call fails and stops the other parts wherever they are.
  server_.SetFaults("/big.bin", {.skip_requests = 1, .cut_after_bytes = 10'000, .cut_times = 1});
  DownloadOptions options = FastOptions();
  options.part_bytes = part_bytes;
  options.parallel_parts = 4;
  options.max_attempts = 1;
  auto failed = DownloadFiles({File("big.bin", content)}, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  const nlohmann::json journal = nlohmann::json::parse(ReadAll(Destination("big.bin.part.meta")));
  const std::vector<uint64_t> done = journal.at("done").get<std::vector<uint64_t>>();
  ASSERT_EQ(done.size(), 16u);
  uint64_t done_total = 0;
  for (uint64_t bytes : done) done_total += bytes;
  EXPECT_GE(done_total, 10'000u);

  const size_t requests_before = server_.Requests().size();
  auto done_now = DownloadFiles({File("big.bin", content)}, options);
  ASSERT_TRUE(done_now.ok()) << done_now.status().ToString();
  EXPECT_EQ((*done_now)[0].resumed_bytes, done_total);
  EXPECT_EQ(ReadAll(Destination("big.bin")), content);
  std::set<std::string> ranges;
  const auto requests = server_.Requests();
  for (size_t i = requests_before; i < requests.size(); ++i) {
    ranges.insert(requests[i].headers.at("range"));
  }
  // Each part continued where the first call left it; finished parts were not asked for again.
  size_t expected_requests = 1;  // the probe
  for (size_t i = 0; i < done.size(); ++i) {
    const uint64_t start = i * part_bytes;
    const uint64_t end = std::min<uint64_t>(start + part_bytes, content.size());
    if (start + done[i] == end) continue;
    ++expected_requests;
    EXPECT_TRUE(
        ranges.contains("bytes=" + std::to_string(start + done[i]) + "-" + std::to_string(end - 1)))
        << "part " << i;
  }
  EXPECT_EQ(ranges.size(), expected_requests);
}

TEST_F(DownloadTest, RetriesA429HonouringRetryAfter) {
  const std::string content = Content(10'000);
  server_.AddFile("/model.bin", content);
  server_.SetFaults("/model.bin", {.error_status = 429, .retry_after = "1", .error_times = 1});
  const auto start = std::chrono::steady_clock::now();
  auto done = DownloadFiles({File("model.bin", content)}, FastOptions());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_EQ(server_.Requests().size(), 2u);
}

TEST_F(DownloadTest, Retries503UntilAttemptsRunOut) {
  const std::string content = Content(10'000);
  server_.AddFile("/model.bin", content);
  server_.SetFaults("/model.bin", {.error_status = 503, .error_times = -1});
  DownloadOptions options = FastOptions();
  options.max_attempts = 3;
  auto done = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(done.status().message().find("503"), std::string::npos);
  EXPECT_EQ(server_.Requests().size(), 3u);
}

TEST_F(DownloadTest, NotFoundIsNotRetried) {
  DownloadFile file = File("missing.bin", "x");
  auto done = DownloadFiles({file}, FastOptions());
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), StatusCode::kNotFound);
  EXPECT_NE(done.status().message().find(file.url), std::string::npos);
  EXPECT_EQ(server_.Requests().size(), 1u);
  EXPECT_FALSE(fs::exists(file.destination + ".part"));
}

TEST_F(DownloadTest, ForbiddenIsFailedPreconditionAndNeverShowsTheToken) {
  server_.SetFaults("/gated.bin", {.error_status = 403, .error_times = -1});
  DownloadOptions options = FastOptions();
  options.headers = {{"Authorization", "Bearer hf_secret_token"}};
  auto done = DownloadFiles({File("gated.bin", "x")}, options);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(done.status().message().find("403"), std::string::npos);
  EXPECT_EQ(done.status().message().find("hf_secret_token"), std::string::npos);
  EXPECT_EQ(server_.Requests().size(), 1u);
}

TEST_F(DownloadTest, DetectsAStallAndResumes) {
  const std::string content = Content(20'000);
  server_.AddFile("/model.bin", content, "v1");
  server_.SetFaults("/model.bin", {.stall_after_bytes = 1'000, .stall_times = 1});
  DownloadOptions options = FastOptions();
  options.stall_timeout = std::chrono::seconds(1);
  const auto start = std::chrono::steady_clock::now();
  auto done = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ((*done)[0].resumed_bytes, 1'000u);
  EXPECT_EQ(ReadAll(Destination("model.bin")), content);
}

TEST_F(DownloadTest, DropsAuthorizationOnARedirectToAnotherHost) {
  RangeFileServer cdn;  // another port: another origin
  const std::string content = Content(10'000);
  cdn.AddFile("/blob", content);
  server_.AddRedirect("/model.bin", cdn.url() + "/blob");
  DownloadOptions options = FastOptions();
  options.headers = {{"Authorization", "Bearer hf_secret_token"}, {"X-Other", "kept"}};
  auto done = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(ReadAll(Destination("model.bin")), content);
  ASSERT_EQ(server_.Requests().size(), 1u);
  EXPECT_EQ(server_.Requests()[0].headers.at("authorization"), "Bearer hf_secret_token");
  ASSERT_EQ(cdn.Requests().size(), 1u);
  EXPECT_FALSE(cdn.Requests()[0].headers.contains("authorization"));
  EXPECT_EQ(cdn.Requests()[0].headers.at("x-other"), "kept");
}

TEST_F(DownloadTest, KeepsAuthorizationOnARedirectToTheSameHost) {
  const std::string content = Content(10'000);
  server_.AddFile("/resolved/model.bin", content);
  server_.AddRedirect("/model.bin", "/resolved/model.bin", 307);
  DownloadOptions options = FastOptions();
  options.headers = {{"Authorization", "Bearer hf_secret_token"}};
  auto done = DownloadFiles({File("model.bin", content)}, options);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  const auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/resolved/model.bin");
  EXPECT_EQ(requests[1].headers.at("authorization"), "Bearer hf_secret_token");
}

TEST_F(DownloadTest, DownloadsFilesInParallelAndReportsProgress) {
  std::vector<DownloadFile> files;
  std::vector<std::string> contents;
  for (int i = 0; i < 6; ++i) {
    contents.push_back(Content(30'000 + i * 1000, i + 1));
    const std::string name = "file" + std::to_string(i) + ".bin";
    server_.AddFile("/" + name, contents.back(), "e" + std::to_string(i));
    files.push_back(File(name, contents.back()));
  }
  DownloadOptions options = FastOptions();
  options.parallel_files = 3;
  std::mutex mutex;
  std::map<std::string, uint64_t> last_done;
  auto done =
      DownloadFiles(files, options, [&](const std::string& label, uint64_t bytes, uint64_t) {
        std::lock_guard lock(mutex);
        EXPECT_GE(bytes, last_done[label]);
        last_done[label] = bytes;
      });
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(ReadAll(files[i].destination), contents[i]);
    EXPECT_EQ((*done)[i].destination, files[i].destination);
    EXPECT_EQ(last_done[files[i].label], contents[i].size());
  }
}

TEST_F(DownloadTest, FetchUrlReturnsLowerCaseHeadersAndTheBody) {
  server_.AddFile("/api/models/x", R"({"id": "x"})", "abc");
  server_.AddRedirect("/api/old", "/api/models/x");
  auto reply = FetchUrl(server_.url() + "/api/old");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"id": "x"})");
  EXPECT_EQ(reply->headers.at("etag"), "\"abc\"");
  EXPECT_EQ(reply->headers.at("content-length"), "11");
  EXPECT_EQ(reply->effective_url, server_.url() + "/api/models/x");

  auto head = FetchUrl(server_.url() + "/api/models/x", {.head_only = true});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(server_.Requests().back().method, "HEAD");
}

TEST_F(DownloadTest, FetchUrlReturnsErrorStatusesAndRetriesTransientOnes) {
  auto missing = FetchUrl(server_.url() + "/nothing");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_EQ(missing->status, 404);

  server_.AddFile("/busy", "ok");
  server_.SetFaults("/busy", {.error_status = 503, .error_times = 2});
  auto busy = FetchUrl(server_.url() + "/busy", {.initial_backoff = std::chrono::milliseconds(5)});
  ASSERT_TRUE(busy.ok()) << busy.status().ToString();
  EXPECT_EQ(busy->status, 200);
  EXPECT_EQ(busy->body, "ok");
}

TEST(FetchUrlTest, NoServerIsUnavailableNamingTheUrl) {
  auto reply = FetchUrl("http://127.0.0.1:1/api",
                        {.max_attempts = 2, .initial_backoff = std::chrono::milliseconds(1)});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(reply.status().message().find("http://127.0.0.1:1/api"), std::string::npos);
}

TEST(RetryPolicyTest, ParsesRetryAfterSecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412475);  // 07:27:55 GMT
  EXPECT_EQ(http::ParseRetryAfter("7", now), std::chrono::seconds(7));
  EXPECT_EQ(http::ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), std::chrono::seconds(5));
  EXPECT_EQ(http::ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), std::chrono::seconds(0));
  EXPECT_FALSE(http::ParseRetryAfter("soon", now).has_value());
}

TEST(RetryPolicyTest, BacksOffExponentiallyUpToTheCap) {
  using std::chrono::milliseconds;
  EXPECT_EQ(http::BackoffDelay(1, milliseconds(100), milliseconds(1000), {}), milliseconds(100));
  EXPECT_EQ(http::BackoffDelay(3, milliseconds(100), milliseconds(1000), {}), milliseconds(400));
  EXPECT_EQ(http::BackoffDelay(9, milliseconds(100), milliseconds(1000), {}), milliseconds(1000));
  EXPECT_EQ(http::BackoffDelay(1, milliseconds(100), milliseconds(1000), milliseconds(700)),
            milliseconds(700));
  EXPECT_EQ(http::BackoffDelay(1, milliseconds(100), milliseconds(1000), milliseconds(5000)),
            milliseconds(1000));
}

}  // namespace
}  // namespace mlos::axon
