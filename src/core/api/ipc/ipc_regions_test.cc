#include "core/api/ipc/ipc_regions.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <limits>
#include <string>

#include "core/api/ipc/ipc_guarded_copy.h"

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
  EXPECT_EQ(regions.Register(SharedMemory(64), 64).status().message(),
            "REGISTER_REGION: the connection already holds 64 regions, the most it may; "
            "unregister one first");
}

TEST(IpcRegions, SealsWhatCanBeSealed) {
  RegionTable regions;
  const int sealable = ::memfd_create("sealable", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_EQ(::ftruncate(sealable, 4096), 0);
  const int client_view = ::dup(sealable);
  auto sealed = regions.Register(sealable, 4096);
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(regions.Window(*sealed, 0, 1)->mapping->sealed());
  EXPECT_NE(::ftruncate(client_view, 0), 0);  // the client can no longer shrink it
  ::close(client_view);
  auto plain = regions.Register(SharedMemory(4096), 4096);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(regions.Window(*plain, 0, 1)->mapping->sealed());
}

TEST(IpcGuardedCopy, SurvivesAShrunkRegion) {
  RegionTable regions;
  const int fd = SharedMemory(8192);
  const int client_view = ::dup(fd);
  auto id = regions.Register(fd, 8192);
  ASSERT_TRUE(id.ok());
  auto window = regions.Window(*id, 0, 8192);
  ASSERT_TRUE(window.ok());
  char bytes[16] = {};
  EXPECT_TRUE(GuardedCopy(window->data + 4096, "0123456789abcdef", 16));
  EXPECT_TRUE(GuardedCopy(bytes, window->data + 4096, 16));
  EXPECT_EQ(std::string(bytes, 16), "0123456789abcdef");
  ASSERT_EQ(::ftruncate(client_view, 0), 0);  // the client takes the pages away
  EXPECT_FALSE(GuardedCopy(bytes, window->data + 4096, 16));
  EXPECT_FALSE(GuardedCopy(window->data, bytes, 16));
  EXPECT_TRUE(GuardedCopy(bytes, "still works here", 16));
  ::close(client_view);
}

}  // namespace
}  // namespace mlos::core::ipc
