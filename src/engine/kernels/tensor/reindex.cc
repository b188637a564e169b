#include "engine/kernels/tensor/reindex.h"

#include <algorithm>

#include "engine/kernels/common/element_types.h"

namespace mlos::engine {

StatusOr<Tensor> Reindex(const Tensor& input, const Shape& output_shape, const AxisOffsets& offsets,
                         const Tensor* fill, ThreadPool* pool) {
  Tensor output(input.dtype(), output_shape);
  if (output.element_count() == 0) return output;
  // A scalar output is one row of one element.
  const AxisOffsets scalar_offsets = {{0}};
  const AxisOffsets& axes = output_shape.empty() ? scalar_offsets : offsets;
  const std::vector<int64_t>& inner = axes.back();
  const int64_t row_length = static_cast<int64_t>(inner.size());
  const int64_t row_count = output.element_count() / row_length;
  // Rows whose inner table is a contiguous run without fills copy as one block.
  bool inner_contiguous = inner[0] != kFillElement;
  for (int64_t i = 1; i < row_length && inner_contiguous; ++i) {
    inner_contiguous = inner[i] == inner[0] + i;
  }
  RETURN_IF_ERROR(DispatchStorage(input.dtype(), "input 0", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* in = Elements<T>(input);
    T* out = Elements<T>(output);
    const T fill_value = fill != nullptr ? Elements<T>(*fill)[0] : T{};
    ParallelFor(pool, row_count, static_cast<double>(row_length), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        // The input offset of the row's first element, from the outer axes' tables.
        int64_t base = 0;
        bool row_is_fill = false;
        int64_t remaining = row;
        for (size_t d = axes.size() - 1; d-- > 0;) {
          const int64_t size = static_cast<int64_t>(axes[d].size());
          const int64_t offset = axes[d][remaining % size];
          remaining /= size;
          row_is_fill |= offset == kFillElement;
          base += offset;
        }
        T* destination = out + row * row_length;
        if (row_is_fill) {
          std::fill(destination, destination + row_length, fill_value);
        } else if (inner_contiguous) {
          std::copy(in + base + inner[0], in + base + inner[0] + row_length, destination);
        } else {
          for (int64_t i = 0; i < row_length; ++i) {
            destination[i] = inner[i] == kFillElement ? fill_value : in[base + inner[i]];
          }
        }
      }
    });
    return Status::Ok();
  }));
  return output;
}

}  // namespace mlos::engine
