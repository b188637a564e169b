// NonMaxSuppression (opsets 10, 11): per batch and class, greedily keeps the highest-scoring boxes
// whose score is above score_threshold and whose IoU with every box kept before is at most
// iou_threshold, up to max_output_boxes_per_class (0 or absent: none). Boxes [B, N, 4] are
// (y1, x1, y2, x2) with any two opposite corners, or (x_center, y_center, width, height) when
// center_point_box = 1; scores [B, C, N]. Output selected_indices [K, 3] int64 rows
// (batch, class, box), by batch, then class, then selection order. Equal scores keep the lower
// box index first, as onnxruntime does.
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "engine/kernel_registry.h"
#include "engine/kernels/common/axes.h"
#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/float_values.h"
#include "engine/kernels/image/registrations.h"

namespace mlos::engine {
namespace {

struct Box {
  float y_min, x_min, y_max, x_max;
  float area() const { return (y_max - y_min) * (x_max - x_min); }
};

Box ReadBox(const float* values, bool center_point) {
  if (center_point) {
    const float x = values[0], y = values[1], half_width = values[2] / 2,
                half_height = values[3] / 2;
    return {y - half_height, x - half_width, y + half_height, x + half_width};
  }
  return {std::min(values[0], values[2]), std::min(values[1], values[3]),
          std::max(values[0], values[2]), std::max(values[1], values[3])};
}

// True iff IoU(a, b) > threshold (boxes that do not overlap, or have no area, never suppress).
bool Overlaps(const Box& a, const Box& b, float threshold) {
  const float height = std::min(a.y_max, b.y_max) - std::max(a.y_min, b.y_min);
  const float width = std::min(a.x_max, b.x_max) - std::max(a.x_min, b.x_min);
  const float intersection = std::max(height, 0.0f) * std::max(width, 0.0f);
  if (intersection <= 0) return false;
  const float area_a = a.area(), area_b = b.area(), union_area = area_a + area_b - intersection;
  if (area_a <= 0 || area_b <= 0 || union_area <= 0) return false;
  return intersection / union_area > threshold;
}

class NonMaxSuppressionKernel final : public Kernel {
 public:
  explicit NonMaxSuppressionKernel(bool center_point) : center_point_(center_point) {}

  Status Compute(KernelContext& context) const override {
    const Tensor& boxes = context.input(0);
    const Tensor& scores = context.input(1);
    if (boxes.dtype() != DataType::kFloat32 || scores.dtype() != DataType::kFloat32) {
      return InvalidArgument("inputs 0 (boxes) and 1 (scores): expected float32, got " +
                             std::string(Name(boxes.dtype())) + " and " + Name(scores.dtype()));
    }
    if (boxes.shape().size() != 3 || boxes.shape()[2] != 4) {
      return InvalidArgument("input 0 (boxes): expected [batch, boxes, 4], got shape " +
                             ShapeToString(boxes.shape()));
    }
    const int64_t batch = boxes.shape()[0], box_count = boxes.shape()[1];
    if (scores.shape().size() != 3 || scores.shape()[0] != batch ||
        scores.shape()[2] != box_count) {
      return InvalidArgument("input 1 (scores): expected [" + std::to_string(batch) +
                             ", classes, " + std::to_string(box_count) + "], got shape " +
                             ShapeToString(scores.shape()));
    }
    const int64_t classes = scores.shape()[1];
    int64_t max_per_class = 0;
    if (context.has_input(2) && context.input(2).element_count() > 0) {
      ASSIGN_OR_RETURN(max_per_class,
                       ReadScalarInteger(context.input(2), "input 2 (max_output_boxes_per_class)"));
    }
    double iou_threshold = 0;
    if (context.has_input(3) && context.input(3).element_count() > 0) {
      ASSIGN_OR_RETURN(iou_threshold,
                       ReadScalarFloatValue(context.input(3), "input 3 (iou_threshold)"));
    }
    if (iou_threshold < 0 || iou_threshold > 1) {
      return InvalidArgument("input 3 (iou_threshold): " + std::to_string(iou_threshold) +
                             " is not in [0, 1]");
    }
    const bool has_score_threshold = context.has_input(4) && context.input(4).element_count() > 0;
    double score_threshold = 0;
    if (has_score_threshold) {
      ASSIGN_OR_RETURN(score_threshold,
                       ReadScalarFloatValue(context.input(4), "input 4 (score_threshold)"));
    }

    std::vector<int64_t> selected;  // (batch, class, box) triples
    const float* box_values = boxes.data<float>();
    const float* score_values = scores.data<float>();
    const float threshold = static_cast<float>(iou_threshold);
    const float minimum_score = static_cast<float>(score_threshold);
    std::vector<int64_t> candidates;
    std::vector<Box> kept;
    for (int64_t b = 0; b < batch && max_per_class > 0; ++b) {
      const float* batch_boxes = box_values + b * box_count * 4;
      for (int64_t c = 0; c < classes; ++c) {
        const float* class_scores = score_values + (b * classes + c) * box_count;
        candidates.clear();
        for (int64_t i = 0; i < box_count; ++i) {
          if (!has_score_threshold || class_scores[i] > minimum_score) candidates.push_back(i);
        }
        std::stable_sort(candidates.begin(), candidates.end(), [&](int64_t left, int64_t right) {
          return class_scores[left] > class_scores[right];
        });
        kept.clear();
        for (int64_t candidate : candidates) {
          if (static_cast<int64_t>(kept.size()) >= max_per_class) break;
          const Box box = ReadBox(batch_boxes + candidate * 4, center_point_);
          const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Box& other) {
            return Overlaps(box, other, threshold);
          });
          if (suppressed) continue;
          kept.push_back(box);
          selected.insert(selected.end(), {b, c, candidate});
        }
      }
    }
    Tensor& output = context.outputs[0];
    output = Tensor(DataType::kInt64, {static_cast<int64_t>(selected.size() / 3), 3});
    std::copy(selected.begin(), selected.end(), output.data<int64_t>());
    return Status::Ok();
  }

 private:
  const bool center_point_;
};

StatusOr<std::unique_ptr<Kernel>> CreateNonMaxSuppression(const KernelInit& init) {
  const int64_t center_point_box = init.attributes.GetInt("center_point_box", 0);
  if (center_point_box != 0 && center_point_box != 1) {
    return InvalidArgument("attribute center_point_box: must be 0 or 1, got " +
                           std::to_string(center_point_box));
  }
  return std::unique_ptr<Kernel>(std::make_unique<NonMaxSuppressionKernel>(center_point_box == 1));
}

}  // namespace

void RegisterNonMaxSuppressionKernel(KernelRegistry& registry) {
  registry.Register(
      {"", "NonMaxSuppression", 10, 1 << 30, {DataType::kFloat32}, &CreateNonMaxSuppression});
}

}  // namespace mlos::engine
