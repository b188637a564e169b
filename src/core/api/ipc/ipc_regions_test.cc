#include "core/api/ipc/ipc_regions.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <limits>

namespace mlos::core::ipc {
namespace {

int SharedMemory(uint64_t size) {
  const int fd = ::memfd_create("ipc_regions_test", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
  return fd;
}

TEST(IpcRegions, MapsAndChecksWindows) {
  RegionTable regions;
  const int fd = SharedMemory(4096);
  const int client_view_fd = ::dup(fd);
  auto id = regions.Register(fd, 4096);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(regions.count(), 1u);
  EXPECT_EQ(regions.mapped_bytes(), 4096u);

  // The server's mapping sees the client's bytes.
  ASSERT_EQ(::pwrite(client_view_fd, "hello", 5, 100), 5);
  auto window = regions.Window(*id, 100, 5);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(std::memcmp(window->data, "hello", 5), 0);

  EXPECT_TRUE(regions.Window(*id, 0, 4096).ok());
  EXPECT_TRUE(regions.Window(*id, 4096, 0).ok());
  EXPECT_EQ(regions.Window(*id, 4090, 7).status().message(),
            "bytes [4090, 4090+7) are outside region 1 of 4096 bytes");
  EXPECT_FALSE(regions.Window(*id, 4097, 0).ok());
  EXPECT_FALSE(regions.Window(*id, 8, std::numeric_limits<uint64_t>::max()).ok());
  EXPECT_FALSE(regions.Window(*id, std::numeric_limits<uint64_t>::max(), 2).ok());
  EXPECT_EQ(regions.Window(99, 0, 1).status().code(), StatusCode::kNotFound);

  // A window outlives unregistering: the mapping goes when its last holder lets go.
  ASSERT_TRUE(regions.Unregister(*id).ok());
  EXPECT_EQ(std::memcmp(window->data, "hello", 5), 0);
  EXPECT_EQ(regions.Unregister(*id).code(), StatusCode::kNotFound);
  EXPECT_EQ(regions.mapped_bytes(), 0u);
  ::close(client_view_fd);
}

TEST(IpcRegions, RefusesBadSizesAndTooManyRegions) {
  RegionTable regions;
  EXPECT_EQ(regions.Register(SharedMemory(64), 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(regions.Register(SharedMemory(64), 65).status().message(),
            "REGISTER_REGION: \"size\" is 65 but the shared-memory object holds 64 bytes");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_FALSE(regions.Register(pipe_fds[0], 1).ok());
  ::close(pipe_fds[1]);
  for (size_t i = 0; i < kMaxRegions; ++i) ASSERT_TRUE(regions.Register(SharedMemory(64), 64).ok());
  EXPECT_EQ(regions.Register(SharedMemory(64), 64).status().code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace mlos::core::ipc
