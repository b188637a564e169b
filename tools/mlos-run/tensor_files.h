// mlos-run's tensor files: inputs from .npy or ONNX TensorProto (.pb) files, outputs to .npy.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/session.h"

namespace mlos::run {

// Reads one --input argument, "NAME=FILE" or "FILE". The input name comes from NAME, else from
// the TensorProto's name (.pb), else it is the model's only input. FILE ends in .npy or .pb.
// InvalidArgument/NotFound naming the file otherwise.
StatusOr<engine::NamedTensor> ReadInput(const std::string& argument,
                                        std::span<const engine::TensorInfo> model_inputs);

// Output names made into distinct, safe file names: characters other than letters, digits, '.',
// '-' and '_' become '_', a leading '.' gets a '_' before it, and a name already taken gets "_2",
// "_3", ... Returns one "<safe name>.npy" per name, in order.
std::vector<std::string> OutputFileNames(std::span<const std::string> output_names);

}  // namespace mlos::run
