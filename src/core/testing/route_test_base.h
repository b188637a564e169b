// RouteTestBase: what the route tests of every front end share — a real ModelManager over the
// echo test plugin in a fresh folder (with one echo model file, vector.echo), and Run(), which
// runs a handler's route as the HTTP server would (an asynchronous one waited for), no socket.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "core/api/http/http_types.h"
#include "core/model_manager.h"
#include "core/plugin_host.h"
#include "core/registry_store.h"
#include "core/testing/test_files.h"

namespace mlos::core::testing {

class RouteTestBase : public ::testing::Test {
 protected:
  // Call first in SetUp; `prefix` keeps each suite's folders apart.
  void SetUpManager(const std::string& prefix) {
    ASSERT_TRUE(plugins_.LoadLibrary(MLOS_ECHO_PLUGIN_PATH).ok());
    directory_ =
        FreshDirectory(prefix + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    model_path_ = WriteFile(directory_ / "vector.echo", kEchoVectorModel);
    auto store = RegistryStore::Open((directory_ / "registry.db").string());
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    ManagerOptions options;
    options.models_directory = directory_.string();
    models_ = std::make_unique<ModelManager>(plugins_, *store_, options);
  }

  static HttpResponse Run(const HttpHandler& handler, const HttpRequest& request) {
    const RouteAction action = handler.Route(request);
    if (!action.start) return action.handle(request);
    std::promise<HttpResponse> reply;
    action.start(request,
                 [&reply](HttpResponse response) { reply.set_value(std::move(response)); });
    return reply.get_future().get();
  }

  PluginHost plugins_;
  std::filesystem::path directory_;
  std::string model_path_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<ModelManager> models_;
};

}  // namespace mlos::core::testing
