#include "axon/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "axon/test_models.h"

namespace mlos::axon {
namespace {

TEST(Sha256Test, KnownDigests) {
  Sha256 abc;
  const std::string text = "abc";
  abc.Update(std::as_bytes(std::span(text.data(), text.size())));
  EXPECT_EQ(abc.FinishHex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256().FinishHex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(GitBlobSha1Test, MatchesGitHashObject) {
  GitBlobSha1 empty(0);
  EXPECT_EQ(empty.FinishHex(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  GitBlobSha1 hello(6);
  const std::string text = "hello\n";
  hello.Update(std::as_bytes(std::span(text.data(), text.size())));
  EXPECT_EQ(hello.FinishHex(), "ce013625030ba8dba906f756967f9e9ca394464a");
}

TEST(Sha256Test, FileHashStreamsInChunksAndReportsProgress) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/big.bin";
  const std::string content(3 * 1024 * 1024 + 17, 'x');
  testing::WriteFile(path, content);
  Sha256 expected;
  expected.Update(std::as_bytes(std::span(content.data(), content.size())));
  uint64_t last = 0;
  int calls = 0;
  StatusOr<std::string> digest = Sha256File(path, [&](uint64_t done) {
    EXPECT_GT(done, last);
    last = done;
    ++calls;
  });
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, expected.FinishHex());
  EXPECT_EQ(last, content.size());
  EXPECT_EQ(calls, 4);
}

TEST(Sha256Test, SinkSeesEveryByteAndItsErrorStopsTheRead) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/data.bin";
  testing::WriteFile(path, std::string(2 * 1024 * 1024 + 5, 'y'));
  std::string copy;
  StatusOr<std::string> digest = Sha256File(path, {}, [&](std::span<const std::byte> chunk) {
    copy.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return Status::Ok();
  });
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(copy, std::string(2 * 1024 * 1024 + 5, 'y'));

  int chunks = 0;
  digest = Sha256File(path, {}, [&](std::span<const std::byte>) {
    ++chunks;
    return Internal("disk full");
  });
  ASSERT_FALSE(digest.ok());
  EXPECT_EQ(digest.status().message(), "disk full");
  EXPECT_EQ(chunks, 1);
}

TEST(Sha256Test, MissingFileIsNamed) {
  StatusOr<std::string> digest = Sha256File("/nonexistent/file.bin");
  ASSERT_FALSE(digest.ok());
  EXPECT_EQ(digest.status().code(), StatusCode::kNotFound);
  EXPECT_NE(digest.status().message().find("/nonexistent/file.bin"), std::string::npos);
}

}  // namespace
}  // namespace mlos::axon
