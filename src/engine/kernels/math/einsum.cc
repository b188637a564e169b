// Einsum (opset 12): a general tensor contraction written as an equation (see einsum_equation.h).
//
// Each input first becomes an operand with one axis per distinct label (a repeated label in one
// term takes the diagonal). Operands are then contracted left to right: labels that no later
// operand and not the output need are summed out first, shared labels still needed are batch
// axes, the rest of the shared labels are contracted, and the pair becomes one batched GEMM over
// [batch, left, contracted] x [batch, contracted, right]. Size-1 axes broadcast against their
// partner. Finally the remaining labels are summed out and arranged in output order.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/shape_arithmetic.h"
#include "engine/kernels/math/blas.h"
#include "engine/kernels/math/einsum_equation.h"

namespace mlos::engine {
namespace {

template <typename T>
struct Operand {
  std::vector<int> labels;  // distinct
  Shape dims;               // one per label
  std::vector<T> values;    // row-major over dims
};

bool Contains(const std::vector<int>& labels, int label) {
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

// Copies source[sum(index[d] * strides[d])] for every index of `dims`, row-major.
template <typename T>
std::vector<T> Gather(const T* source, const Shape& dims, const std::vector<int64_t>& strides) {
  std::vector<T> out(static_cast<size_t>(ElementCount(dims)));
  std::vector<int64_t> index(dims.size(), 0);
  int64_t offset = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = source[offset];
    for (size_t d = dims.size(); d-- > 0;) {
      if (++index[d] < dims[d]) {
        offset += strides[d];
        break;
      }
      offset -= strides[d] * (dims[d] - 1);
      index[d] = 0;
    }
  }
  return out;
}

// The input as an operand over its distinct labels; a repeated label takes the diagonal.
template <typename T>
StatusOr<Operand<T>> MakeOperand(const Tensor& input, const std::vector<int>& axis_labels,
                                 size_t input_index) {
  const std::vector<int64_t> axis_strides = DenseStrides(input.shape());
  Operand<T> operand;
  std::vector<int64_t> strides;
  for (size_t axis = 0; axis < axis_labels.size(); ++axis) {
    const int label = axis_labels[axis];
    auto it = std::find(operand.labels.begin(), operand.labels.end(), label);
    if (it == operand.labels.end()) {
      operand.labels.push_back(label);
      operand.dims.push_back(input.shape()[axis]);
      strides.push_back(axis_strides[axis]);
      continue;
    }
    const size_t at = static_cast<size_t>(it - operand.labels.begin());
    if (operand.dims[at] != input.shape()[axis]) {
      return InvalidArgument("input " + std::to_string(input_index) + ": label '" +
                             EinsumLabelName(label) + "' repeats with sizes " +
                             std::to_string(operand.dims[at]) + " and " +
                             std::to_string(input.shape()[axis]));
    }
    strides[at] += axis_strides[axis];
  }
  operand.values = Gather(input.data<T>(), operand.dims, strides);
  return operand;
}

template <typename T>
int64_t DimOf(const Operand<T>& operand, int label) {
  const auto it = std::find(operand.labels.begin(), operand.labels.end(), label);
  return it == operand.labels.end()
             ? 1
             : operand.dims[static_cast<size_t>(it - operand.labels.begin())];
}

// The operand's values laid out over `order` with the given sizes; an axis of size 1 in the operand
// is repeated to the requested size.
template <typename T>
std::vector<T> Arrange(const Operand<T>& operand, const std::vector<int>& order,
                       const Shape& dims) {
  const std::vector<int64_t> own_strides = DenseStrides(operand.dims);
  std::vector<int64_t> strides;
  for (int label : order) {
    const size_t at = static_cast<size_t>(
        std::find(operand.labels.begin(), operand.labels.end(), label) - operand.labels.begin());
    strides.push_back(operand.dims[at] == 1 ? 0 : own_strides[at]);
  }
  return Gather(operand.values.data(), dims, strides);
}

// Sums out every label not in `keep`.
template <typename T>
Operand<T> SumOut(const Operand<T>& operand, const std::vector<int>& keep) {
  Operand<T> result;
  std::vector<int> order;
  Shape order_dims;
  int64_t block = 1;
  for (size_t i = 0; i < operand.labels.size(); ++i) {
    if (!Contains(keep, operand.labels[i])) continue;
    result.labels.push_back(operand.labels[i]);
    result.dims.push_back(operand.dims[i]);
  }
  if (result.labels.size() == operand.labels.size()) return operand;
  order = result.labels;
  order_dims = result.dims;
  for (size_t i = 0; i < operand.labels.size(); ++i) {
    if (Contains(keep, operand.labels[i])) continue;
    order.push_back(operand.labels[i]);
    order_dims.push_back(operand.dims[i]);
    block *= operand.dims[i];
  }
  const std::vector<T> arranged = Arrange(operand, order, order_dims);
  result.values.assign(static_cast<size_t>(ElementCount(result.dims)), T(0));
  for (size_t i = 0; i < result.values.size(); ++i) {
    for (int64_t j = 0; j < block; ++j) result.values[i] += arranged[i * block + j];
  }
  return result;
}

// Contracts a with b, keeping the labels in `needed` (the output's and later operands').
template <typename T>
StatusOr<Operand<T>> Contract(const Operand<T>& a_in, const Operand<T>& b_in,
                              const std::vector<int>& needed) {
  auto keep_for = [&](const Operand<T>& other) {
    std::vector<int> keep = needed;
    keep.insert(keep.end(), other.labels.begin(), other.labels.end());
    return keep;
  };
  const Operand<T> a = SumOut(a_in, keep_for(b_in));
  const Operand<T> b = SumOut(b_in, keep_for(a_in));
  std::vector<int> batch, left, contracted, right;
  for (int label : a.labels) {
    if (!Contains(b.labels, label)) {
      left.push_back(label);
    } else {
      (Contains(needed, label) ? batch : contracted).push_back(label);
    }
  }
  for (int label : b.labels) {
    if (!Contains(a.labels, label)) right.push_back(label);
  }
  std::map<int, int64_t> dims;
  for (int label : a.labels) dims[label] = DimOf(a, label);
  for (int label : b.labels) {
    const int64_t a_dim = DimOf(a, label), b_dim = DimOf(b, label);
    if (Contains(a.labels, label) && a_dim != b_dim && a_dim != 1 && b_dim != 1) {
      return InvalidArgument("Einsum: label '" + EinsumLabelName(label) + "' has sizes " +
                             std::to_string(a_dim) + " and " + std::to_string(b_dim) +
                             " in different inputs");
    }
    dims[label] = std::max(a_dim, b_dim);
  }
  auto concat = [](std::initializer_list<const std::vector<int>*> parts) {
    std::vector<int> all;
    for (const auto* part : parts) all.insert(all.end(), part->begin(), part->end());
    return all;
  };
  auto sizes = [&](const std::vector<int>& labels) {
    Shape shape;
    for (int label : labels) shape.push_back(dims[label]);
    return shape;
  };
  const std::vector<int> a_order = concat({&batch, &left, &contracted});
  const std::vector<int> b_order = concat({&batch, &contracted, &right});
  const std::vector<T> a_values = Arrange(a, a_order, sizes(a_order));
  const std::vector<T> b_values = Arrange(b, b_order, sizes(b_order));
  const int64_t batches = ElementCount(sizes(batch)), m = ElementCount(sizes(left));
  const int64_t k = ElementCount(sizes(contracted)), n = ElementCount(sizes(right));
  Operand<T> result;
  result.labels = concat({&batch, &left, &right});
  result.dims = sizes(result.labels);
  result.values.assign(static_cast<size_t>(batches * m * n), T(0));
  if (m * n * k == 0) return result;
  for (int64_t i = 0; i < batches; ++i) {
    Gemm<T>(nullptr, false, false, m, n, k, T(1), a_values.data() + i * m * k, k,
            b_values.data() + i * k * n, n, T(0), result.values.data() + i * m * n, n);
  }
  return result;
}

class EinsumKernel final : public Kernel {
 public:
  explicit EinsumKernel(std::string equation) : equation_(std::move(equation)) {}

  Status Compute(KernelContext& context) const override {
    std::vector<size_t> ranks;
    for (size_t i = 0; i < context.input_count(); ++i) {
      if (!context.has_input(i))
        return InvalidArgument("input " + std::to_string(i) + " is missing");
      if (context.input(i).dtype() != context.input(0).dtype()) {
        return InvalidArgument("input " + std::to_string(i) + ": element type " +
                               Name(context.input(i).dtype()) + " does not match " +
                               Name(context.input(0).dtype()) + " of input 0");
      }
      ranks.push_back(context.input(i).shape().size());
    }
    if (ranks.empty()) return InvalidArgument("Einsum needs at least one input");
    ASSIGN_OR_RETURN(const EinsumEquation equation, ParseEinsumEquation(equation_, ranks));
    return DispatchByType<TypeList<float, double, int32_t, int64_t>>(
        context.input(0).dtype(), "Einsum", [&](auto tag) {
          using T = typename decltype(tag)::type;
          ASSIGN_OR_RETURN(Operand<T> current,
                           MakeOperand<T>(context.input(0), equation.input_labels[0], 0));
          for (size_t i = 1; i < ranks.size(); ++i) {
            ASSIGN_OR_RETURN(Operand<T> next,
                             MakeOperand<T>(context.input(i), equation.input_labels[i], i));
            std::vector<int> needed = equation.output_labels;
            for (size_t later = i + 1; later < ranks.size(); ++later) {
              needed.insert(needed.end(), equation.input_labels[later].begin(),
                            equation.input_labels[later].end());
            }
            ASSIGN_OR_RETURN(current, Contract(current, next, needed));
          }
          current = SumOut(current, equation.output_labels);
          Shape output_shape;
          for (int label : equation.output_labels) output_shape.push_back(DimOf(current, label));
          const std::vector<T> values = Arrange(current, equation.output_labels, output_shape);
          Tensor& output = context.outputs[0];
          output = Tensor(context.input(0).dtype(), output_shape);
          std::copy(values.begin(), values.end(), output.data<T>());
          return Status::Ok();
        });
  }

 private:
  const std::string equation_;
};

StatusOr<std::unique_ptr<Kernel>> CreateEinsum(const KernelInit& init) {
  if (!init.attributes.Has("equation")) return InvalidArgument("attribute equation is required");
  return std::unique_ptr<Kernel>(
      std::make_unique<EinsumKernel>(init.attributes.GetString("equation", "")));
}

}  // namespace

void RegisterEinsumKernel(KernelRegistry& registry) {
  registry.Register({"", "Einsum", 12, 1 << 30,
                     DataTypesOf(TypeList<float, double, int32_t, int64_t>{}), &CreateEinsum});
}

}  // namespace mlos::engine
