// Det (opset 11): the determinant of each square matrix of x (float16, float or double), shaped
// [..., M, M], giving y of shape [...]. LU factorisation with partial pivoting, in double, one
// matrix per task of the thread pool.
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/element_types.h"

namespace mlos::engine {
namespace {

// Destroys `matrix` (n x n, row-major) and returns its determinant.
double DeterminantInPlace(std::vector<double>& matrix, int64_t n) {
  double determinant = 1.0;
  for (int64_t column = 0; column < n; ++column) {
    int64_t pivot = column;
    for (int64_t row = column + 1; row < n; ++row) {
      if (std::fabs(matrix[row * n + column]) > std::fabs(matrix[pivot * n + column])) pivot = row;
    }
    const double pivot_value = matrix[pivot * n + column];
    if (pivot_value == 0.0) return 0.0;
    if (pivot != column) {
      for (int64_t k = column; k < n; ++k) std::swap(matrix[pivot * n + k], matrix[column * n + k]);
      determinant = -determinant;
    }
    determinant *= pivot_value;
    for (int64_t row = column + 1; row < n; ++row) {
      const double factor = matrix[row * n + column] / pivot_value;
      if (factor == 0.0) continue;
      for (int64_t k = column + 1; k < n; ++k)
        matrix[row * n + k] -= factor * matrix[column * n + k];
    }
  }
  return determinant;
}

using DetTypes = TypeList<float, double, Float16>;

class DetKernel final : public Kernel {
 public:
  Status Compute(KernelContext& context) const override {
    const Tensor& x = context.input(0);
    const Shape& shape = x.shape();
    const size_t rank = shape.size();
    if (rank < 2 || shape[rank - 1] != shape[rank - 2]) {
      return InvalidArgument("input 0 (X): expected square matrices [..., M, M], got shape " +
                             ShapeToString(shape));
    }
    const int64_t n = shape[rank - 1];
    Tensor& y = context.outputs[0];
    y = Tensor(x.dtype(), Shape(shape.begin(), shape.end() - 2));
    const int64_t matrices = y.element_count();
    return DispatchByType<DetTypes>(x.dtype(), "input 0 (X)", [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.data<T>();
      T* out = y.data<T>();
      ParallelFor(
          context.pool, matrices, static_cast<double>(n * n * n), [&](int64_t begin, int64_t end) {
            std::vector<double> matrix(static_cast<size_t>(n * n));
            for (int64_t index = begin; index < end; ++index) {
              const T* source = in + index * n * n;
              for (int64_t i = 0; i < n * n; ++i)
                matrix[i] = static_cast<double>(static_cast<ComputeType<T>>(source[i]));
              out[index] =
                  static_cast<T>(static_cast<ComputeType<T>>(DeterminantInPlace(matrix, n)));
            }
          });
      return Status::Ok();
    });
  }
};

StatusOr<std::unique_ptr<Kernel>> CreateDet(const KernelInit&) {
  return std::unique_ptr<Kernel>(std::make_unique<DetKernel>());
}

}  // namespace

void RegisterDetKernel(KernelRegistry& registry) {
  registry.Register({"", "Det", 11, 1 << 30, DataTypesOf(DetTypes{}), &CreateDet});
}

}  // namespace mlos::engine
