// `axon search` on Hugging Face: GET <endpoint>/api/models?search=QUERY&limit=N, the Hub's model
// list (each entry: id, downloads, likes, pipeline_tag, library_name, and lastModified where the
// Hub includes it). Endpoint and token as for installs (huggingface.h). Hits are installable ids
// "hf/<id>".
#pragma once

#include <string>
#include <vector>

#include "axon/config.h"
#include "axon/hubs/huggingface.h"
#include "axon/search.h"
#include "common/status.h"

namespace mlos::axon {

// The list URL, the query percent-encoded.
std::string HfSearchUrl(const HuggingFaceConfig& config, const SearchRequest& request);

// Parses the list reply (a JSON array); InvalidArgument naming `url` when it is something else
// or an entry has no "id". Missing optional fields stay unknown.
StatusOr<std::vector<SearchHit>> ParseHfSearch(const std::string& body, const std::string& url);

// Asks the Hub (FetchUrl, few retries: a search should answer fast or warn).
StatusOr<std::vector<SearchHit>> SearchHuggingFace(const SearchRequest& request,
                                                   const AxonConfig& config);

}  // namespace mlos::axon
