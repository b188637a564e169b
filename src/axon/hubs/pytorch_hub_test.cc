#include "axon/hubs/pytorch_hub.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace mlos::axon {
namespace {

const std::string kCommit = "0123456789abcdef0123456789abcdef01234567";

ModelRef Ref(const std::string& text) {
  StatusOr<ModelRef> ref = ParseModelRef(text);
  EXPECT_TRUE(ref.ok()) << ref.status().message();
  return *ref;
}

PyTorchHubConfig Config(std::string mirror = "") {
  PyTorchHubConfig config;
  config.github_endpoint = "http://127.0.0.1:9/github.com";
  config.github_api_endpoint = "http://127.0.0.1:9/api.github.com";
  config.weights_mirror = std::move(mirror);
  return config;
}

TEST(PyTorchHub, EntryOfTheDefaultOwnerOrAnyOwner) {
  StatusOr<PyTorchHubEntry> vision = ParsePyTorchHubEntry(Ref("pytorch/vision/resnet50"));
  ASSERT_TRUE(vision.ok()) << vision.status().message();
  EXPECT_EQ(vision->owner, "pytorch");
  EXPECT_EQ(vision->repo, "vision");
  EXPECT_EQ(vision->entry, "resnet50");
  StatusOr<PyTorchHubEntry> other = ParsePyTorchHubEntry(Ref("torch/NVIDIA/DeepLearningExamples/nvidia_ssd@torchhub"));
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_EQ(other->FullRepo(), "NVIDIA/DeepLearningExamples");
  EXPECT_EQ(other->entry, "nvidia_ssd");
  for (const char* bad : {"pytorch/resnet50", "pytorch/a/b/c/d"}) {
    StatusOr<PyTorchHubEntry> refused = ParsePyTorchHubEntry(Ref(bad));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("pytorch/<owner>/<repo>/<entry>"), std::string::npos)
        << refused.status().message();
  }
}

TEST(PyTorchHub, GitHubUrls) {
  const PyTorchHubEntry entry{"pytorch", "vision", "resnet50"};
  EXPECT_EQ(GitHubRepoApiUrl(Config(), entry), "http://127.0.0.1:9/api.github.com/repos/pytorch/vision");
  EXPECT_EQ(GitHubCommitApiUrl(Config(), entry, "v0.14.1"),
            "http://127.0.0.1:9/api.github.com/repos/pytorch/vision/commits/v0.14.1");
  EXPECT_EQ(GitHubZipballUrl(Config(), entry, kCommit),
            "http://127.0.0.1:9/github.com/pytorch/vision/zipball/" + kCommit);
}

TEST(PyTorchHub, GitHubReplies) {
  StatusOr<std::string> branch = ParseGitHubDefaultBranch(R"({"default_branch": "main"})", "u");
  ASSERT_TRUE(branch.ok());
  EXPECT_EQ(*branch, "main");
  EXPECT_FALSE(ParseGitHubDefaultBranch(R"({"name": "vision"})", "u").ok());
  EXPECT_FALSE(ParseGitHubDefaultBranch("[]", "u").ok());
  StatusOr<std::string> sha = ParseGitHubCommitSha(R"({"sha": ")" + kCommit + R"("})", "u");
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, kCommit);
  EXPECT_FALSE(ParseGitHubCommitSha(R"({"sha": "abc"})", "u").ok());
  EXPECT_FALSE(ParseGitHubCommitSha(R"({"sha": "0123456789ABCDEF0123456789abcdef01234567"})", "u").ok());
}

TEST(PyTorchHub, GitHubErrors) {
  HttpReply reply;
  reply.status = 404;
  reply.body = R"({"message": "Not Found"})";
  Status status = GitHubReplyError(reply, "repository a/b");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("GitHub says: Not Found"), std::string::npos);
  reply.status = 422;
  EXPECT_EQ(GitHubReplyError(reply, "x").code(), StatusCode::kNotFound);
  reply.status = 403;
  EXPECT_EQ(GitHubReplyError(reply, "x").code(), StatusCode::kFailedPrecondition);
  reply.headers["x-ratelimit-remaining"] = "0";
  status = GitHubReplyError(reply, "x");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("GITHUB_TOKEN"), std::string::npos);
  reply.status = 502;
  EXPECT_EQ(GitHubReplyError(reply, "x").code(), StatusCode::kUnavailable);
}

TEST(PyTorchHub, WeightUrlsAndMirror) {
  const std::string url = "https://download.pytorch.org/models/resnet50-0676ba61.pth";
  StatusOr<std::string> direct = WeightDownloadUrl(Config(), url);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(*direct, url);
  StatusOr<std::string> mirrored = WeightDownloadUrl(Config("http://127.0.0.1:9/w"), url);
  ASSERT_TRUE(mirrored.ok());
  EXPECT_EQ(*mirrored, "http://127.0.0.1:9/w/download.pytorch.org/models/resnet50-0676ba61.pth");
  for (const char* bad : {"file:///etc/passwd", "ftp://host/x.pth", "https:///x", "x.pth",
                          "https://host/a b.pth"}) {
    EXPECT_FALSE(WeightDownloadUrl(Config(), bad).ok()) << bad;
  }
  StatusOr<std::string> path = WeightPackagePath(url + "?download=1#frag");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "weights/resnet50-0676ba61.pth");
  EXPECT_FALSE(WeightPackagePath("https://host/models/").ok());
  EXPECT_FALSE(WeightPackagePath("https://host/..").ok());
}

TEST(PyTorchHub, HashPrefixRule) {
  const std::string sha256 = "0676ba61b6795bbe1773cffd859882e5e297624d384b6993f7c9e683e722fb8a";
  const std::string url = "https://h/m/resnet50-0676ba61.pth";
  EXPECT_TRUE(CheckWeightHashPrefix(url, sha256, std::nullopt).ok());
  EXPECT_TRUE(CheckWeightHashPrefix(url, sha256, "0676ba61").ok());
  EXPECT_TRUE(CheckWeightHashPrefix(url, sha256, "").ok());  // torch.hub's regex allows it
  EXPECT_TRUE(CheckWeightHashPrefix(url, sha256, sha256).ok());
  Status wrong = CheckWeightHashPrefix(url, sha256, "0676ba62");
  EXPECT_EQ(wrong.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.message().find("0676ba62"), std::string::npos);
  EXPECT_NE(wrong.message().find(sha256), std::string::npos);
  EXPECT_FALSE(CheckWeightHashPrefix(url, sha256, "0676BA61").ok());
  EXPECT_FALSE(CheckWeightHashPrefix(url, sha256, sha256 + "0").ok());
}

TEST(PyTorchHub, FormatsToTry) {
  EXPECT_EQ(ConversionFormats(FormatWanted::kAuto), (std::vector<std::string>{"onnx", "torchscript"}));
  EXPECT_EQ(ConversionFormats(FormatWanted::kOnnx), (std::vector<std::string>{"onnx"}));
  EXPECT_EQ(ConversionFormats(FormatWanted::kTorchScript), (std::vector<std::string>{"torchscript"}));
  EXPECT_EQ(ConversionFormats(FormatWanted::kNative), (std::vector<std::string>{"torchscript"}));
}

TEST(PyTorchHub, InputShape) {
  StatusOr<std::vector<int64_t>> shape = ParseInputShape("1,3,299,299");
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(*shape, (std::vector<int64_t>{1, 3, 299, 299}));
  for (const char* bad : {"", "1,,3", "1,-3", "0,3", "a", "1,2,3,4,5,6,7,8,9", "1, 3"}) {
    EXPECT_FALSE(ParseInputShape(bad).ok()) << bad;
  }
}

TEST(PyTorchHub, ConfigFromEnvironment) {
  ::unsetenv("AXON_PYTORCH_GITHUB_ENDPOINT");
  ::unsetenv("AXON_PYTORCH_GITHUB_API_ENDPOINT");
  ::unsetenv("AXON_PYTORCH_WEIGHTS_MIRROR");
  ::unsetenv("AXON_PYTORCH_INPUT_SHAPE");
  ::unsetenv("AXON_PYTORCH_ENTRY_KWARGS");
  AxonConfig axon;
  StatusOr<PyTorchHubConfig> defaults = PyTorchHubConfigFromEnvironment(axon);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->github_endpoint, "https://github.com");
  EXPECT_EQ(defaults->github_api_endpoint, "https://api.github.com");
  EXPECT_EQ(defaults->weights_mirror, "");
  ASSERT_TRUE(axon.Set("pytorch.weights_mirror", "http://mirror/w/").ok());
  ::setenv("AXON_PYTORCH_GITHUB_ENDPOINT", "http://127.0.0.1:1/gh/", 1);
  ::setenv("AXON_PYTORCH_INPUT_SHAPE", "1,16", 1);
  ::setenv("AXON_PYTORCH_ENTRY_KWARGS", R"({"pretrained": false})", 1);
  StatusOr<PyTorchHubConfig> set = PyTorchHubConfigFromEnvironment(axon);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->github_endpoint, "http://127.0.0.1:1/gh");
  EXPECT_EQ(set->weights_mirror, "http://mirror/w");
  EXPECT_EQ(set->input_shape, (std::vector<int64_t>{1, 16}));
  EXPECT_EQ(set->entry_kwargs_json, R"({"pretrained": false})");
  ::setenv("AXON_PYTORCH_ENTRY_KWARGS", "[1]", 1);
  EXPECT_FALSE(PyTorchHubConfigFromEnvironment(axon).ok());
  ::setenv("AXON_PYTORCH_ENTRY_KWARGS", "{}", 1);
  ::setenv("AXON_PYTORCH_INPUT_SHAPE", "x", 1);
  StatusOr<PyTorchHubConfig> bad = PyTorchHubConfigFromEnvironment(axon);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("AXON_PYTORCH_INPUT_SHAPE"), std::string::npos);
  ::unsetenv("AXON_PYTORCH_GITHUB_ENDPOINT");
  ::unsetenv("AXON_PYTORCH_INPUT_SHAPE");
  ::unsetenv("AXON_PYTORCH_ENTRY_KWARGS");
}

}  // namespace
}  // namespace mlos::axon
