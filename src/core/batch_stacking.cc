#include "core/batch_stacking.h"

#include <fmt/format.h>

#include <cstring>

namespace mlos::core {
namespace {

bool FirstDimensionDynamic(const TensorSpec& spec) {
  return !spec.shape || (!spec.shape->empty() && (*spec.shape)[0] < 0);
}

}  // namespace

bool SignatureAllowsBatching(const ModelSignature& signature) {
  if (signature.inputs.empty()) return false;
  for (const auto& spec : signature.inputs) {
    if (!FirstDimensionDynamic(spec) || spec.dtype == DataType::kString) return false;
  }
  for (const auto& spec : signature.outputs) {
    if (!FirstDimensionDynamic(spec) || spec.dtype == DataType::kString) return false;
  }
  return true;
}

int64_t JobRows(const InferenceJob& job) {
  if (job.inputs.empty() || job.inputs[0].tensor.shape().empty()) return 0;
  return job.inputs[0].tensor.shape()[0];
}

bool CanStack(const InferenceJob& a, const InferenceJob& b) {
  if (a.output_names != b.output_names || a.inputs.size() != b.inputs.size()) return false;
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    const Tensor& x = a.inputs[i].tensor;
    const Tensor& y = b.inputs[i].tensor;
    if (a.inputs[i].name != b.inputs[i].name || x.dtype() != y.dtype() ||
        x.dtype() == DataType::kString || x.shape().empty() ||
        x.shape().size() != y.shape().size() ||
        !std::equal(x.shape().begin() + 1, x.shape().end(), y.shape().begin() + 1)) {
      return false;
    }
  }
  return true;
}

std::vector<NamedTensor> StackInputs(std::span<const InferenceJob* const> jobs) {
  std::vector<NamedTensor> stacked;
  const InferenceJob& first = *jobs.front();
  for (size_t i = 0; i < first.inputs.size(); ++i) {
    Shape shape = first.inputs[i].tensor.shape();
    shape[0] = 0;
    for (const InferenceJob* job : jobs) shape[0] += job->inputs[i].tensor.shape()[0];
    Tensor tensor(first.inputs[i].tensor.dtype(), shape);
    auto* destination = static_cast<std::byte*>(tensor.raw_data());
    for (const InferenceJob* job : jobs) {
      const Tensor& part = job->inputs[i].tensor;
      if (part.byte_size() > 0) std::memcpy(destination, part.raw_data(), part.byte_size());
      destination += part.byte_size();
    }
    stacked.push_back({first.inputs[i].name, std::move(tensor)});
  }
  return stacked;
}

StatusOr<std::vector<std::vector<OutputTensor>>> SplitOutputs(std::vector<OutputTensor> outputs,
                                                              std::span<const int64_t> rows) {
  int64_t total = 0;
  for (int64_t r : rows) total += r;
  std::vector<std::vector<OutputTensor>> split(rows.size());
  for (const OutputTensor& output : outputs) {
    if (output.dtype == DataType::kString || output.shape.empty() || output.shape[0] != total) {
      return FailedPrecondition(fmt::format(
          "output '{}' has shape {}, which does not carry the batch of {} rows in dimension 0",
          output.name, ShapeToString(output.shape), total));
    }
    const size_t row_bytes = total == 0 ? 0 : output.bytes.byte_size() / total;
    const auto* source = static_cast<const std::byte*>(output.bytes.raw_data());
    for (size_t j = 0; j < rows.size(); ++j) {
      Shape shape = output.shape;
      shape[0] = rows[j];
      const size_t bytes = row_bytes * rows[j];
      OutputTensor part{output.name, output.dtype, shape,
                        Tensor(DataType::kUInt8, {static_cast<int64_t>(bytes)})};
      if (bytes > 0) std::memcpy(part.bytes.raw_data(), source, bytes);
      source += bytes;
      split[j].push_back(std::move(part));
    }
  }
  return split;
}

}  // namespace mlos::core
