#include "axon/url_install.h"

#include <gtest/gtest.h>

namespace mlos::axon {
namespace {

TEST(UrlInstall, KnowsPackageUrls) {
  EXPECT_TRUE(IsPackageUrl("https://host/m.axon"));
  EXPECT_TRUE(IsPackageUrl("http://127.0.0.1:8/m.axon"));
  EXPECT_FALSE(IsPackageUrl("file:///m.axon"));
  EXPECT_FALSE(IsPackageUrl("hf/org/name"));
}

TEST(UrlInstall, FileNameIsTheLastPathSegment) {
  EXPECT_EQ(*PackageFileNameOfUrl("https://host/a/b/model.axon"), "model.axon");
  EXPECT_EQ(*PackageFileNameOfUrl("https://host/model.tar.gz?token=x#frag"), "model.tar.gz");
  for (const std::string url :
       {"https://host/model.onnx", "https://host.axon", "https://host/", "https://host/a/.axon",
        "https://host/%2e%2e.axon", "https://host/p.axon/"}) {
    const StatusOr<std::string> name = PackageFileNameOfUrl(url);
    EXPECT_FALSE(name.ok()) << url << " -> " << (name.ok() ? *name : "");
    if (!name.ok()) {
      EXPECT_NE(name.status().message().find(url), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace mlos::axon
