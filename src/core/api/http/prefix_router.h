// PrefixRouter: sends each request to the handler of the longest matching path prefix, or to
// the fallback. Prefixes match whole path segments ("/v2" matches "/v2" and "/v2/models", not
// "/v2x"). Handlers must outlive the router. Thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/api/http/http_types.h"

namespace mlos::core {

class PrefixRouter : public HttpHandler {
 public:
  PrefixRouter(std::vector<std::pair<std::string, const HttpHandler*>> routes,
               const HttpHandler& fallback)
      : routes_(std::move(routes)), fallback_(fallback) {}

  RouteAction Route(const HttpRequest& request) const override {
    const HttpHandler* best = &fallback_;
    size_t best_length = 0;
    for (const auto& [prefix, handler] : routes_) {
      const std::string& path = request.path;
      const bool matches = path.starts_with(prefix) &&
                           (path.size() == prefix.size() || path[prefix.size()] == '/');
      if (matches && prefix.size() >= best_length) {
        best = handler;
        best_length = prefix.size();
      }
    }
    return best->Route(request);
  }

 private:
  const std::vector<std::pair<std::string, const HttpHandler*>> routes_;
  const HttpHandler& fallback_;
};

}  // namespace mlos::core
