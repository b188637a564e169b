#include "core/api/ipc/ipc_infer.h"

#include <fmt/format.h>

#include "core/api/ipc/ipc_guarded_copy.h"
#include "core/api/tensor_bytes.h"

namespace mlos::core::ipc {
namespace {

constexpr std::string_view kLengthName = "length";

uint64_t AlignUp(uint64_t value) {
  return (value + kOutputAlignment - 1) / kOutputAlignment * kOutputAlignment;
}

bool Overlaps(const RegionWindow& a, const RegionWindow& b) {
  return a.region == b.region && a.length > 0 && b.length > 0 && a.offset < b.offset + b.length &&
         b.offset < a.offset + a.length;
}

// The input tensor of `descriptor`, whose bytes are `bytes`.
StatusOr<Tensor> InputTensor(const TensorSpec& spec, const TensorDescriptor& descriptor,
                             std::string_view bytes) {
  if (descriptor.dtype != spec.dtype) {
    return InvalidArgument(fmt::format("dtype {} given, the model expects {}",
                                       KServeName(descriptor.dtype), KServeName(spec.dtype)));
  }
  RETURN_IF_ERROR(CheckShapeAgainstDeclared(spec, descriptor.shape));
  // Every element takes at least a byte, so the bytes given bound the count.
  ASSIGN_OR_RETURN(const int64_t count, BoundedElementCount(descriptor.shape, bytes.size()));
  const size_t element_size = ElementSize(spec.dtype);
  const bool aligned =
      element_size > 0 && reinterpret_cast<uintptr_t>(bytes.data()) % element_size == 0;
  if (!aligned || bytes.empty()) {
    return TensorFromSmiBytes(spec.dtype, descriptor.shape, count, bytes, kLengthName);
  }
  RETURN_IF_ERROR(CheckFixedSizeBytes(spec.dtype, descriptor.shape, count, bytes, kLengthName));
  return Tensor::Borrow(spec.dtype, descriptor.shape, bytes.data());
}

Status CheckOutputNames(const std::vector<std::string>& names, const ModelSignature& signature) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (FindTensorSpec(signature.outputs, names[i]) == nullptr) {
      return InvalidArgument(
          fmt::format("unknown output '{}' requested; the model's outputs are: {}", names[i],
                      DescribeTensorSpecs(signature.outputs)));
    }
    for (size_t j = 0; j < i; ++j) {
      if (names[j] == names[i]) {
        return InvalidArgument(fmt::format("output '{}' is requested twice", names[i]));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<PreparedInference> PrepareInference(const InferRequest& request,
                                             std::shared_ptr<const std::string> body,
                                             const ModelSignature& signature,
                                             const RegionTable& regions) {
  PreparedInference prepared;
  prepared.body = std::move(body);
  prepared.inputs.assign(signature.inputs.size(), NamedTensor{});
  std::vector<RegionWindow> input_windows;
  for (const TensorDescriptor& descriptor : request.inputs) {
    const TensorSpec* spec = FindTensorSpec(signature.inputs, descriptor.name);
    if (spec == nullptr) {
      return InvalidArgument(fmt::format("unknown input '{}'; the model's inputs are: {}",
                                         descriptor.name, DescribeTensorSpecs(signature.inputs)));
    }
    NamedTensor& slot = prepared.inputs[spec - signature.inputs.data()];
    if (!slot.name.empty()) {
      return InvalidArgument(fmt::format("input '{}' is given twice", descriptor.name));
    }
    const auto what = [&] {  // only formatted on an error: this is the request path
      return fmt::format("input '{}' ({})", descriptor.name, TensorSpecType(*spec));
    };
    std::string_view bytes = descriptor.inline_bytes;
    if (descriptor.in_region) {
      const RegionWindow& window = descriptor.window;
      auto span = regions.Window(window.region, window.offset, window.length);
      if (!span.ok()) return span.status().WithContext(what());
      bytes = std::string_view(reinterpret_cast<const char*>(span->data), span->size);
      if (!span->mapping->sealed()) {  // the client could shrink it under the model: copy
        auto copy = std::make_shared<std::string>(span->size, '\0');
        if (!GuardedCopy(copy->data(), span->data, span->size)) {
          return InvalidArgument(
              fmt::format("{}: region {} shrank under the request", what(), window.region));
        }
        bytes = *copy;
        prepared.copies.push_back(std::move(copy));
      }
      prepared.input_spans.push_back(std::move(*span));
      input_windows.push_back(window);
    }
    auto tensor = InputTensor(*spec, descriptor, bytes);
    if (!tensor.ok()) return tensor.status().WithContext(what());
    slot = {descriptor.name, std::move(*tensor)};
  }
  for (size_t i = 0; i < signature.inputs.size(); ++i) {
    if (prepared.inputs[i].name.empty()) {
      return InvalidArgument(fmt::format("missing input {}; the model's inputs are: {}",
                                         DescribeTensorSpec(signature.inputs[i]),
                                         DescribeTensorSpecs(signature.inputs)));
    }
  }
  RETURN_IF_ERROR(CheckOutputNames(request.outputs, signature));
  prepared.output_names = request.outputs;
  if (request.outputs_to_region()) {
    const RegionWindow& window = request.output_window;
    auto span = regions.Window(window.region, window.offset, window.length);
    if (!span.ok()) return span.status().WithContext("output window");
    for (size_t i = 0; i < input_windows.size(); ++i) {
      if (Overlaps(window, input_windows[i])) {
        return InvalidArgument(fmt::format(
            "output window [{}, {}+{}) of region {} overlaps an input's bytes [{}, {}+{})",
            window.offset, window.offset, window.length, window.region, input_windows[i].offset,
            input_windows[i].offset, input_windows[i].length));
      }
    }
    prepared.output_span = std::move(*span);
    prepared.output_window = window;
  }
  return prepared;
}

StatusOr<std::string> EncodeInferOutcome(uint64_t request_id, const InferenceOutcome& outcome,
                                         const PreparedInference& prepared) {
  std::vector<ReplyTensor> replies(outcome.outputs.size());
  uint64_t needed = 0;
  for (size_t i = 0; i < outcome.outputs.size(); ++i) {
    const OutputTensor& output = outcome.outputs[i];
    ReplyTensor& reply = replies[i];
    reply.name = output.name;
    reply.dtype = output.dtype;
    reply.shape = &output.shape;
    const auto size = static_cast<uint64_t>(output.bytes.element_count());
    reply.inline_bytes = std::string_view(static_cast<const char*>(output.bytes.raw_data()), size);
    if (prepared.output_span) {
      needed = AlignUp(needed);
      reply.in_region = true;
      reply.window = {prepared.output_window.region, prepared.output_window.offset + needed, size};
      needed += size;
    }
  }
  if (prepared.output_span) {
    const RegionSpan& span = *prepared.output_span;
    if (needed > span.size) {
      return InvalidArgument(fmt::format(
          "the outputs need {} bytes of the output window (each at a multiple of {} bytes), its "
          "capacity is {}",
          needed, kOutputAlignment, span.size));
    }
    for (const ReplyTensor& reply : replies) {
      if (!GuardedCopy(span.data + (reply.window.offset - prepared.output_window.offset),
                       reply.inline_bytes.data(), reply.inline_bytes.size())) {
        return InvalidArgument(fmt::format("output '{}': region {} shrank under the request",
                                           reply.name, prepared.output_window.region));
      }
    }
  }
  return EncodeInferReplyFrame(request_id, outcome.queue_time_us, outcome.compute_time_us, replies);
}

}  // namespace mlos::core::ipc
