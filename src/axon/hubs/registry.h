// Local registry adapter: models of a registry Axon is pointed at with the config key
// `registry.url` (an http(s) URL). Any model id whose namespace is not a hub goes there.
//
// Protocol v1 (docs/axon.md, "A local registry"); plain GETs, so a static file server can be one:
//   GET <url>/v1/models/<ns>/<name>/<version>/manifest.yaml
//       the package's manifest (axon.mlos.io/v1, as Core reads it). <version> may be "latest":
//       the manifest's metadata.version then says which version that is (it must not be
//       "latest"). Its namespace and name must be the ones asked, and its version the one asked
//       unless "latest" was.
//   GET <url>/v1/models/<ns>/<name>/<version>/files/<path>
//       each file the manifest lists (path segments percent-encoded), at the resolved version;
//       Range requests are used when the server accepts them. Every file is checked against the
//       manifest's size and sha256.
//   GET <url>/v1/index.json
//       {"models": [{"id": "<ns>/<name>", "latest": "1.0", "versions": ["1.0"],
//                    "description": "...", "task": "...", "format": "onnx", "downloads": 0}]}
//       for `axon search`; only "id" is required.
// The manifest is validated with Core's parser; every file name must also pass CheckHubFilePath.
// The package's execution format must be onnx or torchscript (what the installer can check).
#pragma once

#include <string>
#include <vector>

#include "axon/config.h"
#include "axon/hubs/remote_model.h"
#include "axon/model_ref.h"
#include "axon/search.h"
#include "common/status.h"

namespace mlos::axon {

// `registry_url` without trailing '/'.
std::string RegistryManifestUrl(const std::string& registry_url, const ModelRef& ref);
std::string RegistryFileUrl(const std::string& registry_url, const ModelRef& ref,
                            const std::string& version, const std::string& path);
std::string RegistryIndexUrl(const std::string& registry_url);

// The RemoteModel for `ref` from the registry's manifest text (pure; no I/O). InvalidArgument
// naming `manifest_url` for a manifest that does not parse, names another model or version,
// lists an unsafe file name, or holds a format `format` excludes.
StatusOr<RemoteModel> RegistryRemoteModel(const std::string& registry_url, const ModelRef& ref,
                                          const std::string& manifest_text,
                                          const std::string& manifest_url,
                                          FormatWanted format = FormatWanted::kAuto);

// Fetches the manifest and builds the RemoteModel. FailedPrecondition when registry.url is empty,
// NotFound for a 404, Unavailable for no reply or a 5xx.
StatusOr<RemoteModel> ResolveRegistry(const ModelRef& ref, const AxonConfig& config,
                                      FormatWanted format = FormatWanted::kAuto);

// The index entries whose id or description matches `request.query`, as hits of source
// "registry" (id "<ns>/<name>", version = "latest"). InvalidArgument naming `url` for a reply
// that is not the index.
StatusOr<std::vector<SearchHit>> ParseRegistryIndex(const std::string& body, const std::string& url,
                                                    const SearchRequest& request);

// Fetches the index and searches it.
StatusOr<std::vector<SearchHit>> SearchRegistry(const SearchRequest& request,
                                                const AxonConfig& config);

}  // namespace mlos::axon
