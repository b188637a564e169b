// Dynamic batching arithmetic: which requests may share one execution, stacking their inputs
// along dimension 0, and splitting the outputs back.
//
// Two jobs stack when they want the same outputs and every input has the same dtype (not
// STRING), rank >= 1 and the same dimensions but the first. A batched model's outputs must carry
// the batch in dimension 0: SplitOutputs fails (and the scheduler then runs the jobs one by one)
// when an output's first dimension is not the sum of the jobs' rows. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "core/inference_job.h"
#include "core/model_signature.h"

namespace mlos::core {

// Whether every declared input and output has a dynamic (or unknown) first dimension, so the
// model can take stacked requests.
bool SignatureAllowsBatching(const ModelSignature& signature);

// Rows a job contributes: dimension 0 of its first input (0 if it has none, or a scalar).
int64_t JobRows(const InferenceJob& job);

bool CanStack(const InferenceJob& a, const InferenceJob& b);

// The inputs of `jobs` (which CanStack pairwise) concatenated along dimension 0.
std::vector<NamedTensor> StackInputs(std::span<const InferenceJob* const> jobs);

// `outputs` of one execution cut into one list per job, `rows[i]` rows each.
StatusOr<std::vector<std::vector<OutputTensor>>> SplitOutputs(std::vector<OutputTensor> outputs,
                                                              std::span<const int64_t> rows);

}  // namespace mlos::core
