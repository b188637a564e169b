// INFER between the wire and the model manager: a parsed request (ipc_frame.h) checked against
// the model's signature and turned into input tensors, and an inference outcome turned into the
// reply frame, its outputs inline or written into the client's output window.
//
// Inputs: every declared input exactly once, by name in any order, its dtype as declared, its
// shape fitting the declared one, its length what dtype and shape need (tensor_bytes.h, the
// checks of the KServe binary path). Fixed-size inputs aligned to their element size are
// borrowed in place (from the frame body or a region sealed against shrinking;
// PreparedInference keeps both alive), others copied; bytes in unsealed regions are copied out
// first with GuardedCopy, and outputs are written into the window with it
// (ipc_guarded_copy.h). Region references are checked against the connection's regions, and the
// output window must not overlap an input. Every error names the tensor. Pure functions apart from
// the output writes into the client's region; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/api/inference_request.h"
#include "core/api/ipc/ipc_frame.h"
#include "core/api/ipc/ipc_regions.h"
#include "core/inference_job.h"
#include "core/model_signature.h"

namespace mlos::core::ipc {

struct PreparedInference {
  std::vector<NamedTensor> inputs;          // declared order
  std::vector<std::string> output_names;    // as asked; empty: all
  std::vector<RegionSpan> input_spans;      // the regions the borrowed inputs live in
  std::shared_ptr<const std::string> body;  // the frame body the borrowed inputs live in
  std::vector<std::shared_ptr<const std::string>> copies;  // inputs copied out of unsealed regions
  std::optional<RegionSpan> output_span;                   // OUTPUTS_TO_REGION
  RegionWindow output_window{};
};

// `request` was parsed from `*body`.
StatusOr<PreparedInference> PrepareInference(const InferRequest& request,
                                             std::shared_ptr<const std::string> body,
                                             const ModelSignature& signature,
                                             const RegionTable& regions);

// The reply frame of a successful inference. InvalidArgument naming the bytes needed when the
// outputs do not fit the output window.
StatusOr<std::string> EncodeInferOutcome(uint64_t request_id, const InferenceOutcome& outcome,
                                         const PreparedInference& prepared);

}  // namespace mlos::core::ipc
